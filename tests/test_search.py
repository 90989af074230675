"""Chinese search: verified segmentation at build time, and golden queries typed
into the site's own search box in headless Chromium."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from conftest import DOCS, ROOT, run_build
from pages import LESSON_PAGES
from search_browser import GOLDEN, golden_queries, hit_at_3, ranked_pages

TARGET = 0.90


def test_golden_file_covers_every_lesson_and_situation() -> None:
    golden = golden_queries()
    assert len(golden) >= 60
    acceptable = set().union(*(g.acceptable for g in golden))
    assert {page.removesuffix(".md") for page in LESSON_PAGES} <= acceptable
    situations = (DOCS / "situations.md").read_text(encoding="utf-8")
    targets = set(re.findall(r"\]\(([a-z-]+/[a-z-]+)\.md#", situations))
    assert targets <= acceptable, targets - acceptable
    assert all(page in {p.removesuffix(".md") for p in LESSON_PAGES} | {"compliance/prohibited"}
               for page in acceptable), "golden answers must be real pages"


def test_index_is_segmented_and_prepared(built_site: Path) -> None:
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    assert "\\u200b" in index["config"]["separator"]
    chinese = [d for d in index["docs"] if re.search(r"[\u4e00-\u9fff]{2}", d["text"])]
    assert sum("\u200b" in d["text"] for d in chinese) / len(chinese) > 0.9
    # Domain terms from the user dictionary stay whole.
    text = "\u200b".join(d["text"] for d in index["docs"])
    assert "\u200b个性化分期\u200b" in text and "\u200b紧急联系人\u200b" in text
    assert index["config"]["fields"]["keywords"]["boost"] > index["config"]["fields"]["title"]["boost"]
    assert "客户" in index["config"]["function_words"]
    assert any("手头紧" in group for group in index["config"]["synonyms"])


def test_golden_queries_hit_at_3(browser, site_url: str) -> None:
    page = browser.new_page()
    page.goto(site_url)
    misses = []
    golden = golden_queries()
    started = time.perf_counter()
    for item in golden:
        ranked = ranked_pages(page, site_url, item.query)
        if not hit_at_3(ranked, item.acceptable):
            misses.append((item.query, sorted(item.acceptable), ranked[:4]))
    elapsed = time.perf_counter() - started
    score = 1 - len(misses) / len(golden)
    print(f"\nsearch: hit@3 {score:.3f} ({len(golden) - len(misses)}/{len(golden)}) "
          f"on {GOLDEN.name}, {elapsed / len(golden) * 1000:.0f} ms per query in the browser")
    for query, wanted, got in misses:
        print(f"  miss: {query} — wanted {wanted}, got {got}")
    page.close()
    assert score >= TARGET


def test_counterexamples_never_enter_the_index(project_copy: Path) -> None:
    page = project_copy / "docs/privacy/third-parties.md"
    text = page.read_text(encoding="utf-8")
    block = '\n!!! failure "反例 · C04"\n\n    联系不上就爆他的通讯录，挨个打。\n\n'
    page.write_text(text.replace("## 为什么 {#why}", block + "## 为什么 {#why}", 1), encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode == 0, result.stderr[-3000:]
    site = project_copy / "site"
    index = (site / "search/search_index.json").read_text(encoding="utf-8").replace("\u200b", "")
    assert "挨个打" not in index
    for export in ("llms-full.txt", "lessons.json"):
        assert "挨个打" not in (site / export).read_text(encoding="utf-8")
    assert "挨个打" in (site / "privacy/third-parties/index.html").read_text(encoding="utf-8")


def test_build_fails_without_jieba(project_copy: Path, tmp_path: Path) -> None:
    # A module named jieba that cannot be imported, ahead of the real one on sys.path.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "jieba.py").write_text("raise ImportError('jieba is not installed')\n", encoding="utf-8")
    result = run_build(project_copy, env={"PYTHONPATH": str(shadow)})
    assert result.returncode != 0
    assert "jieba 无法导入" in result.stderr and "Traceback" not in result.stderr


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


def test_result_pruning_keeps_materials_own_top_results(browser) -> None:
    """The worker drops weak matches before Material highlights them; Material's own
    re-scoring (x1 to x5) must still put the same results first."""
    worker = (ROOT / "overrides/assets/javascripts/workers/project-search.js").read_text(encoding="utf-8")
    pruning = re.search(r"const RESULT_LIMIT[\s\S]*?\nfunction best\([\s\S]*?\n}\n", worker)
    assert pruning, "RESULT_LIMIT and best() not found in the search worker"
    page = browser.new_page()
    outcome = page.evaluate(pruning.group(0) + """
        ;(() => {
          let seed = 7
          const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647
          const top = list => list.map(r => ({ ref: r.ref, score: r.score * r.boost }))
            .sort((a, b) => b.score - a.score || a.ref - b.ref).slice(0, RESULT_LIMIT).map(r => r.ref)
          let pruned = 0, total = 0
          for (let round = 0; round < 50; round++) {
            const results = Array.from({ length: 300 + round * 40 }, (_, ref) => ({
              ref, score: random() ** 3 * 10, boost: 1 + 4 * random() ** 2 }))
              .sort((a, b) => b.score - a.score)
            const kept = best(results)
            total += results.length
            pruned += results.length - kept.length
            if (JSON.stringify(top(kept)) !== JSON.stringify(top(results)))
              return { round, same: false }
          }
          return { same: true, pruned, total }
        })()
    """)
    page.close()
    assert outcome["same"], outcome
    assert outcome["pruned"] > outcome["total"] / 4  # and it does drop most weak matches
