"""The guard's rule data as compiled objects — or a RuleError saying what is wrong.

The data (hooks/guard/data/rules.yml) says what is flagged, why, on which basis
and what to do instead; this module only checks its shape and turns it into
compiled patterns. Loading with specs is guard.engine.load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from guard.engine import optimize

RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "rules.yml"

LEVELS = ("error", "warning")
SCOPES = ("clause", "sentence")
_TOP_KEYS = {"version", "lexicon", "cues", "rules"}
_CUE_KEYS = {"negation", "not_negation", "condemnation", "reported"}
_RULE_KEYS = {"id", "name", "level", "why", "basis", "instead", "lesson", "negation",
              "patterns", "exceptions", "specs"}
_REQUIRED_RULE_KEYS = _RULE_KEYS - {"exceptions", "negation"}
_PATTERN_KEYS = {"all", "scope"}
_SPEC_KEYS = {"flag", "pass"}
_ID = re.compile(r"C\d{2}")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# Python's re treats Han characters as word characters: \b around them never matches.
_WORD_BOUNDARY = re.compile(r"(?<!\\)\\b|\\B")


class RuleError(Exception):
    """The rule data is missing or invalid; the guard must not run without it."""


@dataclass(frozen=True)
class Pattern:
    parts: tuple[re.Pattern[str], ...]  # all must match in one scope unit
    scope: str
    source: str  # as written, for messages


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    level: str
    why: str
    basis: tuple[str, ...]
    instead: str
    lesson: str
    negation: re.Pattern[str] | None  # cues that exempt a match they govern
    patterns: tuple[Pattern, ...]
    exceptions: tuple[re.Pattern[str], ...]
    flag_specs: tuple[str, ...]
    pass_specs: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    not_negation: re.Pattern[str]  # a cue followed by this negates something else (不要怕)
    condemnation: re.Pattern[str]  # after a match in its sentence: the text condemns it
    reported: re.Pattern[str]  # anywhere in its sentence: the text reports or challenges someone else's act
    source: Path
    text: str = field(default="", repr=False)  # the data as read, for worker processes
    # The learned signal (classifier.Model), attached by guard.engine.load; None while specs run.
    model: object | None = field(default=None, repr=False, compare=False)

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def parse_text(text: str, path: Path) -> RuleSet:
    """Validate and compile rule data (its specs run in guard.engine.load)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RuleError(f"{path}: 规则文件不是有效的 YAML：{error}") from None
    return _compile(data, path, text)


# -----------------------------------------------------------------------------
# Compiling
# -----------------------------------------------------------------------------


def _compile(data: object, path: Path, text: str) -> RuleSet:
    where = str(path)
    _mapping(data, where, _TOP_KEYS, required={"version", "lexicon", "cues", "rules"})
    lexicon = data["lexicon"]
    _mapping(lexicon, f"{where}: lexicon")
    terms = {name: _terms(value, f"{where}: lexicon.{name}") for name, value in lexicon.items()}
    cues = data["cues"]
    _mapping(cues, f"{where}: cues", _CUE_KEYS, required=_CUE_KEYS)
    negation_sets = cues["negation"]
    _mapping(negation_sets, f"{where}: cues.negation")
    negation_terms = {
        name: _terms(value, f"{where}: cues.negation.{name}") for name, value in negation_sets.items()
    }
    not_negation = _regex(_alternation(_terms(cues["not_negation"], f"{where}: cues.not_negation")),
                          f"{where}: cues.not_negation")
    condemnation = _regex(_alternation(_terms(cues["condemnation"], f"{where}: cues.condemnation")),
                          f"{where}: cues.condemnation")
    reported = _regex(_alternation(_terms(cues["reported"], f"{where}: cues.reported")), f"{where}: cues.reported")

    rules_data = data["rules"]
    if not isinstance(rules_data, list) or not rules_data:
        raise RuleError(f"{where}: 'rules' 必须是非空列表")
    rules = [_rule(item, index, where, terms, negation_terms) for index, item in enumerate(rules_data)]
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuleError(f"{where}: 规则 id 重复：{', '.join(duplicates)}")
    return RuleSet(tuple(rules), not_negation, condemnation, reported, path, text)


def _rule(item: object, index: int, where: str, terms: dict, negation_terms: dict) -> Rule:
    label = f"{where}: rules[{index}]"
    _mapping(item, label, _RULE_KEYS, required=_REQUIRED_RULE_KEYS)
    rule_id = item["id"]
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise RuleError(f"{label}: id 必须形如 C04，实际为 {rule_id!r}")
    label = f"{where}: {rule_id}"
    for key in ("name", "why", "instead", "lesson"):
        if not isinstance(item[key], str) or not item[key].strip():
            raise RuleError(f"{label}: '{key}' 必须是非空文本")
    if item["level"] not in LEVELS:
        raise RuleError(f"{label}: level 必须是 {' 或 '.join(LEVELS)}，实际为 {item['level']!r}")
    basis = _terms(item["basis"], f"{label}: basis")
    unverified = [b for b in basis if not re.search(r"\[(V|S)\]\s*$", b)]
    if unverified:
        raise RuleError(f"{label}: basis 只能引用 [V] 或 [S] 来源：{unverified[0]}")
    if not re.fullmatch(r"[a-z0-9/-]+\.md", item["lesson"]):
        raise RuleError(f"{label}: lesson 必须是 docs/ 下的页面路径，如 privacy/third-parties.md")

    negation = None
    if item.get("negation"):
        names = _terms(item["negation"], f"{label}: negation")
        unknown = [n for n in names if n not in negation_terms]
        if unknown:
            raise RuleError(f"{label}: 未知的否定词组 {unknown[0]!r}（见 cues.negation）")
        cue_words = [w for n in names for w in negation_terms[n]]
        negation = _regex(_alternation(cue_words), f"{label}: negation")

    patterns_data = item["patterns"]
    if not isinstance(patterns_data, list) or not patterns_data:
        raise RuleError(f"{label}: 'patterns' 必须是非空列表")
    patterns = tuple(_pattern(p, f"{label}: patterns[{i}]", terms) for i, p in enumerate(patterns_data))
    exceptions = tuple(
        _regex(_expand(e, terms, f"{label}: exceptions"), f"{label}: exceptions")
        for e in _terms(item.get("exceptions") or ["(?!)"], f"{label}: exceptions")
    )
    specs = item["specs"]
    _mapping(specs, f"{label}: specs", _SPEC_KEYS, required=_SPEC_KEYS)
    return Rule(
        id=rule_id, name=item["name"].strip(), level=item["level"], why=item["why"].strip(),
        basis=tuple(basis), instead=item["instead"].strip(), lesson=item["lesson"],
        negation=negation, patterns=patterns, exceptions=exceptions,
        flag_specs=tuple(_terms(specs["flag"], f"{label}: specs.flag")),
        pass_specs=tuple(_terms(specs["pass"], f"{label}: specs.pass")),
    )


def _pattern(value: object, label: str, terms: dict) -> Pattern:
    if isinstance(value, str):
        return Pattern((_regex(_expand(value, terms, label), label),), "clause", value)
    _mapping(value, label, _PATTERN_KEYS, required={"all"})
    parts = _terms(value["all"], f"{label}.all")
    scope = value.get("scope", "clause")
    if scope not in SCOPES:
        raise RuleError(f"{label}: scope 必须是 {' 或 '.join(SCOPES)}，实际为 {scope!r}")
    compiled = tuple(_regex(_expand(p, terms, label), label) for p in parts)
    return Pattern(compiled, scope, " + ".join(parts))


def _expand(pattern: str, terms: dict, label: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise RuleError(f"{label}: 模式引用了未定义的词表 {{{name}}}：{pattern}")
        return _alternation(terms[name])

    if _WORD_BOUNDARY.search(pattern):
        raise RuleError(f"{label}: 模式不能用 \\b 或 \\B（汉字之间永远不匹配）：{pattern}")
    return _PLACEHOLDER.sub(replace, pattern)


_METACHARS = re.compile(r"[.^$*+?{}\[\]\\|()]")


def _alternation(words: list[str]) -> str:
    """One regex for a word list: literals as a trie (one test per character
    instead of one per word), then any entries that are regexes themselves."""
    literals = sorted({w for w in words if not _METACHARS.search(w)})
    patterns = [w for w in words if _METACHARS.search(w)]
    branches = ([_trie(literals)] if literals else []) + patterns
    return "(?:" + "|".join(branches) + ")"


def _trie(words: list[str]) -> str:
    """Regex for a set of literal words; longer matches win (紧急联系人 over 紧急)."""
    if words == [""]:
        return ""
    heads: dict[str, list[str]] = {}
    ends_here = False
    for word in words:
        if word:
            heads.setdefault(word[0], []).append(word[1:])
        else:
            ends_here = True
    branches = [re.escape(head) + _trie(sorted(set(tails))) for head, tails in sorted(heads.items())]
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends_here else body


def _regex(pattern: str, label: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise RuleError(f"{label}: 无效的正则表达式（{error}）：{pattern}") from None
    if compiled.match(""):
        raise RuleError(f"{label}: 模式会匹配空文本，等于匹配一切：{pattern}")
    faster = optimize.optimize(pattern)
    return compiled if faster == pattern else re.compile(faster)


def _terms(value: object, label: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise RuleError(f"{label}: 必须是非空列表")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{label}: 列表项必须是非空文本")
    return [v.strip() for v in value]


def _mapping(value: object, label: str, allowed: set | None = None, *, required: set = frozenset()) -> None:
    if not isinstance(value, dict):
        raise RuleError(f"{label}: 必须是映射（键: 值）")
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise RuleError(f"{label}: 未知字段 {unknown[0]!r}（允许：{', '.join(sorted(allowed))}）")
    missing = sorted(required - set(value))
    if missing:
        raise RuleError(f"{label}: 缺少字段 {missing[0]!r}")
