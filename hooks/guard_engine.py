"""Match the guard's rules against one text: fold once, match, apply scope.

A match is exempt only when the text itself says the act is forbidden — a
negation cue that governs it (same clause, just before it, and not "不要怕"),
a condemnation after it in the same sentence ("……属于违规"), or a rule's own
contextual exception in the same scope — or when it sits inside a
counterexample block that names its rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from guard_normalize import Folded, fold
from guard_rules import Pattern, Rule, RuleSet

# How far before a match a negation cue may stand and still govern it.
NEGATION_REACH = 24
# Just before a condemnation cue, these turn it around (不违法, 没人禁止, 并不违规).
_REVERSAL = ("不", "没", "非", "无", "未", "不算", "不是", "并不", "没有", "并非", "没人", "算不上")


@dataclass(frozen=True)
class Finding:
    rule: Rule
    start: int  # index in the source text
    end: int


@dataclass(frozen=True)
class Suppression:
    """A counterexample block: inside [start, end) of the source, these rules are silent."""

    start: int
    end: int
    rule_ids: frozenset[str]


def scan_text(source: str, ruleset: RuleSet, suppressions: Iterable[Suppression] = ()) -> list[Finding]:
    """Every finding in `source`, in source order."""
    folded = fold(source)
    units = {"clause": _units(folded.clause), "sentence": _units(folded.sentence)}
    suppressions = tuple(suppressions)
    findings: dict[tuple[str, int], Finding] = {}
    for rule in ruleset.rules:
        for pattern in rule.patterns:
            for starts, end, unit in _matches(pattern, folded, units[pattern.scope]):
                start = min(starts)
                key = (rule.id, folded.clause[start])
                if key in findings or _exempt(rule, ruleset, folded, starts, end):
                    continue
                source_start, source_end = folded.source_span(start, end)
                if any(s.start <= source_start < s.end and rule.id in s.rule_ids for s in suppressions):
                    continue
                findings[key] = Finding(rule, source_start, source_end)
    return sorted(findings.values(), key=lambda f: (f.start, f.rule.id))


def pattern_matches(pattern: Pattern, source: str) -> bool:
    """Whether `pattern` matches `source` at all, ignoring exemptions (for spec checks)."""
    folded = fold(source)
    units = {"clause": _units(folded.clause), "sentence": _units(folded.sentence)}
    return any(True for _ in _matches(pattern, folded, units[pattern.scope]))


def _units(numbers: tuple[int, ...]) -> list[tuple[int, int]]:
    """[start, end) ranges of equal numbers: the clauses or sentences of a folded text."""
    ranges = []
    start = 0
    for index in range(1, len(numbers) + 1):
        if index == len(numbers) or numbers[index] != numbers[start]:
            ranges.append((start, index))
            start = index
    return ranges


def _matches(pattern: Pattern, folded: Folded, units: list[tuple[int, int]]):
    text = folded.text
    if len(pattern.parts) == 1 and pattern.scope == "clause":
        # A single term may span punctuation inserted to split it (公，司，领，导).
        for match in pattern.parts[0].finditer(text):
            yield (match.start(),), match.end(), _unit_of(units, match.start())
        return
    for unit in units:
        found = [part.search(text, unit[0], unit[1]) for part in pattern.parts]
        if all(found):
            yield tuple(m.start() for m in found), max(m.end() for m in found), unit


def _unit_of(units: list[tuple[int, int]], index: int) -> tuple[int, int]:
    low, high = 0, len(units) - 1
    while low < high:
        middle = (low + high) // 2
        if units[middle][1] <= index:
            low = middle + 1
        else:
            high = middle
    return units[low]


def _exempt(rule: Rule, ruleset: RuleSet, folded: Folded, starts: tuple[int, ...], end: int) -> bool:
    text = folded.text
    # Exceptions look at the whole sentence: the context that makes a mention legitimate
    # (由法院认定, 转告本人回电) is often in the next clause.
    sentence = _sentence_of(folded, min(starts))
    if any(exception.search(text, *sentence) for exception in rule.exceptions):
        return True
    if rule.negation is not None and any(_negated(rule, ruleset, folded, s, end) for s in starts):
        return True
    return _condemned(ruleset, folded, min(starts))


def _negated(rule: Rule, ruleset: RuleSet, folded: Folded, start: int, end: int) -> bool:
    """A prohibition cue in the same clause, shortly before `start` or inside the
    match (委外机构不得自称…), governs it; a cue that opens the match is part of
    what the pattern describes (不要说是催收的) and does not."""
    clause_start = start
    while clause_start > 0 and folded.clause[clause_start - 1] == folded.clause[start]:
        clause_start -= 1
    window = max(clause_start, start - NEGATION_REACH)
    return any(
        cue.start() != start and not ruleset.not_negation.match(folded.text, cue.end())
        for cue in rule.negation.finditer(folded.text, window, end)
    )


def _sentence_of(folded: Folded, index: int) -> tuple[int, int]:
    number = folded.sentence[index]
    start = end = index
    while start > 0 and folded.sentence[start - 1] == number:
        start -= 1
    while end < len(folded.sentence) and folded.sentence[end] == number:
        end += 1
    return start, end


def _condemned(ruleset: RuleSet, folded: Folded, start: int) -> bool:
    """Later in the same sentence the text says the act is forbidden (……属于违规)."""
    text = folded.text
    sentence_end = _sentence_of(folded, start)[1]
    return any(
        not text[:cue.start()].endswith(_REVERSAL)
        for cue in ruleset.condemnation.finditer(text, start, sentence_end)
    )
