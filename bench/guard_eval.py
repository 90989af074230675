"""The guard on its labelled corpus: cross-validated and held-out recall and
false-positive rate, per category, written onto docs/trainers/guard.md.

    python bench/guard_eval.py            # measure, print, and rewrite the table on the page
    python bench/guard_eval.py --check    # measure and print only

Cross-validated: 5 folds over the training files; each fold's model never saw
the sentences it scores (the rules, though, were written from these files).
Validation: files never trained on, used to choose the threshold target and the
veto. Held-out: files nothing was fitted, tuned or chosen on. Both are scored by
the shipped guard (rules plus the model trained on all training files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from marked import replace_between  # noqa: E402

from guard.engine import classifier  # noqa: E402
from guard.engine.load import load, load_rules  # noqa: E402
from guard.engine.match import scan_text  # noqa: E402

PAGE = ROOT / "docs" / "trainers" / "guard.md"
START, END = "<!-- corpus-measures:start -->", "<!-- corpus-measures:end -->"
CATEGORIES = [f"C{n:02d}" for n in range(1, 15)]


def measure() -> dict:
    rules = load_rules()
    guard = load()
    train = classifier.read_all(classifier.CORPUS_DIR, classifier.TRAIN_GLOB)
    valid = classifier.read_all(classifier.CORPUS_DIR, classifier.VALID_GLOB)
    heldout = classifier.read_all(classifier.CORPUS_DIR, classifier.HELDOUT_GLOB)
    threshold = guard.model.threshold

    scores, _ = classifier.cross_validated_scores(train)
    by_rules = [bool(scan_text(e.text, rules)) for e in train]
    # As the guard combines them: a rule match counts unless the model is sure the sentence is sound.
    cv = [(e, (r and s >= classifier.VETO) or s >= threshold, r, s >= threshold)
          for e, r, s in zip(train, by_rules, scores)]

    def shipped(examples):
        rows = []
        for e in examples:
            units = classifier.judged_units(e.text, guard.model)
            rows.append((e, bool(scan_text(e.text, guard)), bool(scan_text(e.text, rules)),
                         any(u.category is not None for u in units)))
        return rows

    return {"cv": cv, "valid": shipped(valid), "heldout": shipped(heldout), "threshold": threshold,
            "train": len(train), "nvalid": len(valid), "held": len(heldout)}


def rates(rows) -> dict:
    """Recall per category and overall, false positives overall and on hard near-misses."""
    out = {}
    for column, name in ((1, "guard"), (2, "rules"), (3, "model")):
        coercive = [row for row in rows if row[0].label == 1]
        sound = [row for row in rows if row[0].label == 0]
        hard = [row for row in sound if row[0].hard]
        per = defaultdict(lambda: [0, 0])
        for row in coercive:
            per[row[0].rule][0] += row[column]
            per[row[0].rule][1] += 1
        out[name] = {
            "recall": _share(sum(row[column] for row in coercive), len(coercive)),
            "fp": _share(sum(row[column] for row in sound), len(sound)),
            "hard_fp": _share(sum(row[column] for row in hard), len(hard)),
            "per": {rule: _share(*per[rule]) for rule in CATEGORIES},
        }
    return out


def _share(hits: int, total: int) -> tuple[int, int]:
    return hits, total


def _fmt(pair: tuple[int, int]) -> str:
    hits, total = pair
    return f"{hits / total:.3f} ({hits}/{total})" if total else "—"


def render(results: dict) -> str:
    cv, valid, held = rates(results["cv"]), rates(results["valid"]), rates(results["heldout"])
    lines = [
        START,
        "",
        f"测量于 {dt.date.today().isoformat()}（{platform.python_version()}，`make guard-eval`）："
        f"训练语料 {results['train']} 句（另加规则样例），验证语料 {results['nvalid']} 句，留出语料 {results['held']} 句；"
        f"学习信号的阈值 {results['threshold']:.3f}，否决线 {classifier.VETO}。",
        "",
        "| 测量 | 召回率（整体） | 误报率（全部合规句） | 误报率（难例） |",
        "| --- | --- | --- | --- |",
    ]
    for label, table in (("交叉验证", cv), ("验证语料", valid), ("留出语料", held)):
        for name, shown in (("guard", "守卫"), ("rules", "仅规则"), ("model", "仅学习信号")):
            t = table[name]
            lines.append(f"| {label} · {shown} | {_fmt(t['recall'])} | {_fmt(t['fp'])} | {_fmt(t['hard_fp'])} |")
    lines += ["", "| 类别 | 交叉验证召回率（守卫） | 验证召回率（守卫） | 留出召回率（守卫） | 留出召回率（仅规则） |",
              "| --- | --- | --- | --- | --- |"]
    for rule in CATEGORIES:
        lines.append(f"| {rule} | {_fmt(cv['guard']['per'][rule])} | {_fmt(valid['guard']['per'][rule])} "
                     f"| {_fmt(held['guard']['per'][rule])} | {_fmt(held['rules']['per'][rule])} |")
    lines += ["", END]
    return "\n".join(lines)


def write(table: str) -> None:
    replace_between(PAGE, START, END, table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="只测量并打印，不改写页面")
    args = parser.parse_args()
    table = render(measure())
    print(table)
    if not args.check:
        write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
