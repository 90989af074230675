"""Match the guard's rules against one text: fold once, match, apply scope.

A match is exempt only when the text itself says the act is forbidden — a
negation cue that governs it (same clause, just before it, and not "不要怕"),
a condemnation after it in the same sentence ("……属于违规"), a report of
someone else's act in the same sentence (法院查明，被告人……; a customer's
"你们说我……我已经报警"), or a rule's own contextual exception in the same
scope — or when it sits inside a counterexample block that names its rule.
A sentence a rule lets pass this way is still judged by the learned signal.

Then the learned signal (classifier.py), when the rule set carries a model,
judges each line or sentence no rule matched; a counterexample block silences it
when the block names the category it predicts (or its runner-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from guard.engine.classifier import VETO, Signal, Unit, judged_units, score_around, scored_units
from guard.engine.normalize import Folded, fold
from guard.engine.rules import Pattern, Rule, RuleSet

# How far before a match a negation cue may stand and still govern it.
NEGATION_REACH = 24
# Just before a condemnation cue, these turn it around (不违法, 没人禁止, 并不违规).
_REVERSAL = ("不", "没", "非", "无", "未", "不算", "不是", "并不", "没有", "并非", "没人", "算不上")


@dataclass(frozen=True)
class Finding:
    rule: Rule
    start: int  # index in the source text
    end: int
    signal: Signal | None = None  # set when the learned signal, not a pattern, found it


@dataclass(frozen=True)
class Suppression:
    """A counterexample block: inside [start, end) of the source, these rules are silent."""

    start: int
    end: int
    rule_ids: frozenset[str]


def scan_text(source: str, ruleset: RuleSet, suppressions: Iterable[Suppression] = (),
              *, learn: bool = True) -> list[Finding]:
    """Every finding in `source`, in source order. With learn=False the model only
    weighs the rule matches (the build's rendered backstop: the source was judged already)."""
    suppressions = tuple(suppressions)
    found = _rule_findings(source, ruleset, suppressions)
    if ruleset.model is not None and (learn or found):
        units = judged_units(source, ruleset.model) if learn else _around(source, found, ruleset.model)
        found = [f for f in found if not _vetoed(source, f, units, ruleset)]
        if learn:
            found += _learned(units, ruleset, found, suppressions)
    return sorted(found, key=lambda f: (f.start, f.rule.id))


def _around(source: str, found: list[Finding], model) -> list[Unit]:
    """Scored units that overlap a rule match: all the veto needs."""
    return [unit for unit in scored_units(source, model)
            if any(f.start < unit.end and unit.start < f.end for f in found)]


def is_flagged(source: str, ruleset: RuleSet) -> bool:
    """Whether scan_text would report anything, without explaining learned findings."""
    found = _rule_findings(source, ruleset, ())
    if ruleset.model is None:
        return bool(found)
    units = scored_units(source, ruleset.model)
    return (any(not _vetoed(source, f, units, ruleset) for f in found)
            or any(u.score >= ruleset.model.threshold for u in units))


def _rule_findings(source: str, ruleset: RuleSet, suppressions: tuple[Suppression, ...]) -> list[Finding]:
    folded = fold(source)
    findings: dict[tuple[str, int], Finding] = {}
    for rule in ruleset.rules:
        for pattern in rule.patterns:
            for starts, end in _matches(pattern, folded):
                start = min(starts)
                key = (rule.id, folded.clause_of(start))
                if key in findings or _exempt(rule, ruleset, folded, starts, end):
                    continue
                source_start, source_end = folded.source_span(start, end)
                if any(s.start <= source_start < s.end and rule.id in s.rule_ids for s in suppressions):
                    continue
                findings[key] = Finding(rule, source_start, source_end)
    return list(findings.values())


def _vetoed(source: str, finding: Finding, units: list[Unit], ruleset: RuleSet) -> bool:
    """A rule match in text the model is confident is sound (a court's account, a complaint)."""
    score = score_around(source, finding.start, finding.end, units, ruleset.model)
    return score is not None and score < VETO


def _learned(units: list[Unit], ruleset: RuleSet, found: list[Finding],
             suppressions: tuple[Suppression, ...]) -> list[Finding]:
    """The model's findings on the units no rule already reported."""
    learned = []
    for unit in units:
        if unit.category is None or any(f.start < unit.end and unit.start < f.end for f in found):
            continue
        named = {unit.category, unit.runner_up}
        if any(s.start <= unit.start < s.end and named & s.rule_ids for s in suppressions):
            continue
        # The closest corpus examples only for what is reported: it loads the full model.
        signal = Signal(unit.category, unit.score, unit.runner_up,
                        ruleset.model.neighbours(unit.prepared, unit.category))
        learned.append(Finding(ruleset.by_id(unit.category), unit.start, unit.end, signal))
    return learned


def pattern_matches(pattern: Pattern, source: str) -> bool:
    """Whether `pattern` matches `source` at all, ignoring exemptions (for spec checks)."""
    return any(True for _ in _matches(pattern, fold(source)))


def _matches(pattern: Pattern, folded: Folded):
    """(part starts, end) of each match; co-occurrence patterns once per clause or sentence."""
    text = folded.text
    if len(pattern.parts) == 1 and pattern.scope == "clause":
        # A single term may span punctuation inserted to split it (公，司，领，导).
        for match in pattern.parts[0].finditer(text):
            yield (match.start(),), match.end()
        return
    unit_of = folded.clause_of if pattern.scope == "clause" else folded.sentence_of
    span_of = folded.clause_span if pattern.scope == "clause" else folded.sentence_span
    # Candidate units from one pass of the first part (the data lists the rarest
    # first); the other parts are searched only inside those units.
    first, *rest = pattern.parts
    seen = -1
    for match in first.finditer(text):
        unit = unit_of(match.start())
        if unit == seen:
            continue
        seen = unit
        start, end = span_of(unit)
        found = [first.search(text, start, end), *(part.search(text, start, end) for part in rest)]
        if all(found):
            yield tuple(m.start() for m in found), max(m.end() for m in found)


def _exempt(rule: Rule, ruleset: RuleSet, folded: Folded, starts: tuple[int, ...], end: int) -> bool:
    text = folded.text
    # Exceptions look at the whole sentence: the context that makes a mention legitimate
    # (由法院认定, 转告本人回电) is often in the next clause.
    sentence = folded.sentence_span(folded.sentence_of(min(starts)))
    if any(exception.search(text, *sentence) for exception in rule.exceptions):
        return True
    if ruleset.reported.search(text, *sentence):
        return True
    if rule.negation is not None and any(_negated(rule, ruleset, folded, s, end) for s in starts):
        return True
    return _condemned(ruleset, folded, min(starts), sentence[1])


def _negated(rule: Rule, ruleset: RuleSet, folded: Folded, start: int, end: int) -> bool:
    """A prohibition cue in the same clause, shortly before `start` or inside the
    match (委外机构不得自称…), governs it; a cue that opens the match is part of
    what the pattern describes (不要说是催收的) and does not."""
    clause_start = folded.clause_span(folded.clause_of(start))[0]
    window = max(clause_start, start - NEGATION_REACH)
    return any(
        cue.start() != start and not ruleset.not_negation.match(folded.text, cue.end())
        for cue in rule.negation.finditer(folded.text, window, end)
    )


def _condemned(ruleset: RuleSet, folded: Folded, start: int, sentence_end: int) -> bool:
    """Later in the same sentence the text says the act is forbidden (……属于违规)."""
    text = folded.text
    return any(
        not text.endswith(_REVERSAL, 0, cue.start())
        for cue in ruleset.condemnation.finditer(text, start, sentence_end)
    )
