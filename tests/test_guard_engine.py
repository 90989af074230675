"""Unit tests of the guard's engine: folding and its offset map, rule specs,
negation scope (including wrapping attacks) and evasion variants."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from guard.engine import load as guard_load
from guard.engine import match as guard_engine
from guard.engine import optimize as guard_regex
from guard.engine import rules as guard_rules
from guard.engine.match import Suppression, scan_text
from guard.engine.normalize import fold, line_col

RULES = guard_load.load()


def flagged(text: str) -> set[str]:
    return {f.rule.id for f in scan_text(text, RULES) if f.rule.level == "error"}


# -- folding and the offset map ------------------------------------------------

@pytest.mark.parametrize(("source", "folded"), [
    ("公 司 领 导", "公司领导"),
    ("父·母", "父母"),
    ("爆\u200b通讯录", "爆通讯录"),
    ("政審", "政审"),
    ("ｑｑ群", "qq群"),
    ("老\u3000赖", "老赖"),
    ("２２：００", "2200"),
    ("\u2F08", "人"),  # Kangxi radical 人
    ("爆\u00ad通\u2060讯\ufeff录", "爆通讯录"),
    ("ＰＳ图", "ps图"),
])
def test_fold(source: str, folded: str) -> None:
    assert fold(source).text == folded


@pytest.mark.parametrize("source", [
    "前言。爆 通\u200b讯 錄，", "ａｂ老\u3000赖ｃ", "x\n\n政 審\t!", "父·母都在", "𠀀政审",
])
def test_offset_map_points_at_source_characters(source: str) -> None:
    folded = fold(source)
    assert len(folded.origin) == len(folded.text)
    assert list(folded.origin) == sorted(folded.origin)
    for index, char in enumerate(folded.text):
        original = source[folded.origin[index]]
        # Every compact character came from the source character it maps to.
        assert char in (original.casefold(), fold(original).text), (char, original)


def test_finding_positions_are_in_source_characters() -> None:
    source = "第一行没有问题。\n第二行：  爆\u200b通 讯 录。"
    finding, = scan_text(source, RULES)
    assert line_col(source, finding.start) == (2, 7)  # 第二行：␠␠爆
    assert source[finding.start:finding.end].replace("\u200b", "").replace(" ", "") == "爆通讯录"


def test_clause_breaks_ignore_punctuation_between_single_characters() -> None:
    assert len(set(fold("公，司，领，导").clause)) == 1
    assert len(set(fold("不要怕，直接打给他领导").clause)) == 2


# -- the rule data -----------------------------------------------------------------

def test_rules_cover_the_taxonomy() -> None:
    assert [rule.id for rule in RULES.rules] == [f"C{n:02d}" for n in range(1, 15)]
    for rule in RULES.rules:
        assert rule.why and rule.instead and rule.basis and rule.lesson
        assert all(b.endswith(("[V]", "[S]")) for b in rule.basis)


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_specs(rule) -> None:
    # The loader already refuses failing specs; this shows each rule's result by name.
    for sentence in rule.flag_specs:
        assert rule.id in flagged(sentence), sentence
    for sentence in rule.pass_specs:
        assert rule.id not in flagged(sentence), sentence


# -- negation scope ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "不要怕，直接打给他领导，让领导催他还钱。",
    "不要怕直接打给他领导让领导催他还钱。",
    "不要犹豫，把他欠款的事告诉他父母。",
    "严禁手软，他不接就一直打。",
    "不得拖延：马上群发他的通讯录。",
    "以下为错误示范：打给他同事说他欠钱不还。",
    "这不违法，打给他同事说他欠钱不还。",
    "打给他同事说他欠钱不还，这并不违规。",
])
def test_wrapped_negation_does_not_exempt(text: str) -> None:
    assert flagged(text), text


@pytest.mark.parametrize("text", [
    "不得向与债务无关的第三人透露欠款。",
    "严禁冒充公检法或律师身份催收。",
    "禁止向客户的同事、邻居透露其欠款情况。",
    "爆通讯录属于违规行为，一经发现严肃追责。",
    "客户说想不开时，切勿继续施压，立即停止催收。",
    "我们不会要求您向亲友借款或变卖必要生活资料。",
])
def test_governing_negation_exempts(text: str) -> None:
    assert flagged(text) == set(), text


def test_negation_only_exempts_rules_that_name_its_cues(tmp_path: Path) -> None:
    # C01 does not accept the "withhold" cues: 不透露 must not excuse a threat.
    assert "C01" in flagged("不透露姓名，我们的人今晚就去你家坐坐。")


# -- evasion ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "rule"), [
    ("联系不上就爆他的通訊錄。", "C04"),
    ("聯繫不上就爆 他 的 通 讯 录。", "C04"),
    ("联系不上就爆\u200b他\u200d的\u2060通\ufeff讯录。", "C04"),
    ("联系不上就爆ＴＸＬ。", "C04"),
    ("你这就是个老·赖。", "C06"),
    ("你就是个老 赖。", "C06"),
    ("孩子以后政審肯定受影響。", "C02"),
    ("这里是某某区人民法院，您的案件已立案。", "C03"),
    ("用呼\u200b死\u200b你一直打。", "C07"),
    ("ｐ一張他的照片發到家族群。", "C05"),
    ("公，司，领，导都会知道你欠钱不还。", "C04"),
])
def test_evasion_variants_are_caught(text: str, rule: str) -> None:
    assert rule in flagged(text)


# -- counterexample suppression -------------------------------------------------

def test_suppression_silences_only_named_rules() -> None:
    text = "打给他同事，说他欠钱不还。你就是个老赖。"
    everything = Suppression(0, len(text), frozenset({"C04"}))
    assert {f.rule.id for f in scan_text(text, RULES, [everything])} == {"C06"}


# -- broken rule data fails closed --------------------------------------------------

@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "guard_rules.yml"
    shutil.copy(guard_rules.RULES_FILE, target)
    return target


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    level: error\n", "    level: fatal\n", "level 必须是"),
    ("    why: 以暴力", "    whyy: x\n    why: 以暴力", "未知字段 'whyy'"),
    ("      - '(?:待不下去", "      - '(?:待不下去(", "无效的正则表达式"),
    ("        - 下班路上小心点，最近不太平。\n", "", "没有任何 flag 样例能触发"),
    ("        - 严禁以暴力或暴力相威胁，不得暗示人身伤害。\n", "        - 我们的人今晚去你家聊聊。\n", "应当放行却拦截了"),
    ("      - 《刑法》第二百九十三条之一 [V]\n", "      - 某公约第十六条 [U]\n", "只能引用 [V] 或 [S]"),
    ("'{self_claim}", "'{self_claimz}", "未定义的词表"),
    ("      - '(?:待不下去", "      - '(?:x?)?'\n      - '(?:待不下去", "匹配空文本"),
    ("      - '(?:待不下去", "      - '\\b老赖\\b'\n      - '(?:待不下去", "\\b"),
])
def test_invalid_rule_data_refuses_to_load(rules_copy: Path, old: str, new: str, message: str) -> None:
    text = rules_copy.read_text(encoding="utf-8")
    assert old in text
    rules_copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(guard_rules.RuleError, match=message.replace("[", r"\[").replace("]", r"\]").replace("\\b", r"\\b")):
        guard_load.load(rules_copy)


def test_missing_rule_file_refuses_to_load(tmp_path: Path) -> None:
    with pytest.raises(guard_rules.RuleError, match="规则文件不存在"):
        guard_load.load(tmp_path / "nothing.yml")


def test_invalid_yaml_refuses_to_load(rules_copy: Path) -> None:
    rules_copy.write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(guard_rules.RuleError, match="不是有效的 YAML"):
        guard_load.load(rules_copy)


def test_engine_has_no_hidden_state() -> None:
    # Scanning is a pure function of text and rules: the same input, the same findings.
    text = "凌晨给他打过去。"
    assert scan_text(text, RULES) == scan_text(text, RULES) and guard_engine.NEGATION_REACH > 0


# -- pattern rewrites for speed (engine/optimize) ------------------------------------

@pytest.mark.parametrize(("pattern", "firsts"), [
    ("(?:已经)?还清", {"已", "还"}),
    ("(?<!电话)跟踪|尾随", {"跟", "尾"}),
    ("(?:他|她)的?(?:公司|单位)", {"他", "她"}),
    (".{0,4}闹", None),        # any character may start it
    ("[a-c]x", None),          # ranges are not expanded
    ("\\d+分钟", None),        # neither are classes
    ("(?i:q)q", None),         # inline flags change what a character matches
    ("a|b?", None),            # may match nothing at all
])
def test_first_characters(pattern: str, firsts: set[str] | None) -> None:
    assert guard_regex.first_characters(pattern) == (None if firsts is None else frozenset(firsts))


@pytest.mark.parametrize(("pattern", "distributed"), [
    ("(?:已经)?还清", "已经还清|还清"),
    ("(?:已经)??还清", "还清|已经还清"),                      # lazy: without it first
    ("(?:几个人|一群人).{0,10}站|黑衣", "几个人(?:.){0,10}站|一群人(?:.){0,10}站|黑衣"),
    ("(?:[他她])的?公司", "他(?:的)?公司|她(?:的)?公司"),
    ("(他|她)的公司", None),                                   # capture groups are not repeated
    ("(?<!电话)跟踪|尾随", None),                              # a lookbehind cannot move
    (".{0,4}闹", None),
])
def test_distribute(pattern: str, distributed: str | None) -> None:
    assert guard_regex.distribute(pattern) == distributed


def _all_compiled(ruleset: guard_rules.RuleSet):
    for rule in ruleset.rules:
        yield from (part for pattern in rule.patterns for part in pattern.parts)
        yield from rule.exceptions
        if rule.negation is not None:
            yield rule.negation
    yield ruleset.condemnation
    yield ruleset.not_negation


def test_rewritten_patterns_match_exactly_what_the_written_ones_do(monkeypatch) -> None:
    monkeypatch.setattr(guard_regex, "optimize", lambda pattern: pattern)
    written = guard_load.load_text(RULES.text, Path("as-written.yml"))  # another key: compiled afresh
    texts = [fold(p.read_text(encoding="utf-8")).text for p in (ROOT / "docs").rglob("*.md")]
    texts += [fold(s).text for rule in RULES.rules for s in rule.flag_specs + rule.pass_specs]
    rewritten = distributed = 0
    for fast, plain in zip(_all_compiled(RULES), _all_compiled(written), strict=True):
        if fast.pattern == plain.pattern:
            continue
        rewritten += 1
        distributed += not fast.pattern.startswith("(?=[")
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], (
                plain.pattern[:80])
    assert rewritten >= 20 and distributed >= 15  # the slow openings ({family}|{work}|…) are rewritten
