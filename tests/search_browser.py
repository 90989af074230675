"""Drive the site's own search box in Chromium and read the ranked results."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from conftest import ROOT

GOLDEN = ROOT / "search" / "golden-queries.tsv"  # tuned on
HELDOUT = ROOT / "search" / "golden-heldout.tsv"  # never tuned on
# Overview pages that match almost anything; a hit must be a lesson.
NOT_COUNTED = {"", "situations/", "glossary/"}
PLACEHOLDER = "键入以开始搜索"


@dataclass(frozen=True)
class Golden:
    query: str
    acceptable: frozenset[str]  # page slugs such as conduct/opening


def golden_queries(path: Path = GOLDEN) -> list[Golden]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Golden(r["query"].strip(), frozenset(r["acceptable"].split())) for r in rows if r["query"].strip()]


def clear_search(page, *, timeout: float = 10_000) -> None:
    """Empty the search box and wait until the results say so."""
    search = page.locator("input.md-search__input")
    search.click()
    search.fill("")
    search.dispatch_event("keyup")
    page.wait_for_function(f"document.querySelector('.md-search-result__meta').textContent.includes('{PLACEHOLDER}')",
                           timeout=timeout)


def type_query(page, query: str, *, timeout: float = 10_000) -> None:
    """Type `query` into the (cleared) search box and wait for its results."""
    search = page.locator("input.md-search__input")
    search.fill(query)
    search.dispatch_event("keyup")
    page.wait_for_function(f"!document.querySelector('.md-search-result__meta').textContent.includes('{PLACEHOLDER}')",
                           timeout=timeout)


def ranked_pages(page, base_url: str, query: str, *, timeout: float = 10_000) -> list[str]:
    """Type `query` into the search box and return result pages in rank order, as slugs."""
    # Clear first, so the next result list is surely this query's.
    clear_search(page, timeout=timeout)
    type_query(page, query, timeout=timeout)
    hrefs = page.eval_on_selector_all(
        "li.md-search-result__item > a.md-search-result__link", "links => links.map(a => a.href)")
    base_path = urlsplit(base_url).path
    slugs: list[str] = []
    for href in hrefs:
        path = urlsplit(href).path.removeprefix(base_path)
        if path not in slugs:
            slugs.append(path)
    return slugs


def hit_at_3(ranked: list[str], acceptable: frozenset[str]) -> bool:
    counted = [slug for slug in ranked if slug not in NOT_COUNTED][:3]
    return any(slug.rstrip("/") in acceptable for slug in counted)
