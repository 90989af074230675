"""The guard's report: one sorted line per finding, then a count by rule; or the
same findings as JSON, GitHub annotations or a GitLab Code Quality report."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from guard.engine.sources import Report


def lines(reports: list[Report]) -> list[str]:
    return [
        # Line 0: found only in the rendered page, with no source position to point at.
        (f"{r.path}:{r.line}:{r.column}: " if r.line else f"{r.path}: ")
        + f"{r.rule_id} {r.message}"
        + ("" if r.is_error else "（警告，不阻止发布）")
        for r in sorted(reports)
    ]


def summary(reports: list[Report]) -> str:
    errors = [r for r in reports if r.is_error]
    warnings = [r for r in reports if not r.is_error]
    counts = Counter(r.rule_id for r in reports)
    by_rule = "，".join(f"{rule} × {n}" for rule, n in sorted(counts.items()))
    return f"守卫：{len(errors)} 个错误，{len(warnings)} 个警告" + (f"（{by_rule}）" if by_rule else "")


def as_json(reports: list[Report]) -> str:
    return json.dumps(
        [
            {"path": r.path, "line": r.line, "column": r.column, "rule": r.rule_id,
             "level": r.level, "message": r.message}
            for r in sorted(reports)
        ],
        ensure_ascii=False,
        indent=2,
    )


def _github_escape(text: str, *, property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def as_github(reports: list[Report]) -> str:
    """GitHub Actions workflow commands: each finding shows on its line in the pull request."""
    out = []
    for r in sorted(reports):
        where = f"file={_github_escape(r.path, property=True)}"
        if r.line:
            where += f",line={r.line},col={r.column}"
        title = _github_escape(f"守卫 {r.rule_id}", property=True)
        kind = "error" if r.is_error else "warning"
        out.append(f"::{kind} {where},title={title}::{_github_escape(r.message)}")
    return "\n".join(out)


def as_code_quality(reports: list[Report]) -> str:
    """A GitLab Code Quality report: each finding shows on its line in the merge request."""
    issues = []
    for r in sorted(reports):
        # Stable across runs and unique per finding, as GitLab compares reports by fingerprint.
        key = f"{r.path}:{r.line}:{r.column}:{r.rule_id}:{r.message}"
        issues.append({
            "description": f"{r.rule_id} {r.message}",
            "check_name": f"guard-{r.rule_id}",
            "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest(),
            "severity": "critical" if r.is_error else "minor",
            "location": {"path": r.path, "lines": {"begin": max(r.line, 1)}},
        })
    return json.dumps(issues, ensure_ascii=False, indent=2)
