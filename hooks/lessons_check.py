"""Command-line check of pages' encoding, front matter and lesson template (pre-commit).

    python hooks/lessons_check.py docs/conduct/opening.md ...

Same rules as the build (lessons.py). Exit status 1 when any file has a problem.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mkdocs.exceptions import PluginError  # noqa: E402

from lessons import decode, page_problems, split  # noqa: E402


def problems(path: Path) -> list[str]:
    shown = path.as_posix()
    resolved = path.resolve().as_posix()
    if "/docs/" not in resolved:
        return []  # not a page of a docs/ folder
    src_uri = resolved.rsplit("/docs/", 1)[1]
    try:
        source = split(decode(path.read_bytes(), shown), shown)
    except PluginError as error:
        return [str(error)]
    return [f"{shown}: {problem}" for problem in page_problems(source, src_uri, today=dt.date.today())]


def main(argv: list[str]) -> int:
    found = [p for name in argv if name.endswith(".md") for p in problems(Path(name))]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
