"""Fold a text into the form the guard matches against, keeping a map back to the source.

The folds defeat the usual evasions: full-width forms and Kangxi radicals (NFKC),
zero-width and other invisible characters, traditional characters, letter case,
and spaces or punctuation inserted between characters. Matching runs on the
compact text; every compact character remembers the index of the source
character it came from, so findings point at the real line and column.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc_purepy

# Clause punctuation splits clauses, which bound co-occurrence and negation scope.
# Quotes and brackets are not listed: a quoted term belongs to its clause.
CLAUSE_MARKS = frozenset("，,。.！!？?；;：:…—")
SENTENCE_MARKS = frozenset("。.！!？?；;")
# A line break that starts a new Markdown block (blank line, list item, heading,
# table row, quote, admonition, tab) ends a sentence; any other one is wrapping.
_BLOCK_BREAK = re.compile(r"\n(?=[ \t]*(?:\n|[-*+>|#]|\d+[.)]|!!!|\?\?\?|===|<))")
# A "clause" shorter than this is an evasion (公，司，领，导), not a clause.
MIN_CLAUSE = 2

# Invisible characters NFKC keeps: zero-width, joiners, bidi controls, BOM, soft hyphen…
_INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u180e\u034f")


@dataclass(frozen=True)
class Folded:
    """A compact, folded view of a source text."""

    text: str  # letters, digits and CJK only: what patterns match
    origin: tuple[int, ...]  # origin[i] = index in the source of text[i]
    clause: tuple[int, ...]  # clause[i] = clause number of text[i]
    sentence: tuple[int, ...]  # sentence[i] = sentence number of text[i]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source [start, end) covered by compact [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    # Character-level OpenCC data: a 1:1 fold keeps offsets exact.
    path = Path(opencc_purepy.__file__).parent / "dicts" / "TSCharacters.txt"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            target = targets.split(" ")[0]
            if len(target) == 1:
                table[ord(source)] = target
    if len(table) < 2000:
        raise RuntimeError(f"OpenCC data looks truncated: {path}")
    return table


def _is_invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _INVISIBLE_EXTRA


def _is_kept(char: str) -> bool:
    # Letters, digits and ideographs carry meaning; everything else can be inserted to evade.
    return unicodedata.category(char)[0] in "LN"


def fold_char(char: str) -> str:
    """The folded form of one source character ('' when it is dropped)."""
    if _is_invisible(char):
        return ""
    out = unicodedata.normalize("NFKC", char).translate(_t2s_table()).casefold()
    return "".join(c for c in out if not _is_invisible(c))


def fold(source: str) -> Folded:
    """Fold `source` into its compact matching form with an offset map."""
    text: list[str] = []
    origin: list[int] = []
    breaks: list[int] = []  # per kept char: 0 none, 1 clause break before it, 2 sentence break
    block_breaks = {m.start() for m in _BLOCK_BREAK.finditer(source)}
    pending = 0
    for index, char in enumerate(source):
        if char == "\n":
            # A plain line break is wrapping (or evasion); a new Markdown block ends a sentence.
            pending = 2 if index in block_breaks else pending
            continue
        for piece in fold_char(char):
            if _is_kept(piece):
                text.append(piece)
                origin.append(index)
                breaks.append(pending)
                pending = 0
            elif piece in SENTENCE_MARKS and not _between_digits(source, index):
                pending = 2
            elif piece in CLAUSE_MARKS:
                pending = max(pending, 1)
    return Folded(
        "".join(text), tuple(origin), _number(breaks, 1), _number(breaks, 2),
    )


def _number(breaks: list[int], level: int) -> tuple[int, ...]:
    """Number the segments split at breaks of at least `level`.

    A break next to a segment shorter than MIN_CLAUSE is ignored: punctuation
    between single characters (公，司，领，导) is evasion, not structure.
    """
    starts = [i for i, b in enumerate(breaks) if b >= level and i > 0]
    bounds = [0, *starts, len(breaks)]
    lengths = [bounds[k + 1] - bounds[k] for k in range(len(bounds) - 1)]
    numbers: list[int] = []
    current = 0
    merged = 0  # length of the current segment after merging short ones into it
    for k, length in enumerate(lengths):
        if k > 0 and merged >= MIN_CLAUSE and length >= MIN_CLAUSE:
            current += 1
            merged = 0
        merged += length
        numbers.extend([current] * length)
    return tuple(numbers)


def _between_digits(source: str, index: int) -> bool:
    # 8.5, 22:00 and 1.2.3 are numbers, not sentence ends.
    return 0 < index < len(source) - 1 and source[index - 1].isdigit() and source[index + 1].isdigit()


def line_col(source: str, index: int) -> tuple[int, int]:
    """1-based line and column, in characters, of `index` in `source`."""
    line = source.count("\n", 0, index) + 1
    start = source.rfind("\n", 0, index) + 1
    return line, index - start + 1


_SPACE = re.compile(r"\s+")


def plain(text: str) -> str:
    """Collapse whitespace, for short quotes of a finding in a report."""
    return _SPACE.sub(" ", text).strip()
