"""The lesson library: every page present, every lesson in the template, in our own words."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest

import lessons
from conftest import DOCS
from pages import ALL_PAGES, LESSON_PAGES, LESSONS, THEME_INDEXES, lesson_files

HAN = re.compile(r"[\u4e00-\u9fff]")
LINK = re.compile(r"\]\(([^)\s]+?\.md)(#[^)\s]*)?\)")


def read(path: Path) -> lessons.Source:
    return lessons.split(path.read_text(encoding="utf-8"), str(path))


def lesson_id(path: Path) -> str:
    return path.relative_to(DOCS).as_posix()


@pytest.mark.parametrize("page", ALL_PAGES)
def test_required_page_exists(page: str) -> None:
    assert (DOCS / page).is_file(), f"docs/{page} is a public URL and must exist"


def test_every_lesson_is_listed() -> None:
    # A lesson outside the list still gets checked, but the list must not fall behind.
    assert sorted(lesson_id(p) for p in lesson_files()) == sorted(LESSON_PAGES)


def test_file_names_are_lowercase_hyphenated_ascii() -> None:
    bad = [p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*")
           if p.is_file() and not re.fullmatch(r"[a-z0-9][a-z0-9-]*(\.[a-z0-9]+)+", p.name)]
    assert bad == []


@pytest.mark.parametrize("path", lesson_files(), ids=lesson_id)
def test_lesson_front_matter(path: Path) -> None:
    source = read(path)
    assert lessons.meta_problems(source.meta, lesson_id(path), today=dt.date.today()) == []


@pytest.mark.parametrize("path", lesson_files(), ids=lesson_id)
def test_lesson_sections_in_template_order(path: Path) -> None:
    assert lessons.section_problems(read(path).body) == []


@pytest.mark.parametrize("path", lesson_files(), ids=lesson_id)
def test_lesson_length(path: Path) -> None:
    han = len(HAN.findall(read(path).body))
    assert 800 <= han <= 2500, f"{lesson_id(path)} has {han} Chinese characters"


@pytest.mark.parametrize("path", lesson_files(), ids=lesson_id)
def test_lesson_has_quiz_and_scripts(path: Path) -> None:
    body = read(path).body
    quiz = body[body.index("## 自测"):]
    assert 2 <= quiz.count('??? question "') <= 3
    scripts = body[body.index("## 推荐话术"):body.index("## 避免")]
    assert "“" in scripts, "推荐话术 needs sayable lines in quotes"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_heading_has_ascii_id(page: str) -> None:
    # Stable ASCII anchors keep citations and situation links working after edits.
    headings = re.findall(r"^#{2,4} .*$", read(DOCS / page).body, re.M)
    bad = [h for h in headings if not re.search(r"\{#[a-z0-9][a-z0-9-]*\}\s*$", h)]
    assert bad == []


@pytest.mark.parametrize("index", THEME_INDEXES)
def test_theme_index_links_every_lesson(index: str) -> None:
    theme = index.split("/")[0]
    linked = {m.group(1) for m in LINK.finditer((DOCS / index).read_text(encoding="utf-8"))}
    missing = [name for name in LESSONS[theme] if f"{name}.md" not in linked]
    assert missing == []


def _situations() -> list[tuple[str, str]]:
    """(situation, what to do) pairs: the page is a definition list, readable on a phone."""
    body = read(DOCS / "situations.md").body
    entries = re.findall(r"^(\S[^\n]*)\n:   (.*?)(?=\n\n\S|\n## |\Z)", body, re.S | re.M)
    return [(term, answer) for term, answer in entries if not term.startswith(("#", "!!!", "跳到"))]


def test_situations_cover_at_least_40_cases_with_lesson_links() -> None:
    entries = _situations()
    assert len(entries) >= 40
    links = [m for _, answer in entries for m in LINK.finditer(answer)]
    assert all(LINK.search(answer) for _, answer in entries), [t for t, a in entries if not LINK.search(a)]
    targets = {m.group(1).lstrip("./") for m in links}
    assert targets <= set(LESSON_PAGES), targets - set(LESSON_PAGES)
    # Each situation points at the section that covers it, not just the page.
    assert all(m.group(2) for m in links)


def test_situations_start_with_the_crisis_protocol_and_jump_links() -> None:
    body = read(DOCS / "situations.md").body
    crisis = body[:body.index("跳到：")]
    assert crisis.lstrip().startswith('!!! danger "')
    for step in ("12356", "120", "110", "主管", "记录", "hardship.md#self-harm"):
        assert step in crisis, step
    jumps = set(re.findall(r"\]\(#([a-z-]+)\)", body[body.index("跳到："):].split("\n", 1)[0]))
    assert jumps == set(re.findall(r"^## .*\{#([a-z-]+)\}", body, re.M))


def test_situations_have_no_placeholder_an_agent_cannot_say() -> None:
    # 【】 marks what the agent fills in; XX, 某某 or "X 个工作日" would be read aloud as is.
    said = " ".join(answer for _, answer in _situations())
    assert re.findall(r"XX|某某|\bX\b", said) == []


def test_situations_cover_the_reviews_missing_cases() -> None:
    terms = " ".join(term for term, _ in _situations())
    for case in ("上门", "律师", "去世", "停息挂账", "高利贷", "报警", "替他还", "催收公司", "泄露"):
        assert case in terms, case


def _norm(text: str) -> str:
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c).startswith("P")))


def test_no_lesson_copies_the_seed(shared: Path) -> None:
    width = 20
    seed = _norm("".join(p.read_text(encoding="utf-8") for p in (shared / "seed").glob("*.txt")))
    grams = {seed[i:i + width] for i in range(len(seed) - width + 1)}
    copied = {}
    for path in DOCS.rglob("*.md"):
        text = _norm(path.read_text(encoding="utf-8"))
        runs = [text[i:i + width] for i in range(len(text) - width + 1) if text[i:i + width] in grams]
        if runs:
            copied[path.relative_to(DOCS).as_posix()] = runs[0]
    assert copied == {}, f"20+ characters shared with the seed: {copied}"


def test_cites_only_verified_or_secondary_sources() -> None:
    # [U] items are unverified: they may be named as such on the regulations page only.
    offenders = [lesson_id(p) for p in lesson_files() if "[U]" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_inferred_conc_numbers_carry_a_caveat() -> None:
    # CONC 7.9 rule text was checked, its numbering only inferred from cross-references.
    lines = [line for page in LESSON_PAGES for line in read(DOCS / page).body.splitlines()
             if re.match(r"- FCA CONC 7\.9\.", line)]
    assert lines, "no lesson cites CONC 7.9 any more: drop this test"
    assert [line for line in lines if "编号据交叉引用推定" not in line] == []


def test_recording_retention_is_stated_as_a_minimum() -> None:
    # Art. 70 keeps an oral instalment agreement's recording *at least* until the debt is settled.
    offenders = [page for page in ALL_PAGES
                 if re.search(r"(?<!至少)保存到欠款(?:还清|结清)", (DOCS / page).read_text(encoding="utf-8"))]
    assert offenders == []
