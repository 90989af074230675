"""The benchmark's own machinery: a synthetic knowledge base that really builds,
and a results table that says what was measured. (Timings belong in `make bench`,
never in a test.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from conftest import ROOT, run_build


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_corpus_builds_strict_with_every_lesson(tmp_path: Path) -> None:
    bench = _bench()
    # Enough copies beyond the real lessons that every copy path is exercised.
    n = len(bench.real_lessons()) + 12
    project = bench.make_corpus(n, tmp_path / "corpus")
    lessons = [p for p in (project / "docs").rglob("*.md") if p.name != "index.md"
               and p.parent.name in bench.LESSON_DIRS]
    assert len(lessons) == n
    assert len(list((project / "docs").rglob("*-case-0011.md"))) == 1
    result = run_build(project)
    assert result.returncode == 0, result.stderr[-3000:]
    stock = project / "mkdocs-stock.yml"
    stock.write_text((project / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    bench.without_hooks(stock)
    assert "hooks/" not in stock.read_text(encoding="utf-8")


def test_results_table_reports_every_measure() -> None:
    bench = _bench()
    results = {500: {
        "build": {"ours": [10.0, 11.0, 12.0], "stock": [10.0, 10.0, 10.0], "memory": [200.0] * 3},
        "guard": {"mb": 4.2, "rates": [12.0, 13.0], "single_rates": [6.0, 6.5], "cli_seconds": [0.5, 0.6]},
        "index": {"raw": 8_000_000, "gzip": 200_000, "raw_per_lesson": 16_000, "gzip_per_lesson": 400},
        "search": {"ready": [1.2, 1.3], "median_ms": 55.0, "p95_ms": 90.0},
    }}
    table = bench.render(results, [("整个构建", 40.0), ("守卫", 2.0)])
    row = next(line for line in table.splitlines() if line.startswith("| 500 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == "11.00（10.00–12.00）" and cells[3] == "1.10"
    assert cells[5].startswith("12.50（12.00–13.00） / 6.25（6.00–6.50）")
    assert cells[7] == "8.00 MB / 0.20 MB" and cells[10] == "55 / 90"
    assert "| 守卫 | 2.0 |" in table
    assert table.startswith(bench.START) and table.endswith(bench.END)
