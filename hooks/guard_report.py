"""The guard's report: one sorted line per finding, then a count by rule."""

from __future__ import annotations

import json
from collections import Counter

from guard_sources import Report


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
