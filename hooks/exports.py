"""Machine-readable exports for AI assistants and other tools.

- llms.txt: title, summary, one line per lesson (description and URL), by theme;
- llms-full.txt: every lesson's text in reading order;
- lessons.json: one record per lesson, valid against lessons.schema.json
  (hooks/lessons.schema.json, copied beside it).

Text comes from the rendered page with counterexample blocks removed (the
guard marks them), so nothing shown as "what not to say" is exported as
guidance.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from lessons import is_lesson
from page_text import readable

SCHEMA = Path(__file__).with_name("lessons.schema.json")


@dataclass
class _Lesson:
    id: str
    title: str
    description: str
    tags: list[str]
    questions: list[str]
    url: str
    reviewed: str
    basis: list[str]
    headings: list[str] = field(default_factory=list)
    text: str = ""


_lessons: dict[str, _Lesson] = {}
_order: list[str] = []
_themes: dict[str, str] = {}  # theme folder -> theme title from its index page


def on_pre_build(*, config: MkDocsConfig) -> None:
    _lessons.clear()
    _order.clear()
    _themes.clear()


def on_nav(nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
    _order.extend(page.file.src_uri for page in nav.pages)
    return nav


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    uri = page.file.src_uri
    folder, _, name = uri.partition("/")
    if name == "index.md":
        _themes[folder] = page.title or folder
    if not is_lesson(uri):
        return html
    meta = page.meta
    text, headings = readable(html)
    _lessons[uri] = _Lesson(
        id=uri.removesuffix(".md"),
        title=page.title or "",
        description=str(meta.get("description", "")),
        tags=[str(tag) for tag in meta.get("tags", [])],
        questions=[str(question) for question in meta.get("questions", [])],
        url=_url(page.url, config),
        reviewed=str(meta.get("reviewed", "")),
        basis=[str(item) for item in meta.get("basis", [])],
        headings=headings,
        text=text,
    )
    return html


def on_post_build(*, config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    lessons = [_lessons[uri] for uri in _order if uri in _lessons]
    (site / "lessons.json").write_text(
        json.dumps([vars(lesson) for lesson in lessons], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    shutil.copyfile(SCHEMA, site / SCHEMA.name)
    (site / "llms.txt").write_text(_llms_index(lessons, config), encoding="utf-8")
    (site / "llms-full.txt").write_text(_llms_full(lessons, config), encoding="utf-8")


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _url(page_url: str, config: MkDocsConfig) -> str:
    base = (config.site_url or "").rstrip("/")
    return f"{base}/{page_url}" if base else page_url


def _theme_of(lesson: _Lesson) -> str:
    return lesson.id.split("/")[0]


def _llms_index(lessons: list[_Lesson], config: MkDocsConfig) -> str:
    out = [f"# {config.site_name}", "", f"> {config.site_description or ''}", "",
           "面向催收坐席的中文知识库。每一课都经过合规审核，只引用经核实或多个二手来源一致的规定；"
           "胁迫性催收手段在构建时被拦截，不会出现在任何一课中。", ""]
    current = None
    for lesson in lessons:
        theme = _theme_of(lesson)
        if theme != current:
            out += ["", f"## {_themes.get(theme, theme)}", ""]
            current = theme
        out.append(f"- [{lesson.title}]({lesson.url}): {lesson.description}")
    out += ["", "## 全文", "", f"- [llms-full.txt]({_url('llms-full.txt', config)}): 全部课程正文",
            f"- [lessons.json]({_url('lessons.json', config)}): 结构化课程数据（模式见 lessons.schema.json）"]
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


def _llms_full(lessons: list[_Lesson], config: MkDocsConfig) -> str:
    out = [f"# {config.site_name}", ""]
    for lesson in lessons:
        out += [f"## {lesson.title}", "", f"来源：{lesson.url}", f"审核日期：{lesson.reviewed}",
                f"依据：{'；'.join(lesson.basis)}", f"坐席常见问法：{'；'.join(lesson.questions)}", "",
                lesson.text, ""]
    return "\n".join(out)
