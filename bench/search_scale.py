"""Search at any size: first-result time, bytes fetched and query latency in
headless Chromium, for the real site and for replicas of 100 to 5,000 lessons.

    python bench/search_scale.py               # measure, print, write onto docs/trainers/search.md
    python bench/search_scale.py --no-write    # measure and print only

The real site is built once. A replica keeps the real site's pages and swaps
in the search files (hooks/search_shards.py) of N lessons: the real lessons
plus varied copies (title, description, tags, an opening sentence), segmented
with the project's dictionary as the build does. Building 5,000 real pages
would take most of an hour and change nothing the browser fetches for search.

Each load is a fresh browser context (empty cache) opening `?q=<query>`; the
first-result time runs from navigation to the first result link on screen.
The real site and the 500-lesson replica are also measured alternately, so
drift in the machine hits both alike.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
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

import search_shards  # noqa: E402
from search_browser import GOLDEN, clear_search, golden_queries, type_query  # noqa: E402

PAGE = ROOT / "docs" / "trainers" / "search.md"
START, END = "<!-- search-scale:start -->", "<!-- search-scale:end -->"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FIRST_QUERIES = ["客户说没钱", "家人接电话", "客户说已经还了", "上门催收合法吗", "停息挂账"]
LINK = "li.md-search-result__item > a.md-search-result__link"


def build_site(where: Path) -> Path:
    site = where / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=ROOT,
                            capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"})
    if result.returncode:
        raise SystemExit(f"build failed:\n{result.stderr[-3000:]}")
    return site


def lesson_pages(site: Path, cut) -> list[search_shards.Page]:
    """The real lessons as search sees them, from the build's own export."""
    pages = []
    for lesson in json.loads((site / "lessons.json").read_text(encoding="utf-8")):
        pages.append(search_shards.Page(
            lesson["url"], lesson["title"], "lesson", lesson["description"], lesson["tags"],
            lesson["questions"], [(f"h{i}", h) for i, h in enumerate(lesson["headings"])],
            words=list(cut(lesson["text"])),
        ))
    return pages


def replica(site: Path, where: Path, lessons: int, cut) -> Path:
    """A copy of the built site whose search files index `lessons` lessons."""
    shutil.copytree(site, where)
    manifest = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    kb = manifest["config"].pop("kb")
    real = lesson_pages(site, cut)
    pages = list(real)
    for number in range(1, lessons - len(real) + 1):
        base = real[number % len(real)]
        pages.append(search_shards.Page(
            f"case-{number:05d}/{base.location}", f"{base.title}（案例 {number}）", "lesson",
            f"{base.description}（{number}）", [*base.tags, f"案例{number}"], base.questions, base.headings,
            words=list(cut(f"本课是第 {number} 号培训案例，请结合第 {number % 7 + 1} 组的通话记录练习。")) + base.words,
        ))
    pages.append(search_shards.Page("situations/", "常见情境速查", "reference"))
    pages.append(search_shards.Page("trainers/search/", "搜索维护", "trainer"))
    shutil.rmtree(where / "search")
    (where / "search/kb").mkdir(parents=True)
    files = search_shards.build(pages, cut, function_words=set(kb["function_words"]), synonyms=kb["synonyms"],
                                config=manifest["config"], fallback=["situations/"])
    for name, text in files.items():
        (where / "search" / name).write_text(text, encoding="utf-8")
    return where


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def first_result(browser, url: str, query: str) -> tuple[float, int, int]:
    """Seconds to the first result of a cold load of ?q=query, bytes fetched in all, and for search."""
    context = browser.new_context()
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    started = time.perf_counter()
    page.goto(f"{url}?q={query}")
    page.wait_for_selector(LINK, timeout=60_000)
    elapsed = time.perf_counter() - started
    sizes = {}
    for response in responses:
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - a redirect or aborted request has no body
            sizes[response.url] = 0
    context.close()
    search = sum(size for address, size in sizes.items() if "/search/" in address)
    return elapsed, sum(sizes.values()), search


def latencies(browser, url: str, queries: list[str]) -> list[float]:
    """Milliseconds per query typed after the page is ready, shards cached as they arrive."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    found = []
    for query in queries:
        clear_search(page)
        started = time.perf_counter()
        type_query(page, query)
        found.append((time.perf_counter() - started) * 1000)
    context.close()
    return found


def measure(sizes: list[int], runs: int) -> dict:
    import jieba
    from playwright.sync_api import sync_playwright

    jieba.setLogLevel(60)
    jieba.load_userdict(str(ROOT / "search" / "user-dict.txt"))
    cut = functools.lru_cache(maxsize=None)(lambda text: tuple(jieba.cut(text)))
    queries = [g.query for g in golden_queries(GOLDEN)][:80]
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="kb-search-") as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        real = build_site(Path(tmp))
        sites = {"real": real}
        for n in sizes:
            print(f"replica of {n} lessons", flush=True)
            sites[n] = replica(real, Path(tmp) / f"n{n}", n, cut)
        servers = {name: serve(site) for name, site in sites.items()}
        for name, (_, url) in servers.items():
            loads = [first_result(browser, url, FIRST_QUERIES[i % len(FIRST_QUERIES)]) for i in range(runs)]
            typed = sorted(latencies(browser, url, queries))
            files = list((sites[name] / "search/kb").glob("t*.json"))
            results[name] = {
                "ready": [load[0] for load in loads], "bytes": statistics.median(load[1] for load in loads),
                "search_bytes": statistics.median(load[2] for load in loads),
                "median_ms": statistics.median(typed), "p95_ms": typed[int(0.95 * (len(typed) - 1))],
                "shards": len(files), "index_bytes": sum(p.stat().st_size for p in (sites[name] / "search").rglob("*.json")),
                "pages": json.loads((sites[name] / "search/search_index.json").read_text(encoding="utf-8"))["config"]["kb"]["pages"],
            }
            print(name, results[name], flush=True)
        if 500 in sites:  # the real site and the 500-lesson replica, alternately
            pairs = []
            for i in range(runs * 2):
                query = FIRST_QUERIES[i % len(FIRST_QUERIES)]
                pairs.append((first_result(browser, servers["real"][1], query)[0],
                              first_result(browser, servers[500][1], query)[0]))
            results["alternating"] = pairs
        for server, _ in servers.values():
            server.shutdown()
        browser.close()
    return results


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}（{min(values):.2f}–{max(values):.2f}）"


def render(results: dict, runs: int) -> str:
    cores = os.cpu_count()
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [START, "", f"测量于 {date.today()}（{cores} 核，{chromium}，`make bench`）。每次都是新的浏览器上下文"
             f"（缓存为空），打开带 `?q=` 的地址，计时到第一条结果出现；每个规模 {runs} 次，取中位数（括号内为最小–最大）。"
             "查询延迟：页面就绪后在搜索框里依次输入调优集的前 80 条查询。", "",
             "| 规模 | 索引页数 | 索引文件总大小 | 词分片数 | 第一条结果 (s) | 首次加载共下载 | 其中搜索数据 | 查询延迟 中位/P95 (ms) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in results.items():
        if name == "alternating":
            continue
        label = "真实站点" if name == "real" else f"{name} 课副本"
        lines.append(f"| {label} | {r['pages']} | {r['index_bytes'] / 1e6:.2f} MB | {r['shards']} | {spread(r['ready'])} | "
                     f"{r['bytes'] / 1e3:.0f} KB | {r['search_bytes'] / 1e3:.0f} KB | "
                     f"{r['median_ms']:.0f} / {r['p95_ms']:.0f} |")
    if "alternating" in results:
        pairs = results["alternating"]
        real = statistics.median(p[0] for p in pairs)
        big = statistics.median(p[1] for p in pairs)
        lines += ["", f"交替测量（同一次运行中真实站点与 500 课副本轮流加载，各 {len(pairs)} 次）："
                      f"真实站点中位 {real:.2f} 秒，500 课副本中位 {big:.2f} 秒，比值 {big / real:.2f}。"]
    sizes = [name for name in results if isinstance(name, int)]
    if len(sizes) > 1:
        smallest, largest = min(sizes), max(sizes)
        ratio = statistics.median(results[largest]["ready"]) / statistics.median(results[smallest]["ready"])
        lines += ["", f"{largest} 课与 {smallest} 课的第一条结果时间之比：{ratio:.2f}。"]
    lines += ["", END]
    return "\n".join(lines)


def write(table: str) -> None:
    replace_between(PAGE, START, END, table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 500, 1000, 5000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = measure(args.sizes, args.runs)
    table = render(results, args.runs)
    print(table)
    if not args.no_write:
        write(table)


if __name__ == "__main__":
    main()
