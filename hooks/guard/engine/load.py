"""Load the rules and run every rule's specs — or refuse to load.

Every rule carries specs (sentences it must flag and sentences it must pass);
they run at load time, so a rule that stops doing its job cannot ship. Several
hooks need the rules in one build: the same file content loads once.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

from guard.engine.classifier import CORPUS_DIR, CorpusError, Example, load_model
from guard.engine.match import is_flagged, pattern_matches, scan_text
from guard.engine.rules import RULES_FILE, RuleError, RuleSet, parse_text


def load(path: Path = RULES_FILE, *, corpus: Path = CORPUS_DIR) -> RuleSet:
    """The rules (specs checked) with the learned signal trained on `corpus`."""
    return with_model(load_rules(path), corpus)


@lru_cache(maxsize=4)
def with_model(ruleset: RuleSet, corpus: Path = CORPUS_DIR) -> RuleSet:
    """`ruleset` carrying the model for `corpus`; a missing or broken corpus stops the guard."""
    try:
        model = load_model(corpus, spec_examples(ruleset))
    except CorpusError as error:
        raise RuleError(f"守卫的学习信号无法加载（守卫不会在没有它时放行）：{error}") from None
    guarded = dataclasses.replace(ruleset, model=model)
    # The model may set aside a rule match it is sure is sound, but never a rule's own flag specs.
    missed = [f"{rule.id}：{sentence}" for rule in ruleset.rules for sentence in rule.flag_specs
              if not is_flagged(sentence, guarded)]
    if missed:
        raise RuleError("加上学习信号后，这些规则样例不再被拦截（请把它们作为 label 1 的例句加入语料）：\n  "
                        + "\n  ".join(missed))
    return guarded


def spec_examples(ruleset: RuleSet) -> tuple[Example, ...]:
    """The rules' specs are reviewed labelled sentences too: the model learns from them."""
    where = ruleset.source.name
    return tuple(
        [Example(1, rule.id, False, "deck", sentence, f"{where}:{rule.id}") for rule in ruleset.rules
         for sentence in rule.flag_specs]
        + [Example(0, "-", True, "lesson", sentence, f"{where}:{rule.id}") for rule in ruleset.rules
           for sentence in rule.pass_specs]
    )


def load_rules(path: Path = RULES_FILE) -> RuleSet:
    """Load, validate and compile the rules, then run every rule's specs."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(f"{path}: 规则文件不存在，守卫拒绝在没有规则的情况下运行") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError(f"{path}: 无法读取规则文件：{error}") from None
    return load_text(text, path)


@lru_cache(maxsize=4)
def load_text(text: str, path: Path) -> RuleSet:
    """Rules from text already read (a worker process gets the text its parent checked)."""
    ruleset = parse_text(text, path)
    _run_specs(ruleset)
    return ruleset


def _run_specs(ruleset: RuleSet) -> None:
    failures = []
    for rule in ruleset.rules:
        for pattern in rule.patterns:
            if not any(pattern_matches(pattern, sentence) for sentence in rule.flag_specs):
                failures.append(f"{rule.id} 的模式没有任何 flag 样例能触发（无法验证的模式）：{pattern.source}")
        for sentence in rule.flag_specs:
            if not any(f.rule.id == rule.id for f in scan_text(sentence, ruleset)):
                failures.append(f"{rule.id} 应当拦截却放过了：{sentence}")
        for sentence in rule.pass_specs:
            if any(f.rule.id == rule.id for f in scan_text(sentence, ruleset)):
                failures.append(f"{rule.id} 应当放行却拦截了：{sentence}")
    if failures:
        raise RuleError(f"{ruleset.source}: 规则自检（specs）未通过，拒绝加载：\n  " + "\n  ".join(failures))
