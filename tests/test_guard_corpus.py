"""The guard's labelled corpus and its learned signal: held-out thresholds, the
evidence a learned finding shows, counterexample blocks, and failing closed."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import DOCS, ROOT, copy_project, run_build
from guard.engine import classifier
from guard.engine.load import load, load_rules
from guard.engine.match import Suppression, scan_text
from guard.engine.normalize import fold_char
from guard.engine.rules import RuleError

GUARD = load()
RULES = load_rules()
TRAIN = classifier.read_all(classifier.CORPUS_DIR, classifier.TRAIN_GLOB)
# Validation files chose the threshold and the veto; held-out files chose nothing.
VALID = classifier.read_all(classifier.CORPUS_DIR, classifier.VALID_GLOB)
HELDOUT = classifier.read_all(classifier.CORPUS_DIR, classifier.HELDOUT_GLOB)


def is_traditional(text: str) -> bool:
    """Folding maps traditional characters to simplified: a text it changes used them."""
    return any(fold_char(char) != char.lower() and "\u4e00" <= char <= "\u9fff" for char in text)

# A threat no rule lists (checked below): only the learned signal can catch it.
UNLISTED = "这个月再拖着不处理，你家那边会出什么岔子我们可就不敢保证了"


def flagged(text: str, ruleset=GUARD) -> bool:
    return bool(scan_text(text, ruleset))


def test_corpus_is_large_varied_and_labelled_in_every_category() -> None:
    assert len(TRAIN) >= 10000 and len(VALID) >= 800 and len(HELDOUT) >= 450
    for examples in (TRAIN, VALID, HELDOUT):
        rules = Counter(e.rule for e in examples if e.label == 1)
        assert set(rules) == {f"C{n:02d}" for n in range(1, 15)}, rules
        assert min(rules.values()) >= 10
        assert sum(e.label == 0 and e.hard for e in examples) >= 150
        forms = Counter(e.form for e in examples)
        assert len(forms) >= 7 and forms["sms"] >= 40 and forms["chat"] >= 40
        written = [e for e in examples if not e.where.startswith("train-lessons")]
        share = sum(is_traditional(e.text) for e in written) / len(written)
        assert share >= 0.2, share


def test_evaluation_files_never_overlap_training() -> None:
    prepared = {classifier.prepare(e.text) for e in TRAIN}
    assert [e.where for e in VALID + HELDOUT if classifier.prepare(e.text) in prepared] == []


# Floors under the measured figures (docs/trainers/guard.md, 2026-12-01), so a regression fails:
# held-out recall 0.947 at 3.5 % false positives, validation 0.951 at 3.0 %. (The target
# is recall 0.95 at 3 % on the held-out files: not reached yet, see the guard page.)
@pytest.mark.parametrize(("name", "recall_floor", "false_positive_ceiling"), [
    ("validation", 0.94, 0.035), ("held-out", 0.935, 0.04),
])
def test_recall_and_false_positives(name: str, recall_floor: float, false_positive_ceiling: float) -> None:
    examples = VALID if name == "validation" else HELDOUT
    coercive = [e for e in examples if e.label == 1]
    sound = [e for e in examples if e.label == 0]
    recall = sum(flagged(e.text) for e in coercive) / len(coercive)
    false_positives = sum(flagged(e.text) for e in sound) / len(sound)
    print(f"\n{name}: recall {recall:.3f} of {len(coercive)}, false positives {false_positives:.3f} of {len(sound)}")
    assert recall >= recall_floor and false_positives <= false_positive_ceiling


def test_fast_score_is_the_detectors_own() -> None:
    texts = [classifier.prepare(e.text) for e in HELDOUT[:80]]
    _, reference, _ = GUARD.model.scores(texts)  # scikit-learn's pipeline, in the full model
    assert max(abs(GUARD.model.score(t) - r) for t, r in zip(texts, reference)) < 1e-9
    # A page's units scored together, repeats and empty texts included, give the same numbers.
    GUARD.model._memo.clear()
    together = GUARD.model.score_many(texts + texts[:5] + [""])
    assert max(abs(s - r) for s, r in zip(together, list(reference) + list(reference[:5]))) < 1e-9


def test_learned_signal_adds_what_the_rules_miss() -> None:
    coercive = [e for e in HELDOUT if e.label == 1]
    by_rules = sum(flagged(e.text, RULES) for e in coercive)
    by_guard = sum(flagged(e.text) for e in coercive)
    assert by_guard > by_rules


def test_a_learned_finding_names_category_confidence_and_closest_examples() -> None:
    assert scan_text(UNLISTED, RULES) == []
    (finding,) = scan_text(UNLISTED, GUARD)
    signal = finding.signal
    assert signal is not None and signal.category == finding.rule.id
    assert GUARD.model.threshold <= signal.score <= 1
    assert len(signal.neighbours) == classifier.NEIGHBOURS
    assert all(any(e.text == n and e.rule == signal.category for e in GUARD.model.examples) for n in signal.neighbours)


def test_counterexample_block_exempts_the_learned_signal_for_the_rules_it_names() -> None:
    (finding,) = scan_text(UNLISTED, GUARD)
    everywhere = (0, len(UNLISTED))
    assert scan_text(UNLISTED, GUARD, [Suppression(*everywhere, frozenset({finding.signal.category}))]) == []
    others = frozenset(f"C{n:02d}" for n in range(1, 15)) - {finding.signal.category, finding.signal.runner_up}
    assert scan_text(UNLISTED, GUARD, [Suppression(*everywhere, others)]) != []


def test_no_shipped_page_raises_the_learned_signal() -> None:
    raised = {page.relative_to(DOCS).as_posix(): [f.signal.category for f in scan_text(page.read_text("utf-8"), GUARD)
                                                  if f.signal is not None]
              for page in DOCS.rglob("*.md")}
    assert {page: found for page, found in raised.items() if found} == {}


def test_training_is_deterministic() -> None:
    sample = TRAIN[::7]
    first, second = classifier.Model(sample), classifier.Model(sample)
    texts = [classifier.prepare(e.text) for e in HELDOUT[:50]]
    assert (first.scores(texts)[1] == second.scores(texts)[1]).all()


@pytest.mark.parametrize(("content", "message"), [
    ("label\trule\ttext\n1\tC01\t再不还钱小心点\n", "表头"),
    ("label\trule\thard\tform\ttext\n2\tC01\t0\tsms\t再不还钱你就小心点\n", "label 必须是 0 或 1"),
    ("label\trule\thard\tform\ttext\n1\t-\t0\tsms\t再不还钱你就小心点\n", "rule 必须是 C01–C14"),
    ("label\trule\thard\tform\ttext\n0\t-\t0\tposter\t请按时还款谢谢\n", "form 必须是"),
    ("label\trule\thard\tform\ttext\n0\t-\t0\tsms\n", "应有 5 列"),
])
def test_malformed_corpus_is_refused_naming_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "train-bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(classifier.CorpusError, match=message) as error:
        classifier.read_corpus(path)
    assert "train-bad.tsv" in str(error.value)


def test_missing_corpus_stops_the_guard(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="学习信号无法加载"):
        load(corpus=tmp_path)


def test_build_fails_closed_without_its_corpus(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    shutil.rmtree(project / "hooks" / "guard" / "data" / "corpus")
    result = run_build(project)
    assert result.returncode != 0
    assert "没有找到语料文件" in result.stderr and "Traceback" not in result.stderr


def test_build_reports_a_learned_finding_with_its_evidence(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    page = project / "docs" / "conduct" / "etiquette.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{UNLISTED}。\n", encoding="utf-8")
    result = run_build(project)
    assert result.returncode != 0
    assert "docs/conduct/etiquette.md" in result.stderr and "学习信号判断，置信度" in result.stderr
    assert "最接近的语料" in result.stderr and "Traceback" not in result.stderr


def test_corpus_is_reviewed_like_the_rules() -> None:
    owners = (ROOT / "CODEOWNERS").read_text(encoding="utf-8")
    assert "/hooks/" in owners  # the corpus lives under hooks/guard/data/corpus
