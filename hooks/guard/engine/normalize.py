"""Fold a text into the form the guard matches against, keeping a map back to the source.

The folds defeat the usual evasions: full-width forms and Kangxi radicals (NFKC),
zero-width and other invisible characters, traditional characters, letter case,
and spaces or punctuation inserted between characters. Matching runs on the
compact text; each compact character maps back to the source character it came
from, so findings point at the real line and column.

Speed: every distinct character is folded once and remembered in a translate
table, so a text is folded by str.translate, not character by character.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
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


class Folded:
    """A compact, folded view of a source text.

    `text` holds letters, digits and ideographs only: what patterns match.
    Clauses and sentences are kept as sorted start offsets into `text`; the
    map back to source indices is built only when a finding needs it, since
    on clean text nothing does.
    """

    __slots__ = ("text", "clause_starts", "sentence_starts", "_prepared", "_origin")

    def __init__(self, text: str, clause_starts: list[int], sentence_starts: list[int], prepared: str) -> None:
        self.text = text
        self.clause_starts = clause_starts
        self.sentence_starts = sentence_starts
        self._prepared = prepared
        self._origin: list[int] | None = None

    @property
    def origin(self) -> list[int]:
        """origin[i] = index in the source of text[i]."""
        if self._origin is None:
            marks = {_CLAUSE, _SENTENCE}
            self._origin = [
                index for index, char in enumerate(self._prepared)
                for piece in (_TABLE.get(ord(char)) or "") if piece not in marks
            ]
        return self._origin

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source [start, end) covered by compact [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1

    def clause_of(self, index: int) -> int:
        return bisect_right(self.clause_starts, index) - 1

    def sentence_of(self, index: int) -> int:
        return bisect_right(self.sentence_starts, index) - 1

    def clause_span(self, number: int) -> tuple[int, int]:
        return _span(self.clause_starts, number, len(self.text))

    def sentence_span(self, number: int) -> tuple[int, int]:
        return _span(self.sentence_starts, number, len(self.text))

    # Per-character views, for tests and diagnostics.
    @property
    def clause(self) -> tuple[int, ...]:
        return tuple(self.clause_of(i) for i in range(len(self.text)))

    @property
    def sentence(self) -> tuple[int, ...]:
        return tuple(self.sentence_of(i) for i in range(len(self.text)))


def _span(starts: list[int], number: int, length: int) -> tuple[int, int]:
    return starts[number], starts[number + 1] if number + 1 < len(starts) else length


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


# In the prepared text, stand-ins that keep every offset: a block-break newline
# becomes U+2029, and a dot between digits (8.5, 1.2.3) a character that folds away.
_PARAGRAPH = "\u2029"
_QUIET = "\u200b"
_DECIMAL_DOT = re.compile(r"(?<=\d)\.(?=\d)")
# Marks left in the folded text, then split out into clause and sentence starts.
_CLAUSE, _SENTENCE = "\x1f", "\x1e"
_MARKS = re.compile("([\x1e\x1f]+)")

# Every character seen so far -> its folded form with marks (None: dropped).
_TABLE: dict[int, str | None] = {ord("\n"): None, ord(_PARAGRAPH): _SENTENCE, ord(_QUIET): None}
_KNOWN: set[str] = {"\n", _PARAGRAPH, _QUIET}  # the same characters, for a set difference


def _learn(chars: set[str]) -> None:
    for char in chars - _KNOWN:
        _KNOWN.add(char)
        pieces = []
        for piece in fold_char(char):
            if _is_kept(piece):
                pieces.append(piece)
            elif piece in SENTENCE_MARKS:
                pieces.append(_SENTENCE)
            elif piece in CLAUSE_MARKS:
                pieces.append(_CLAUSE)
        _TABLE[ord(char)] = "".join(pieces) or None


def fold(source: str) -> Folded:
    """Fold `source` into its compact matching form."""
    prepared = _DECIMAL_DOT.sub(_QUIET, _BLOCK_BREAK.sub(_PARAGRAPH, source))
    _learn(set(prepared))
    parts = _MARKS.split(prepared.translate(_TABLE))
    segments, separators = parts[0::2], parts[1::2]
    lengths = [len(segment) for segment in segments]
    levels = [2 if _SENTENCE in separator else 1 for separator in separators]
    return Folded(
        "".join(segments), _starts(lengths, levels, 1), _starts(lengths, levels, 2), prepared,
    )


def fold_text(source: str) -> str:
    """`fold(source).text` without the clause and sentence structure: each character
    folds on its own, so this is the same string, several times faster (the learned
    signal folds every sentence of every page)."""
    _learn(set(source))
    return _MARKS.sub("", source.translate(_TABLE))


def _starts(lengths: list[int], levels: list[int], level: int) -> list[int]:
    """Start offsets of the units split at marks of at least `level`.

    A mark next to a unit shorter than MIN_CLAUSE is ignored: punctuation
    between single characters (公，司，领，导) is evasion, not structure.
    """
    # Segments between marks of at least this level.
    units: list[int] = []
    current = lengths[0]
    for length, mark in zip(lengths[1:], levels):
        if mark >= level:
            units.append(current)
            current = 0
        current += length
    units.append(current)
    starts = [0]
    position = merged = 0
    for index, length in enumerate(units):
        if index > 0 and merged >= MIN_CLAUSE and length >= MIN_CLAUSE:
            starts.append(position)
            merged = 0
        merged += length
        position += length
    return starts


def line_col(source: str, index: int) -> tuple[int, int]:
    """1-based line and column, in characters, of `index` in `source`."""
    line = source.count("\n", 0, index) + 1
    start = source.rfind("\n", 0, index) + 1
    return line, index - start + 1


_SPACE = re.compile(r"\s+")


def plain(text: str) -> str:
    """Collapse whitespace, for short quotes of a finding in a report."""
    return _SPACE.sub(" ", text).strip()
