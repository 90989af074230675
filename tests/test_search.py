"""Chinese search: verified segmentation and a prebuilt, sharded index at build
time, and golden queries typed into the site's own search box in headless Chromium."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import DOCS, ROOT, run_build
from pages import LESSON_PAGES
from search_browser import GOLDEN, HELDOUT, golden_queries, hit_at_3, ranked_pages

sys.path.insert(0, str(ROOT / "hooks"))
import lessons  # noqa: E402
import search_shards  # noqa: E402

# Tuned: the set the dictionary, synonyms and questions were adjusted on.
# Held-out: never tuned on; it measures, so its floor sits lower.
TARGETS = {GOLDEN: 0.95, HELDOUT: 0.90}
LESSON_SLUGS = {page.removesuffix(".md") + "/" for page in LESSON_PAGES}


def test_golden_file_covers_every_lesson_and_situation() -> None:
    golden = golden_queries()
    assert len(golden) >= 60
    acceptable = set().union(*(g.acceptable for g in golden))
    assert {page.removesuffix(".md") for page in LESSON_PAGES} <= acceptable
    situations = (DOCS / "situations.md").read_text(encoding="utf-8")
    targets = set(re.findall(r"\]\(([a-z-]+/[a-z-]+)\.md#", situations))
    assert targets <= acceptable, targets - acceptable
    for path in (GOLDEN, HELDOUT):
        answers = set().union(*(g.acceptable for g in golden_queries(path)))
        real = {p.removesuffix(".md") for p in LESSON_PAGES} | {"compliance/prohibited", "compliance/regulations"}
        assert answers <= real, f"{path.name}: not lessons: {sorted(answers - real)}"


def test_golden_sets_are_apart_and_sourced() -> None:
    tuned, heldout = golden_queries(GOLDEN), golden_queries(HELDOUT)
    assert len(tuned) + len(heldout) >= 150 and len(heldout) >= 100
    assert not {g.query for g in tuned} & {g.query for g in heldout}, "a held-out query is also tuned on"
    real = 0
    for path in (GOLDEN, HELDOUT):
        rows = path.read_text(encoding="utf-8").splitlines()
        assert rows[0].split("\t") == ["query", "acceptable", "source"]
        assert all(len(row.split("\t")) == 3 and row.split("\t")[2] for row in rows[1:]), path.name
        real += sum(row.split("\t")[2].startswith("http") for row in rows[1:])
    # Rewritten from questions agents asked on public pages; the page is recorded.
    assert real >= 100


def _index_files(site: Path) -> dict[str, str]:
    return {p.relative_to(site / "search").as_posix(): p.read_text(encoding="utf-8")
            for p in (site / "search").rglob("*.json")}


def test_index_is_prebuilt_sharded_and_small_up_front(built_site: Path) -> None:
    files = _index_files(built_site)
    manifest = json.loads(files["search_index.json"])
    kb = manifest["config"]["kb"]
    assert "\\u200b" in manifest["config"]["separator"] and manifest["docs"] == []
    # All the page fetches before the first query: small whatever the library's size.
    assert len(files["search_index.json"].encode("utf-8")) < 8_000
    assert kb["shards"] == sum(name.startswith("kb/t") for name in files)
    assert "客户" in kb["function_words"] and any("手头紧" in group for group in kb["synonyms"])
    terms: set[str] = set()
    for name, text in files.items():
        if name.startswith("kb/t"):
            number = int(name.removeprefix("kb/t").removesuffix(".json"))
            for term in json.loads(text):
                assert search_shards.shard_of(search_shards.shard_key(term), kb["shards"]) == number, term
                terms.add(term)
    # Dictionary terms stay whole; jargon from questions and tags is indexed; so are pairs.
    assert {"个性化分期", "紧急联系人", "停息挂账", "ptp", "m1", "#手头"} <= terms
    shown = [(int(name[4:-5]) * kb["chunk"] + i, row) for name, text in files.items()
             if name.startswith("kb/p") for i, row in enumerate(json.loads(text))]
    assert len(shown) == kb["pages"] > 40
    trainers = sorted(number for number, row in shown if row[5] == "trainer")
    assert len(trainers) >= 5 and trainers == list(range(kb["first_trainer"], kb["pages"]))
    by_number = dict(shown)
    assert by_number[kb["situations"]][0] == "situations/" and kb["fallback"][-1] == kb["situations"]
    assert all(by_number[n][5] == "lesson" for n in kb["fallback"][:-1]) and len(kb["fallback"]) >= 4


def test_shard_hash_is_the_same_in_the_worker(browser) -> None:
    """The build files a term under FNV-1a of its first two characters; the worker must
    compute the same number, or it fetches the wrong shard and finds nothing."""
    worker = (ROOT / "overrides/assets/javascripts/workers/project-search.js").read_text(encoding="utf-8")
    source = (re.search(r"const PAIR = .*\n", worker).group(0)
              + re.search(r"function shardOf[\s\S]*?\n}\n", worker).group(0))
    keys = ["手头紧", "#没钱", "ptp", "m1", "停息挂账", "𠮷野", "客", "12378"]
    page = browser.new_page()
    script = f"(() => {{ let kb = {{ shards: 37 }}; {source}; return {json.dumps(keys)}.map(shardOf) }})()"
    got = page.evaluate(script)
    page.close()
    assert got == [search_shards.shard_of(search_shards.shard_key(k), 37) for k in keys]


@pytest.mark.parametrize("golden_file", [GOLDEN, HELDOUT], ids=["tuned", "held-out"])
def test_golden_queries_hit_at_3(browser, site_url: str, golden_file: Path) -> None:
    page = browser.new_page()
    page.goto(site_url)
    misses, guides = [], []
    golden = golden_queries(golden_file)
    started = time.perf_counter()
    for item in golden:
        ranked = ranked_pages(page, site_url, item.query)
        if not hit_at_3(ranked, item.acceptable):
            misses.append((item.query, sorted(item.acceptable), ranked[:4]))
        if any(slug.startswith("trainers/") for slug in ranked[:3]):
            guides.append(item.query)
    elapsed = time.perf_counter() - started
    score = 1 - len(misses) / len(golden)
    print(f"\nsearch: hit@3 {score:.3f} ({len(golden) - len(misses)}/{len(golden)}) "
          f"on {golden_file.name}, {elapsed / len(golden) * 1000:.0f} ms per query in the browser")
    if golden_file == GOLDEN:  # held-out misses stay unread: nobody tunes on them
        for query, wanted, got in misses:
            print(f"  miss: {query} — wanted {wanted}, got {got}")
    page.close()
    assert guides == [], f"trainer guides in an agent's top 3: {guides}"
    assert score >= TARGETS[golden_file]


@pytest.mark.parametrize("query", ["xyz", "？？？", "的了吗", "今天天气怎么样", "m9 qqq"])
def test_every_query_returns_a_lesson(browser, site_url: str, query: str) -> None:
    page = browser.new_page()
    page.goto(site_url)
    ranked = ranked_pages(page, site_url, query)
    page.close()
    assert "situations/" in ranked and LESSON_SLUGS & set(ranked), ranked


def test_trainer_guides_are_searched_only_from_their_section(browser, site_url: str) -> None:
    page = browser.new_page()
    page.goto(site_url)
    agents = ranked_pages(page, site_url, "黄金查询")
    page.goto(site_url + "trainers/")
    trainers = ranked_pages(page, site_url, "黄金查询")
    page.close()
    assert not any(slug.startswith("trainers/") for slug in agents), agents
    assert LESSON_SLUGS & set(agents), agents  # an agent still gets lessons, never an empty list
    assert trainers[0] == "trainers/search/", trainers


def test_query_in_the_address_opens_search_with_results(browser, site_url: str) -> None:
    page = browser.new_page()
    page.goto(site_url + "?q=客户说已经还了")
    link = "li.md-search-result__item > a.md-search-result__link"
    page.wait_for_selector(link, timeout=10_000)
    first = page.eval_on_selector(link, "a => a.href")
    page.close()
    assert "records/account-verification/" in first


def test_counterexamples_never_enter_the_index(project_copy: Path) -> None:
    page = project_copy / "docs/privacy/third-parties.md"
    text = page.read_text(encoding="utf-8")
    block = '\n!!! failure "反例 · C04"\n\n    联系不上就爆他的通讯录，挨个打。\n\n'
    # An indexing mark with a value: Material's page pass removed these from the HTML, so must the hook.
    block += '<p data-search-boost="2">先核实身份。</p>\n\n'
    page.write_text(text.replace("## 为什么 {#why}", block + "## 为什么 {#why}", 1), encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode == 0, result.stderr[-3000:]
    site = project_copy / "site"
    index = "".join(_index_files(site).values()).replace("\u200b", "")
    assert "挨个打" not in index and "#挨个" not in index
    for export in ("llms-full.txt", "lessons.json"):
        assert "挨个打" not in (site / export).read_text(encoding="utf-8")
    html = (site / "privacy/third-parties/index.html").read_text(encoding="utf-8")
    assert "挨个打" in html and "先核实身份" in html and "data-search-boost" not in html


def test_build_fails_without_jieba(project_copy: Path, tmp_path: Path) -> None:
    # A module named jieba that cannot be imported, ahead of the real one on sys.path.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "jieba.py").write_text("raise ImportError('jieba is not installed')\n", encoding="utf-8")
    result = run_build(project_copy, env={"PYTHONPATH": str(shadow)})
    assert result.returncode != 0
    assert "jieba 无法导入" in result.stderr and "Traceback" not in result.stderr


def test_build_fails_when_jieba_does_not_segment(project_copy: Path, tmp_path: Path) -> None:
    # A jieba that imports but cuts text into single characters: the index would find nothing.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "jieba.py").write_text(
        "def cut(text, *args, **kwargs):\n    return iter(text)\n\n\n"
        "def load_userdict(path):\n    pass\n\n\ndef set_dictionary(path):\n    pass\n\n\n"
        "def setLogLevel(level):\n    pass\n", encoding="utf-8")
    result = run_build(project_copy, env={"PYTHONPATH": str(shadow)})
    assert result.returncode != 0
    assert "搜索索引没有中文分词" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("old", "new", "message"), [
    ("separator: '[\\s\\u200b\\-]+'", "separator: '[\\s\\-]+'", "必须包含 \\u200b"),
    ("jieba_dict_user: search/user-dict.txt", "jieba_dict_user: search/missing.txt", "does not exist"),
])
def test_search_configuration_is_checked(project_copy: Path, old: str, new: str, message: str) -> None:
    config = project_copy / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode != 0 and message in result.stderr


def test_bad_synonym_list_fails_the_build(project_copy: Path) -> None:
    (project_copy / "search/synonyms.txt").write_text("没钱\n", encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode != 0 and "search/synonyms.txt" in result.stderr


def test_questions_are_unique_across_lessons() -> None:
    """A question names the one lesson that answers it; two lessons claiming it split the ranking."""
    owners: dict[str, list[str]] = {}
    for page in LESSON_PAGES:
        meta = lessons.split((DOCS / page).read_text(encoding="utf-8"), page).meta
        for question in meta["questions"]:
            owners.setdefault(question, []).append(page)
    assert {q: pages for q, pages in owners.items() if len(pages) > 1} == {}


def test_serve_rebuilds_on_search_and_include_edits() -> None:
    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml names a Python function for the slugifier; its value does not matter here.
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    assert {"search", "includes"} <= set(config["watch"])
    assert all((ROOT / path).is_dir() for path in config["watch"])


def test_worker_segmentation_gives_the_same_index(project_copy: Path, built_site: Path) -> None:
    """On large sites pages are segmented in a worker process; the index must not depend on where."""
    result = run_build(project_copy, env={"KB_SEARCH_WORKER": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "改在本进程分词" not in result.stderr  # the worker really ran
    assert _index_files(project_copy / "site") == _index_files(built_site)
