"""The guard's learned signal: a linear model over character n-grams, trained
on the labelled corpus (hooks/guard/data/corpus/).

Phrase rules catch what they were written from; this catches wording nobody
listed. It scores each sentence-like unit of a text (a line, or a sentence
within it). A unit that scores at or above the threshold becomes a finding that
names the category the model predicts, how sure it is, and the closest corpus
examples, so a trainer sees why. A rule match in a unit the model is confident
is sound (below VETO: a court's account, a customer's complaint, a prohibition
phrased in a way no cue lists) is not reported; every rule's flag specs must
still be caught with the model in place (guard.engine.load checks).

Training is deterministic and happens only when the corpus (or this code, or
the library versions) changes; the fitted model is cached outside the
repository. The threshold is calibrated on cross-validated scores of the
training files: the score at which sound training text is flagged at most
TARGET_FALSE_POSITIVES of the time. Validation and held-out files never reach `fit`.

A false positive is fixed by adding a reviewed sentence to the corpus.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from guard.engine import ngrams, normalize
from guard.engine.ngrams import NgramTable
from guard.engine.normalize import fold_text

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "corpus"
# Training files fit the model; validation files chose the threshold target and the veto;
# held-out files only measure it.
TRAIN_GLOB, VALID_GLOB, HELDOUT_GLOB = "train-*.tsv", "valid-*.tsv", "heldout-*.tsv"
COLUMNS = ("label", "rule", "hard", "form", "text")
FORMS = {"sms", "chat", "call", "deck", "script", "news", "notice", "lesson", "customer"}
_RULE = re.compile(r"C(0[1-9]|1[0-4])")

# Cross-validated false-positive rate the threshold is set for.
TARGET_FALSE_POSITIVES = 0.015
# Below this score the model is confident a unit is sound: a rule match in it is not reported.
VETO = 0.2
# In a unit this long (Chinese characters: a training-deck paragraph), one clause can teach
# a tactic the rest dilutes: a rule match there is judged by its own clause too.
LONG_UNIT = 40
FOLDS = 5
# Units with fewer Chinese characters than this carry too little to judge.
MIN_UNIT = 6
# How many corpus examples a finding quotes.
NEIGHBOURS = 2
# Bump when features or training change in a way the code hash would not show.
FORMAT = 5

# A unit is a line, or a sentence within a line: short enough to judge one message.
_UNIT = re.compile(r"[^\n。！？!?；;]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Quoting is context a model should see (法院查明被告人发送“……”): folding drops punctuation, so mark it.
_QUOTES = re.compile(r"[“”\"「」『』‘’]")
_CLAUSE = re.compile(r"[^，,、：:“”\"]+")


class CorpusError(Exception):
    """The corpus is missing or malformed: the guard must not run without its model."""


@dataclass(frozen=True)
class Example:
    label: int
    rule: str  # C01–C14, or "-" for sound text
    hard: bool
    form: str
    text: str
    where: str  # file:line, for messages


@dataclass(frozen=True)
class Signal:
    """Why the model flagged a unit."""

    category: str
    score: float  # probability that the unit is coercive
    runner_up: str  # second most likely category
    neighbours: tuple[str, ...]  # closest coercive corpus examples


@dataclass(frozen=True)
class Unit:
    start: int  # in the scanned text
    end: int
    score: float  # probability that the unit is coercive
    prepared: str  # what the model read
    # Set when the score reaches the threshold: the likeliest category and the next.
    category: str | None = None
    runner_up: str | None = None


# -----------------------------------------------------------------------------
# Corpus
# -----------------------------------------------------------------------------


def read_corpus(path: Path) -> list[Example]:
    """One TSV file of labelled examples; malformed rows fail, naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(f"{path}: 无法读取语料文件：{error}") from None
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise CorpusError(f"{path}:1: 语料文件的表头必须是 {' '.join(COLUMNS)}（以制表符分隔）")
    examples = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        where = f"{path.name}:{number}"
        if len(row) != len(COLUMNS):
            raise CorpusError(f"{path}:{number}: 应有 {len(COLUMNS)} 列，实际 {len(row)} 列")
        label, rule, hard, form, sentence = (cell.strip() for cell in row)
        if label not in {"0", "1"}:
            raise CorpusError(f"{path}:{number}: label 必须是 0 或 1，实际为 {label!r}")
        if label == "1" and not _RULE.fullmatch(rule):
            raise CorpusError(f"{path}:{number}: 胁迫性例句的 rule 必须是 C01–C14，实际为 {rule!r}")
        if label == "0" and rule != "-":
            raise CorpusError(f"{path}:{number}: 合规例句的 rule 必须是 -，实际为 {rule!r}")
        if hard not in {"0", "1"} or form not in FORMS:
            raise CorpusError(f"{path}:{number}: hard 必须是 0/1，form 必须是 {'/'.join(sorted(FORMS))} 之一")
        if len(_HAN.findall(sentence)) < 2:
            raise CorpusError(f"{path}:{number}: 例句太短或没有中文：{sentence!r}")
        examples.append(Example(int(label), rule, hard == "1", form, sentence, where))
    return examples


def corpus_files(directory: Path, pattern: str) -> list[Path]:
    files = sorted(directory.glob(pattern))
    if not files:
        raise CorpusError(f"{directory}: 没有找到语料文件 {pattern}，守卫拒绝在没有学习信号的情况下运行")
    return files


def read_all(directory: Path, pattern: str) -> list[Example]:
    return [example for path in corpus_files(directory, pattern) for example in read_corpus(path)]


# -----------------------------------------------------------------------------
# Features and fitting
# -----------------------------------------------------------------------------


def prepare(text: str) -> str:
    """What the model reads: the guard's folded view (simplified, lower case,
    no spaces, punctuation or invisible characters), as the rules see it, with
    quotation marks kept as a letter."""
    return fold_text(_QUOTES.sub(" q ", text))


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Character 1–4-grams: Chinese words without a segmenter, and robust to the
    # odd character left by an evasion. (jieba words added nothing in
    # cross-validation and cost ten times the scanning time.)
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 4), min_df=2, sublinear_tf=True)


def _detector():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=32.0, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=0)


def _categorizer():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=8.0, solver="lbfgs", max_iter=3000, random_state=0)


class Model:
    """A fitted detector (coercive or not), categorizer (which C-rule) and the
    coercive examples it quotes as neighbours."""

    def __init__(self, examples: list[Example], *, threshold: float | None = None) -> None:
        import numpy as np

        self.examples = [e for e in examples if e.label == 1]
        texts = [prepare(e.text) for e in examples]
        labels = np.array([e.label for e in examples])
        self.vectorizer = _vectorizer().fit(texts)
        matrix = self.vectorizer.transform(texts)
        self.detector = _detector().fit(matrix, labels)
        coercive = labels == 1
        self.categorizer = _categorizer().fit(matrix[coercive], [e.rule for e in examples if e.label == 1])
        self.neighbour_matrix = matrix[coercive]
        self.threshold = threshold if threshold is not None else 0.5
        # Scanning scores every unit of every page: the same detector as sorted n-gram
        # keys (ngrams.py), scored a page at a time with numpy, without scikit-learn.
        self.table = NgramTable(self.vectorizer.vocabulary_, self.vectorizer.idf_,
                                self.detector.coef_.ravel(), self.vectorizer.ngram_range[1])
        # The categorizer's weights as a plain array: naming a category needs numpy only.
        self.category_weights = self.categorizer.coef_.astype("float32")
        self.category_bias = self.categorizer.intercept_.astype("float32")
        self.classes = [str(c) for c in self.categorizer.classes_]
        self.intercept = float(self.detector.intercept_[0])

    def scores(self, texts: list[str]):
        """P(coercive) and category probabilities for already-prepared texts."""
        matrix = self.vectorizer.transform(texts)
        return matrix, self.detector.predict_proba(matrix)[:, 1], self.categorizer.predict_proba(matrix)

    def score(self, text: str) -> float:
        """P(coercive) for one prepared text: the detector's score, computed directly."""
        return float(_probabilities(self.table.margins([text], self.intercept))[0])

    def neighbours(self, text: str, category: str) -> tuple[str, ...]:
        """The coercive corpus examples of `category` closest to a prepared text."""
        import numpy as np

        vector = self.vectorizer.transform([text])
        similarity = (self.neighbour_matrix @ vector.T).toarray().ravel()
        ranked = [i for i in np.argsort(-similarity) if self.examples[i].rule == category][:NEIGHBOURS]
        return tuple(self.examples[i].text for i in ranked)


def _probabilities(margins):
    import numpy as np

    return 1.0 / (1.0 + np.exp(-margins))


class Scorer:
    """What scanning needs: the detector's exact score from the n-gram table, with no
    scikit-learn import. The full Model (categories, neighbours) loads only when
    a unit is flagged and has to be explained. Scores are remembered by text:
    a page's source and rendered text, and boilerplate across pages, repeat."""

    MEMO = 200_000

    def __init__(self, model: Model, full_path: Path | None = None) -> None:
        self.table, self.intercept = model.table, model.intercept
        self.threshold = model.threshold
        self.category_weights, self.category_bias = model.category_weights, model.category_bias
        self.classes = model.classes
        self._full: Model | None = model
        self._full_path = full_path
        self._memo: dict[str, float] = {}

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_full": None, "_memo": {}}

    def full(self) -> Model:
        if self._full is None:
            try:
                with self._full_path.open("rb") as handle:
                    self._full = pickle.load(handle)
            except (OSError, pickle.PickleError, AttributeError, EOFError) as error:
                raise CorpusError(f"{self._full_path}: 无法读取已训练的模型：{error}") from None
        return self._full

    def __getattr__(self, name: str):
        # examples, scores, categorizer …: the full model's, loaded on first use.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def score(self, text: str) -> float:
        return self.score_many([text])[0]

    def score_many(self, texts: list[str]) -> list[float]:
        """P(coercive) for prepared texts: the new ones scored together, in one pass."""
        new = list(dict.fromkeys(text for text in texts if text not in self._memo))
        if new:
            if len(self._memo) + len(new) > self.MEMO:
                self._memo.clear()
            self._memo.update(zip(new, _probabilities(self.table.margins(new, self.intercept)).tolist()))
        return [self._memo[text] for text in texts]

    def categories(self, text: str) -> tuple[str, str]:
        """The likeliest category of a prepared text, and the next."""
        import numpy as np

        _, rows, values = self.table.features([text])
        logits = self.category_bias + self.category_weights[:, self.table.columns[rows]] @ values.astype("float32")
        first, second = np.argsort(-logits)[:2]
        return self.classes[first], self.classes[second]

    def neighbours(self, text: str, category: str) -> tuple[str, ...]:
        return self.full().neighbours(text, category)


def cross_validated_scores(examples: list[Example], folds: int = FOLDS):
    """Out-of-fold P(coercive) and predicted category for every example (deterministic folds)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([e.label for e in examples])
    scores = np.zeros(len(examples))
    categories = np.array(["-"] * len(examples), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(np.zeros(len(examples)), labels):
        model = Model([examples[i] for i in train])
        _, fold_scores, fold_categories = model.scores([prepare(examples[i].text) for i in test])
        scores[test] = fold_scores
        categories[test] = model.categorizer.classes_[fold_categories.argmax(axis=1)]
    return scores, categories


def calibrate(examples: list[Example]) -> float:
    """The lowest threshold whose cross-validated false-positive rate is at most the target."""
    import numpy as np

    scores, _ = cross_validated_scores(examples)
    sound = np.sort(scores[np.array([e.label == 0 for e in examples])])[::-1]
    allowed = int(TARGET_FALSE_POSITIVES * len(sound))
    # Just above the (allowed+1)-th highest sound score, and never below an even bet.
    return float(max(0.5, np.nextafter(sound[allowed], 1.0))) if len(sound) > allowed else 0.5


def train(examples: list[Example]) -> Model:
    return Model(examples, threshold=calibrate(examples))


# -----------------------------------------------------------------------------
# Cache
# -----------------------------------------------------------------------------


def cache_dir() -> Path:
    configured = os.environ.get("KB_GUARD_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kb-guard"


def _digest(files: list[Path], extra: tuple[Example, ...]) -> str:
    from importlib.metadata import version

    # Versions from package metadata: importing scikit-learn just to read them costs a second.
    digest = hashlib.sha256(f"{FORMAT} {version('scikit-learn')} {version('numpy')}".encode())
    # This code, the table it pickles and the folding it reads through: a change to any trains afresh.
    for module in (Path(__file__), Path(ngrams.__file__), Path(normalize.__file__)):
        digest.update(module.read_bytes())
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    for example in extra:
        digest.update(f"{example.label}\t{example.rule}\t{example.text}\n".encode("utf-8"))
    return digest.hexdigest()[:24]


@lru_cache(maxsize=2)
def load_model(directory: Path = CORPUS_DIR, extra: tuple[Example, ...] = ()) -> Scorer:
    """The model for this corpus (plus `extra` examples, such as the rules' specs):
    from the cache, or trained now and cached."""
    if importlib.util.find_spec("sklearn") is None:
        raise CorpusError("scikit-learn 无法导入：守卫的学习信号需要它（见 requirements.txt）")
    files = corpus_files(directory, TRAIN_GLOB)
    digest = _digest(files, extra)
    scorer_path, full_path = (cache_dir() / f"model-{digest}.{part}.pickle" for part in ("scorer", "full"))
    if scorer_path.is_file() and full_path.is_file():
        try:
            with scorer_path.open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - a torn or stale cache file: train again
            pass
    model = train([example for path in files for example in read_corpus(path)] + list(extra))
    # The full model first: a scorer on disk always has its explainer beside it.
    if _store(model, full_path):
        _store(Scorer(model, full_path), scorer_path)
    return Scorer(model, full_path)


def _store(value: object, path: Path) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: parallel builds never read half a file.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
        return True
    except OSError:
        return False  # no cache: the next build trains again, slower but just as checked


# -----------------------------------------------------------------------------
# Scanning
# -----------------------------------------------------------------------------


def units(source: str) -> list[tuple[int, int, str]]:
    """(start, end, prepared text) of each unit worth judging: prose, not word lists."""
    found = []
    for match in _UNIT.finditer(source):
        if _is_word_list(match.group()):
            continue  # a search synonym line or a tag list: the rules check its words
        prepared = prepare(match.group())
        if len(_HAN.findall(prepared)) >= MIN_UNIT:
            found.append((match.start(), match.end(), prepared))
    return found


def _is_word_list(unit: str) -> bool:
    words = unit.split()
    return len(words) >= 3 and all(len(word) <= 8 for word in words)


def score_around(source: str, start: int, end: int, units: list[Unit], model: Scorer) -> float | None:
    """The model's score for the text around source[start:end] (None: no unit there)."""
    around = [unit for unit in units if unit.start < end and start < unit.end]
    if not around:
        return None
    score = max(unit.score for unit in around)
    for unit in around:
        if len(_HAN.findall(source, unit.start, unit.end)) < LONG_UNIT:
            continue
        for clause in _CLAUSE.finditer(source, unit.start, unit.end):
            if clause.start() < end and start < clause.end() and len(_HAN.findall(clause.group())) >= 4:
                score = max(score, model.score(prepare(clause.group())))
    return score


def judged_units(source: str, model: Scorer) -> list[Unit]:
    """Every unit of `source` worth judging, scored, with categories where flagged, in source order."""
    judged = []
    for unit in scored_units(source, model):
        if unit.score >= model.threshold:
            unit = Unit(unit.start, unit.end, unit.score, unit.prepared, *model.categories(unit.prepared))
        judged.append(unit)
    return judged


def scored_units(source: str, model: Scorer) -> list[Unit]:
    """Every unit of `source` worth judging, scored only."""
    found = units(source)
    scores = model.score_many([prepared for _, _, prepared in found])
    return [Unit(start, end, score, prepared) for (start, end, prepared), score in zip(found, scores)]
