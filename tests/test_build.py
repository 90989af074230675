"""Real `mkdocs build --strict` runs: the project builds, and bad input fails with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_build
from pages import ALL_PAGES, GENERATED_PAGES, built_path


def test_strict_build_writes_every_page(built_site: Path) -> None:
    missing = [page for page in ALL_PAGES + GENERATED_PAGES if not (built_site / built_path(page)).is_file()]
    assert missing == []


def test_nothing_loads_from_outside(built_site: Path) -> None:
    # Google Fonts or CDN assets would fail offline and in mainland China.
    loaded = {
        page.relative_to(built_site).as_posix(): urls
        for page in built_site.rglob("*.html")
        if (urls := re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"',
                               page.read_text(encoding="utf-8")))
    }
    assert loaded == {}


def test_lesson_renders_template(built_site: Path) -> None:
    html = (built_site / "conduct/opening/index.html").read_text(encoding="utf-8")
    assert '<h1' in html and "开场" in html
    for section_id in ("why", "how", "scripts", "avoid", "basis", "quiz"):
        assert f'id="{section_id}"' in html


def test_abbreviations_are_appended_to_pages(built_site: Path) -> None:
    html = (built_site / "compliance/regulations/index.html").read_text(encoding="utf-8")
    assert re.search(r'<abbr title="[^"]+">PIPL</abbr>', html)


def _fail(project: Path) -> str:
    result = run_build(project)
    assert result.returncode != 0, "the build should have failed"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.stderr


def test_broken_link_fails_the_build(project_copy: Path) -> None:
    page = project_copy / "docs/conduct/opening.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n见[不存在的页面](no-such-page.md)。\n", encoding="utf-8")
    assert "no-such-page.md" in _fail(project_copy)


def test_broken_anchor_fails_the_build(project_copy: Path) -> None:
    page = project_copy / "docs/situations.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n见[开场](conduct/opening.md#no-such-anchor)。\n", encoding="utf-8")
    assert "no-such-anchor" in _fail(project_copy)


def test_missing_snippet_fails_the_build(project_copy: Path) -> None:
    page = project_copy / "docs/glossary.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n--8<-- "no-such-include.md"\n', encoding="utf-8")
    assert "no-such-include.md" in _fail(project_copy)


def test_malformed_front_matter_fails_naming_the_file(project_copy: Path) -> None:
    page = project_copy / "docs/conduct/etiquette.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("tags:", "tags: [unclosed\nx:", 1), encoding="utf-8")
    stderr = _fail(project_copy)
    assert "docs/conduct/etiquette.md" in stderr and "YAML" in stderr


def test_non_utf8_page_fails_naming_the_file(project_copy: Path) -> None:
    (project_copy / "docs/records/gbk-page.md").write_bytes("---\ntitle: 记录\n---\n正文".encode("gbk"))
    stderr = _fail(project_copy)
    assert "docs/records/gbk-page.md" in stderr and "UTF-8" in stderr


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("reviewed: ", "reviewed: 2999-01-01\nx_reviewed: ", "晚于今天"),
    ("## 避免 {#avoid}", "## 其他 {#avoid}", "缺少模板章节"),
])
def test_lesson_schema_is_enforced_by_the_build(project_copy: Path, old: str, new: str, expected: str) -> None:
    page = project_copy / "docs/privacy/third-parties.md"
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    stderr = _fail(project_copy)
    assert "docs/privacy/third-parties.md" in stderr and expected in stderr
