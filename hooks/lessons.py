"""Lesson shape: every page reads as UTF-8 with valid front matter, and every
lesson carries the template's metadata and sections.

MkDocs silently drops front matter it cannot parse (and leaves it in the page
body) and crashes with a traceback on a non-UTF-8 file. This hook reads each
page itself, so both become a build failure that names the file and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

import build_report
import openings

# Theme folders hold lessons; their index.md pages are overviews, not lessons.
LESSON_DIRS = ("conduct", "listening", "negotiation", "records", "privacy")

# The template's sections, in reading order: the abstract admonition, then H2s.
SECTIONS = ("要点", "为什么", "怎么做", "推荐话术", "避免", "依据", "自测")
MAX_DESCRIPTION = 80
LESSON_KEYS = {"title", "description", "tags", "questions", "reviewed", "basis"}
PAGE_KEYS = {"title", "description"}
OPTIONAL_KEYS = {"hide", "search", "status", "template", "icon", "questions"}
# `questions`: how agents ask for the page in the search box; search weighs them highly.
QUESTIONS = (3, 12)  # how many
MAX_QUESTION = 24  # characters each: a search-box query, not a paragraph

# libyaml when PyYAML has it: front matter is parsed several times per page per build.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_SECTION = re.compile(
    r'^(?:!!! abstract "(?P<abstract>[^"]+)"|## (?P<heading>[^{\n]+?)\s*(?:\{[^}]*\})?)\s*$',
    re.M,
)


@dataclass(frozen=True)
class Source:
    """A page's text split into front matter and body, as the author wrote it."""

    meta: dict
    body: str
    body_line: int  # 1-based line of the body's first line in the file


# -----------------------------------------------------------------------------
# Reading
# -----------------------------------------------------------------------------


def decode(raw: bytes, path: str) -> str:
    """Decode a docs file as UTF-8, or fail naming the file and the byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PluginError(
            f"{path}: 不是 UTF-8 编码（第 {error.start} 字节无法解码）。"
            f"请用 UTF-8 重新保存此文件。"
        ) from None
    return text.removeprefix("\ufeff")


def split(text: str, path: str) -> Source:
    """Split front matter from the body; malformed front matter fails loudly."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if text.startswith("---"):
            raise PluginError(f"{path}:1: front matter 缺少结束行 '---'。")
        return Source({}, text, 1)
    try:
        meta = yaml.load(match.group(1) or "", Loader=_LOADER) or {}
    except yaml.YAMLError as error:
        # The construct being parsed (context) is where the author has to look.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = f"{mark.line + 2}" if mark else "1"
        reason = getattr(error, "problem", None) or str(error)
        raise PluginError(f"{path}:{line}: front matter 不是有效的 YAML：{reason}") from None
    if not isinstance(meta, dict):
        raise PluginError(f"{path}:2: front matter 必须是“键: 值”形式的映射。")
    return Source(meta, text[match.end():], text[: match.end()].count("\n") + 1)


# -----------------------------------------------------------------------------
# Checking
# -----------------------------------------------------------------------------


def is_lesson(src_uri: str) -> bool:
    folder, _, name = src_uri.partition("/")
    return folder in LESSON_DIRS and name.endswith(".md") and name != "index.md"


def meta_problems(meta: dict, src_uri: str, *, today: dt.date) -> list[str]:
    """Everything wrong with a page's front matter, one message each."""
    lesson = is_lesson(src_uri)
    required = LESSON_KEYS if lesson else PAGE_KEYS
    problems = [f"缺少必填字段 '{key}'" for key in sorted(required - meta.keys())]
    unknown = meta.keys() - LESSON_KEYS - OPTIONAL_KEYS
    problems += [f"未知字段 '{key}'（拼写错误？）" for key in sorted(unknown)]

    for key in ("title", "description"):
        if key in meta and (not isinstance(meta[key], str) or not meta[key].strip()):
            problems.append(f"'{key}' 必须是非空文本")
    description = meta.get("description")
    if isinstance(description, str) and len(description.strip()) > MAX_DESCRIPTION:
        problems.append(
            f"'description' 有 {len(description.strip())} 个字符，上限 {MAX_DESCRIPTION}"
        )
    for key in ("tags", "questions", "basis"):
        if key in meta and not _is_text_list(meta[key]):
            problems.append(f"'{key}' 必须是非空的文本列表")
    if _is_text_list(meta.get("questions")):
        problems += _question_problems(meta["questions"])
    if isinstance(meta.get("basis"), list):
        problems += [
            f"'basis' 条目须以 [V] 或 [S] 结尾（只引用已核实或二手一致的来源）：{item}"
            for item in meta["basis"]
            if isinstance(item, str) and not re.search(r"\[(V|S)\]\s*$", item)
        ]
    if "reviewed" in meta:
        problems += _reviewed_problems(meta["reviewed"], today=today)
    return problems


def page_problems(source: Source, src_uri: str, *, today: dt.date) -> list[str]:
    """Front matter and opening-script problems of any page, plus template problems of a lesson."""
    problems = meta_problems(source.meta, src_uri, today=today)
    problems += [
        f"第 {source.body_line + line - 1} 行：{message}"
        for line, message in openings.problems(source.body)
    ]
    if is_lesson(src_uri):
        problems += section_problems(source.body)
    return problems


def section_problems(body: str) -> list[str]:
    """The template's sections must all appear, once, in order."""
    found = [m.group("abstract") or m.group("heading").strip() for m in _SECTION.finditer(body)]
    found = [name for name in found if name in SECTIONS]
    if found == list(SECTIONS):
        return []
    missing = [name for name in SECTIONS if name not in found]
    if missing:
        return [f"缺少模板章节：{'、'.join(missing)}"]
    return [f"模板章节顺序应为 {' · '.join(SECTIONS)}，实际为 {' · '.join(found)}"]


def _question_problems(questions: list[str]) -> list[str]:
    low, high = QUESTIONS
    problems = []
    if not low <= len(questions) <= high:
        problems.append(f"'questions' 有 {len(questions)} 条，应为 {low}–{high} 条")
    problems += [f"'questions' 的条目超过 {MAX_QUESTION} 个字符（写成坐席会输入的短问句）：{q}"
                 for q in questions if len(q.strip()) > MAX_QUESTION]
    seen: set[str] = set()
    for question in questions:
        if question.strip() in seen:
            problems.append(f"'questions' 有重复条目：{question}")
        seen.add(question.strip())
    return problems


def _is_text_list(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, str) and item.strip() for item in value)
    )


def _reviewed_problems(value: object, *, today: dt.date) -> list[str]:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return [f"'reviewed' 必须是 YYYY-MM-DD 格式的日期，实际为 {value!r}"]
    if value > today:
        return [f"'reviewed' 日期 {value} 晚于今天 {today}"]
    return []


# -----------------------------------------------------------------------------
# Hooks
# -----------------------------------------------------------------------------

_problems: list[str] = []


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _problems.clear()
    build_report.expect("lessons", config)
    return config


def on_page_read_source(*, page: Page, config: MkDocsConfig) -> str:
    path = f"docs/{page.file.src_uri}"
    try:
        raw = page.file.content_bytes
    except OSError as error:
        raise PluginError(f"{path}: 无法读取：{error.strerror}") from None
    text = decode(raw, path)
    try:
        source = split(text, path)
    except PluginError as error:
        # Reported with the guard's findings on this page, in the same round.
        _problems.append(str(error))
        return text
    problems = page_problems(source, page.file.src_uri, today=dt.date.today())
    _problems.extend(f"{path}: {problem}" for problem in problems)
    return text


def on_env(env, *, config: MkDocsConfig, files: Files):
    # Fail once, with the guard's findings, after every page was read and before anything is written.
    build_report.submit("lessons", f"{len(_problems)} 处页面格式问题：", sorted(_problems))
    return env
