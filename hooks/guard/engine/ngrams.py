"""The learned signal's features for many texts at once, with numpy.

The detector is a logistic model over l2-normalised, sublinear tf-idf character
1–4-grams. Scoring a page unit by unit in Python costs most of the guard's
scanning time; here every n-gram of every unit of a page is looked up in one
pass of array operations. The result is the same number scikit-learn's
pipeline gives (tests compare them), computed without importing it.

Each character of the vocabulary gets a 16-bit code; an n-gram of up to four
characters packs into one 64-bit key, first character in the highest bits.
Characters the vocabulary never saw get UNKNOWN, which no key contains, so any
n-gram through them (or through the separator between texts) finds nothing.
"""

from __future__ import annotations

import numpy as np

UNKNOWN = 0xFFFF
_BITS = 16
_LONGEST = 4  # four 16-bit codes fill a 64-bit key


class NgramTable:
    """Vocabulary n-grams as sorted 64-bit keys, with each one's idf, detector
    weight and column in the fitted vectorizer."""

    def __init__(self, vocabulary: dict[str, int], idf, weights, longest: int) -> None:
        if longest > _LONGEST:
            raise ValueError(f"n-grams longer than {_LONGEST} characters do not fit a 64-bit key")
        if any(len(gram) > 1 and gram[:-1] not in vocabulary for gram in vocabulary):
            # features() extends only n-grams it found; pruning by frequency alone keeps every prefix.
            raise ValueError("the vocabulary lacks some n-grams' prefixes (pruned by more than frequency?)")
        alphabet = sorted({char for gram in vocabulary for char in gram})
        if len(alphabet) >= UNKNOWN:
            raise ValueError(f"the vocabulary has {len(alphabet)} characters; at most {UNKNOWN - 1} fit")
        self.alphabet = "".join(alphabet)
        self.longest = longest
        code = {char: number for number, char in enumerate(alphabet, start=1)}
        keys = np.array([_key([code[char] for char in gram]) for gram in vocabulary], dtype=np.uint64)
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
        order = np.argsort(keys)
        self.keys = keys[order]
        self.columns = columns[order]
        self.idf = np.asarray(idf, dtype=np.float64)[self.columns]
        self.weights = np.asarray(weights, dtype=np.float64)[self.columns]
        self._codes: np.ndarray | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_codes": None}  # rebuilt on first use

    def features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every (text, n-gram) pair present: the text's index, the n-gram's
        row in this table, and its l2-normalised sublinear tf-idf value."""
        if not texts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        # One string, texts separated (and the end padded) by a character no n-gram contains.
        joined = "\0".join(texts) + "\0" * self.longest
        codes = self._lookup()[np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)].astype(np.uint64)
        starts = len(codes) - self.longest
        owner = np.repeat(np.arange(len(texts)), [len(text) + 1 for text in texts])[:starts]
        # Only where the (k-1)-gram was found can a k-gram be: with min_df pruning every
        # prefix of a vocabulary n-gram is in the vocabulary too. Each round looks up fewer.
        where = np.arange(starts)
        key = np.zeros(starts, dtype=np.uint64)
        found_rows, found_owner = [], []
        for size in range(1, self.longest + 1):
            key |= codes[where + (size - 1)] << np.uint64(_BITS * (_LONGEST - size))
            rows = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
            hit = self.keys[rows] == key
            where, key = where[hit], key[hit]
            found_rows.append(rows[hit])
            found_owner.append(owner[where])
        rows, owner = np.concatenate(found_rows), np.concatenate(found_owner)
        pairs, counts = np.unique(owner * len(self.keys) + rows, return_counts=True)
        owner, rows = np.divmod(pairs, len(self.keys))
        values = (1.0 + np.log(counts)) * self.idf[rows]
        norms = np.sqrt(np.bincount(owner, values * values, minlength=len(texts)))
        return owner, rows, values / np.where(norms > 0, norms, 1.0)[owner]

    def margins(self, texts: list[str], intercept: float) -> np.ndarray:
        """The detector's decision value for each text."""
        owner, rows, values = self.features(texts)
        return intercept + np.bincount(owner, values * self.weights[rows], minlength=len(texts))

    def _lookup(self) -> np.ndarray:
        # Code point -> character code: one 2 MB array, built once per process.
        if self._codes is None:
            codes = np.full(0x110000, UNKNOWN, dtype=np.uint16)
            codes[[ord(char) for char in self.alphabet]] = np.arange(1, len(self.alphabet) + 1, dtype=np.uint16)
            codes[0] = UNKNOWN  # the separator, whatever the vocabulary holds
            self._codes = codes
        return self._codes


def _key(codes: list[int]) -> int:
    key = 0
    for place, code in enumerate(codes):
        key |= code << (_BITS * (_LONGEST - 1 - place))
    return key
