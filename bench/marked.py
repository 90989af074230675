"""Write a generated table between two markers of a documentation page."""

from __future__ import annotations

from pathlib import Path


def replace_between(page: Path, start: str, end: str, table: str) -> None:
    """Replace what lies between `start` and `end` (markers included) with `table`,
    which itself begins and ends with the markers; a page without them is an error."""
    text = page.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{page}: 缺少 {start} … {end} 标记")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    page.write_text(before + table + after, encoding="utf-8")
