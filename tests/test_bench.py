"""The benchmark's own machinery: a synthetic knowledge base that really builds,
and a results table that says what was measured. (Timings belong in `make bench`,
never in a test.)"""

from __future__ import annotations

import importlib.util
import json
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


def _search_scale():
    spec = importlib.util.spec_from_file_location("search_scale", ROOT / "bench" / "search_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_search_replica_indexes_every_copy(built_site: Path, tmp_path: Path) -> None:
    scale = _search_scale()
    replica = scale.replica(built_site, tmp_path / "replica", 300, lambda text: tuple(text.split()))
    kb = json.loads((replica / "search/search_index.json").read_text(encoding="utf-8"))["config"]["kb"]
    assert kb["pages"] == 302  # the lessons, the situations page and one trainer guide
    assert kb["first_trainer"] == 301 and kb["shards"] == len(list((replica / "search/kb").glob("t*.json")))
    chunks = sorted((replica / "search/kb").glob("p*.json"))
    rows = [row for path in chunks for row in json.loads(path.read_text(encoding="utf-8"))]
    assert len(rows) == 302 and sum(row[0].startswith("case-") for row in rows) == 300 - len(
        json.loads((built_site / "lessons.json").read_text(encoding="utf-8")))
    # The real pages stay: the browser measures a real page, only its search data grows.
    assert (replica / "conduct/opening/index.html").is_file()


def test_search_scale_table_reports_every_measure() -> None:
    scale = _search_scale()
    one = {"ready": [0.5, 0.6, 0.7], "bytes": 900_000, "search_bytes": 40_000, "median_ms": 30.0, "p95_ms": 60.0,
           "shards": 8, "index_bytes": 250_000, "pages": 45}
    results = {"real": one, 100: {**one, "pages": 102}, 5000: {**one, "ready": [0.6, 0.7, 0.8], "pages": 5002},
               "alternating": [(0.5, 0.6), (0.6, 0.6), (0.5, 0.7)]}
    table = scale.render(results, 3)
    assert "| 真实站点 | 45 | 0.25 MB | 8 | 0.60（0.50–0.70） | 900 KB | 40 KB | 30 / 60 |" in table
    assert "| 5000 课副本 | 5002 |" in table
    assert "比值 1.20" in table and "5000 课与 100 课的第一条结果时间之比：1.17" in table
    assert table.startswith(scale.START) and table.endswith(scale.END)
