"""The guard measured on labelled text it was not written from: the public set
and the raw seed document."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from guard.engine.load import load
from guard.engine.match import scan_text
from guard.engine.normalize import line_col

RULES = load()


def errors(text: str) -> list:
    return [f for f in scan_text(text, RULES) if f.rule.level == "error"]


def test_public_labelled_set(shared: Path) -> None:
    with (shared / "eval" / "coercion-public.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    positives = [r for r in rows if r["label"] == "1"]
    negatives = [r for r in rows if r["label"] == "0"]
    hard = [r for r in negatives if r["hard"] == "1"]
    misses = [r["text"] for r in positives if not errors(r["text"])]
    false_positives = [r["text"] for r in negatives if errors(r["text"])]
    hard_false_positives = [r["text"] for r in hard if errors(r["text"])]
    wrong_rule = [r["text"] for r in positives if errors(r["text"])
                  and r["rule"] not in {f.rule.id for f in errors(r["text"])}]

    recall = 1 - len(misses) / len(positives)
    fpr = len(false_positives) / len(negatives)
    hard_fpr = len(hard_false_positives) / len(hard)
    print(f"\npublic set: recall {recall:.3f} ({len(positives) - len(misses)}/{len(positives)}), "
          f"FPR {fpr:.3f} ({len(false_positives)}/{len(negatives)}), "
          f"hard near-miss FPR {hard_fpr:.3f} ({len(hard_false_positives)}/{len(hard)}), "
          f"flagged under another rule {len(wrong_rule)}")
    for text in misses:
        print("  missed:", text)
    for text in false_positives:
        print("  false positive:", text)
    assert recall >= 0.95, misses
    assert fpr <= 0.03, false_positives
    assert hard_fpr <= 0.10, hard_false_positives


# Line numbers in the seed document (shared/seed/000_741e331e7003176b.txt), read
# by a person: passages that teach coercion, and passages of sound guidance.
SEED_COERCIVE_LINES = {23, 25, 80, 101, 102, 107, 113, 114, 196, 200, 201, 226, 227, 281}
SEED_SOUND_LINES = (
    set(range(1, 23)) | set(range(27, 54)) | set(range(81, 85)) | set(range(88, 94))
    | {116, 117, 127, 128, 133, 134} | set(range(138, 154)) | set(range(184, 187))
    | {192, 193} | set(range(208, 223)) | set(range(229, 240)) | set(range(242, 250))
    | set(range(264, 274)) | {289, 292, 293, 298, 303, 307}
)


def test_seed_document_as_a_page(shared: Path) -> None:
    seed = next((shared / "seed").glob("*.txt")).read_text(encoding="utf-8")
    findings = errors(seed)
    flagged_lines = {line_col(seed, f.start)[0] for f in findings}
    counts = Counter(f.rule.id for f in findings)
    print(f"\nseed: {len(findings)} findings on {len(flagged_lines)} lines; by rule: "
          + ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items())))
    assert SEED_COERCIVE_LINES - flagged_lines == set(), "coercive passages not flagged"
    assert flagged_lines & SEED_SOUND_LINES == set(), "sound guidance flagged"
