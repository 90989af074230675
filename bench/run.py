"""Benchmarks: build, guard and search as the knowledge base grows.

    python bench/run.py                 # N = 100, 500, 1000; writes docs/trainers/performance.md
    python bench/run.py --sizes 100 --runs 1 --no-write   # a quick look

For each N it generates a synthetic knowledge base from the real lessons (each
copy varied: title, description, an opening sentence, tags; links stay valid),
then measures, alternating runs in one session:

1. build time with the project's hooks vs a stock Material build of the same
   corpus (hooks removed), as a ratio;
2. guard throughput of the command-line check over the corpus (MB/s);
3. search index size, raw and gzip, total and per lesson;
4. search in headless Chromium (N = 100 and 500): time until the index is
   ready after page load, and query latency over the golden queries;
5. peak memory of the build.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from marked import replace_between  # noqa: E402

from lessons import LESSON_DIRS, split  # noqa: E402

PARTS = ("mkdocs.yml", "docs", "hooks", "includes", "overrides", "search", "published-urls.txt")
PAGE = ROOT / "docs" / "trainers" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


# -----------------------------------------------------------------------------
# Corpus
# -----------------------------------------------------------------------------


def real_lessons() -> list[Path]:
    return sorted(p for d in LESSON_DIRS for p in (ROOT / "docs" / d).glob("*.md") if p.name != "index.md")


def make_corpus(n: int, where: Path) -> Path:
    """A copy of the project whose docs hold `n` lessons: the real ones plus varied copies."""
    where.mkdir(parents=True)
    for part in PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, where / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, where / part)
    config = (where / "mkdocs.yml").read_text(encoding="utf-8")
    # A large knowledge base lists its pages by folder: let MkDocs build the nav.
    config = re.sub(r"\nnav:\n(?:  .*\n|\n)*", "\n", config)
    (where / "mkdocs.yml").write_text(config, encoding="utf-8")
    lessons = real_lessons()
    for index in range(n - len(lessons)):
        base = lessons[index % len(lessons)]
        text = base.read_text(encoding="utf-8")
        source = split(text, str(base))
        number = index + 1
        meta_block = text[: text.index("\n---", 4) + 4]
        body = text[len(meta_block):]
        meta_block = re.sub(r"^title: (.*)$", rf"title: \1（案例 {number}）", meta_block, count=1, flags=re.M)
        meta_block = re.sub(r"^description: (.*)。$", rf"description: \1（{number}）。", meta_block, count=1, flags=re.M)
        meta_block = meta_block.replace("tags:\n", f"tags:\n  - 案例{number}\n", 1)
        variant = (f"\n本课是第 {number} 号培训案例，情境与《{source.meta.get('title')}》相同，"
                   f"请结合所在团队第 {number % 7 + 1} 组的通话记录练习。\n")
        body = body.replace("## 为什么 {#why}\n", "## 为什么 {#why}\n" + variant, 1)
        target = base.with_name(f"{base.stem}-case-{number:04d}.md")
        (where / target.relative_to(ROOT)).write_text(meta_block + body, encoding="utf-8")
    return where


def without_hooks(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"\nhooks:\n(?:  - .*\n)+", "\n", text), encoding="utf-8")


# -----------------------------------------------------------------------------
# Measurements
# -----------------------------------------------------------------------------


def timed_build(project: Path, config: str) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one `mkdocs build` in a fresh process."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '-q', '-f', {config!r}, "
        "'-d', 'site-bench'], capture_output=True, text=True)\n"
        "elapsed = time.perf_counter() - t\n"
        "if r.returncode: sys.exit(r.stderr[-3000:])\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"})
    if result.returncode:
        raise SystemExit(f"build failed in {project}:\n{result.stderr}")
    elapsed, rss_kb = result.stdout.split()
    return float(elapsed), int(rss_kb) / 1024


def build_times(project: Path, runs: int) -> dict:
    stock = project / "mkdocs-stock.yml"
    shutil.copy(project / "mkdocs.yml", stock)
    without_hooks(stock)
    ours, theirs, memory = [], [], []
    for _ in range(runs):  # alternate, so drift in the machine hits both alike
        elapsed, rss = timed_build(project, "mkdocs.yml")
        ours.append(elapsed)
        memory.append(rss)
        theirs.append(timed_build(project, "mkdocs-stock.yml")[0])
    timed_build(project, "mkdocs.yml")  # leave the hooked site in site-bench for the next steps
    return {"ours": ours, "stock": theirs, "memory": memory}


def guard_throughput(project: Path, runs: int) -> dict:
    from guard.cli import check
    from guard.engine.load import load

    docs = project / "docs"
    size = sum(p.stat().st_size for p in docs.rglob("*.md"))
    rates, single, whole = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        check([docs])  # as the command line runs it: files spread over the cores
        rates.append(size / 1e6 / (time.perf_counter() - started))
        started = time.perf_counter()
        check([docs], jobs=1)
        single.append(size / 1e6 / (time.perf_counter() - started))
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(ROOT / "hooks/guard"), str(docs)],
                                capture_output=True, text=True)
        whole.append(time.perf_counter() - started)
        assert result.returncode == 0, result.stdout[-2000:]
    started = time.perf_counter()
    guard = load()
    loaded = time.perf_counter() - started
    # The learned signal's cost: one process, the same pages, with and without the model.
    from guard.engine.load import load_rules
    from guard.engine.sources import scan_markdown

    pages = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(docs.rglob("*.md"))]
    per_page = {}
    for name, ruleset in (("rules", load_rules()), ("guard", guard)):
        started = time.perf_counter()
        for shown, text in pages:
            scan_markdown(text, shown, ruleset)
        per_page[name] = (time.perf_counter() - started) / len(pages) * 1000
    return {"mb": size / 1e6, "rates": rates, "single_rates": single, "cli_seconds": whole,
            "load_seconds": loaded, "ms_per_page": per_page}


def index_size(project: Path, lessons: int) -> dict:
    # The manifest, the term shards and the display chunks (hooks/search_shards.py), all together.
    files = sorted((project / "site-bench/search").rglob("*.json"))
    raw = b"".join(path.read_bytes() for path in files)
    packed = sum(len(gzip.compress(path.read_bytes(), 6)) for path in files)
    return {"raw": len(raw), "gzip": packed, "raw_per_lesson": len(raw) / lessons, "gzip_per_lesson": packed / lessons}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def browser_search(project: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright
    from search_browser import clear_search, golden_queries, type_query

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(project / "site-bench")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    ready, latencies = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url)
            box = page.locator("input.md-search__input")
            box.click()
            # Ready: the first query after load returns results (the index is built by then).
            box.fill("分期")
            box.dispatch_event("keyup")
            page.wait_for_function("document.querySelectorAll('li.md-search-result__item').length > 0",
                                   timeout=60_000)
            ready.append(time.perf_counter() - started)
            for item in golden_queries():
                clear_search(page)
                started = time.perf_counter()
                type_query(page, item.query)
                latencies.append(time.perf_counter() - started)
            context.close()
        browser.close()
    server.shutdown()
    latencies.sort()
    return {"ready": ready, "median_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000}


def profile_build(project: Path) -> list[tuple[str, float]]:
    """Where the time of one hooked build goes, by area (cumulative seconds)."""
    out = project / "build.prof"
    # The guard and the search segmentation run in this process here, so all their work shows in the profile.
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "-q",
                    "-d", "site-prof"], cwd=project, capture_output=True, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
                        "KB_GUARD_WORKER": "0", "KB_SEARCH_WORKER": "0"})
    import pstats

    stats = pstats.Stats(str(out)).stats
    areas = {
        "jieba 分词（搜索索引）": "jieba/",
        "Markdown 渲染": "markdown/",
        "pymdownx 扩展": "pymdownx/",
        "守卫（源文件 + 渲染兜底；平时在工作进程里）": "hooks/guard",
        "搜索索引（本项目：取正文、分词、算分；分词平时在工作进程里）": "hooks/search_",
        "搜索索引构建（Material）": "plugins/search/",
        "模板渲染（Jinja2）": "jinja2/",
        "导出（llms.txt、lessons.json）": "hooks/exports",
        "git 修改日期插件": "git_revision_date_localized",
    }
    total = max(value[3] for value in stats.values())
    found = []
    for label, marker in areas.items():
        # The largest cumulative time of a function in the area is the area's own cost.
        times = [value[3] for (filename, _, _), value in stats.items() if marker in filename.replace("\\", "/")]
        found.append((label, max(times) if times else 0.0))
    return [("整个构建", total)] + sorted(found, key=lambda item: -item[1])


# -----------------------------------------------------------------------------
# Report
# -----------------------------------------------------------------------------


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f}（{min(values):.2f}–{max(values):.2f}）"


def machine() -> str:
    import importlib.metadata as meta

    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    versions = ", ".join(f"{name} {meta.version(name)}" for name in
                         ("mkdocs", "mkdocs-material", "pymdown-extensions", "jieba"))
    return (f"{date.today()}；{cores} 核，内存 {memory:.0f} GiB；Python {platform.python_version()}；"
            f"{versions}；{chromium}")


def render(results: dict, profile: list[tuple[str, float]] | None) -> str:
    lines = [START, "", f"测量环境：{machine()}。每项为中位数（括号内为最小–最大），次数见表。", "",
             "| 课程数 N | 构建：含钩子 (s) | 构建：原版 Material (s) | 比值 | 构建峰值内存 (MB) | "
             "守卫吞吐 多核/单进程 (MB/s) | 守卫命令行全量 (s) | 索引大小 原始/gzip | 每课 原始/gzip | "
             "索引就绪 (s) | 查询延迟 中位/P95 (ms) | 每页扫描 仅规则/含学习信号 (ms) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, r in sorted(results.items()):
        build = r["build"]
        ratio = statistics.median(build["ours"]) / statistics.median(build["stock"])
        size = r["index"]
        search = r.get("search")
        lines.append(
            f"| {n} | {spread(build['ours'])} | {spread(build['stock'])} | {ratio:.2f} | "
            f"{statistics.median(build['memory']):.0f} | {spread(r['guard']['rates'])} / "
            f"{spread(r['guard']['single_rates'])}（{r['guard']['mb']:.1f} MB） | {spread(r['guard']['cli_seconds'])} | "
            f"{size['raw'] / 1e6:.2f} MB / {size['gzip'] / 1e6:.2f} MB | "
            f"{size['raw_per_lesson'] / 1e3:.1f} KB / {size['gzip_per_lesson'] / 1e3:.1f} KB | "
            + (f"{spread(search['ready'])} | {search['median_ms']:.0f} / {search['p95_ms']:.0f} |"
               if search else "— | — |")
            + (f" {r['guard']['ms_per_page']['rules']:.1f} / {r['guard']['ms_per_page']['guard']:.1f} |"
               if "ms_per_page" in r["guard"] else " — |"))
    runs = {n: len(r["build"]["ours"]) for n, r in results.items()}
    lines += ["", "次数：" + "，".join(f"N = {n} 构建各 {k} 次（交替）" for n, k in sorted(runs.items())) + "。"]
    if profile:
        lines += ["", "一次含钩子构建（N = 500）的耗时分布（cProfile，累计秒数，各项有重叠；"
                      "守卫和搜索分词在这次构建中不用工作进程，以便计入它们的全部耗时）：", "",
                  "| 部分 | 秒 |", "| --- | --- |"]
        lines += [f"| {label} | {seconds:.1f} |" for label, seconds in profile]
    lines += ["", END]
    return "\n".join(lines)


def write_page(table: str) -> None:
    replace_between(PAGE, START, END, table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--search-sizes", type=int, nargs="*", default=[100, 500])
    parser.add_argument("--no-write", action="store_true", help="print the table, leave the page alone")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    results, profile = {}, None
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        for n in args.sizes:
            print(f"N = {n}: generating", flush=True)
            project = make_corpus(n, Path(tmp) / f"n{n}")
            print(f"N = {n}: builds", flush=True)
            result = {"build": build_times(project, args.runs)}
            print(f"N = {n}: guard", flush=True)
            result["guard"] = guard_throughput(project, args.runs)
            result["index"] = index_size(project, n)
            if n in args.search_sizes:
                print(f"N = {n}: search in Chromium", flush=True)
                result["search"] = browser_search(project, args.runs)
            if n == 500 and not args.no_profile:
                print("N = 500: profile", flush=True)
                profile = profile_build(project)
            results[n] = result
            print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
    table = render(results, profile)
    print(table)
    if not args.no_write:
        write_page(table)
        print(f"written to {PAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
