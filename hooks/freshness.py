"""Compliance review dates: lessons reviewed too long ago are reported and listed.

`reviewed` in a lesson's front matter is the date compliance last reviewed it
(lessons.py already fails the build when it is missing or in the future). A
lesson older than `extra.review_period_days` (default 365) produces a build
warning that does not block publishing, and appears on the generated page
trainers/review-due.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from lessons import decode, is_lesson, split

PAGE = "trainers/review-due.md"
DEFAULT_PERIOD_DAYS = 365
# Not under "mkdocs": the warning is shown, but --strict does not turn it into a failure.
log = logging.getLogger("knowledge_base.review")


@dataclass(frozen=True)
class Due:
    src_uri: str
    title: str
    reviewed: dt.date
    age_days: int


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    period = review_period(config)
    due = overdue(files, today=dt.date.today(), period_days=period)
    for item in due:
        log.warning(f"docs/{item.src_uri}: 合规审核已过去 {item.age_days} 天（{item.reviewed}），"
                    f"超过 {period} 天的复审周期，请安排复审并更新 reviewed")
    if files.get_file_from_path(PAGE) is not None:
        raise PluginError(f"docs/{PAGE} 是自动生成的页面，请删除手工文件")
    files.append(File.generated(config, PAGE, content=render(due, period)))
    return files


def review_period(config: MkDocsConfig) -> int:
    value = (config.extra or {}).get("review_period_days", DEFAULT_PERIOD_DAYS)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise PluginError(f"mkdocs.yml extra.review_period_days 必须是正整数（天），实际为 {value!r}")
    return value


def overdue(files: Files, *, today: dt.date, period_days: int) -> list[Due]:
    due = []
    for file in files.documentation_pages():
        if not is_lesson(file.src_uri) or not file.abs_src_path:
            continue
        path = f"docs/{file.src_uri}"
        try:
            source = split(decode(Path(file.abs_src_path).read_bytes(), path), path)
        except PluginError:
            continue  # lessons.py reports it, with the guard's findings, in the same round
        reviewed = source.meta.get("reviewed")
        if isinstance(reviewed, dt.date) and not isinstance(reviewed, dt.datetime):
            age = (today - reviewed).days
            if age > period_days:
                due.append(Due(file.src_uri, str(source.meta.get("title", file.src_uri)), reviewed, age))
    return sorted(due, key=lambda item: item.reviewed)


def render(due: list[Due], period_days: int) -> str:
    out = [
        "---",
        "title: 待复审课程",
        f"description: 合规审核日期超过 {period_days} 天的课程，按审核日期从早到晚排列。",
        "---",
        "",
        f"本页在每次构建时根据各课 front matter 中的 `reviewed`（合规审核日期）自动生成。"
        f"审核日期距今超过 {period_days} 天的课程会列在这里，构建日志中也会给出警告。"
        "复审后更新该课的 `reviewed` 日期，它就会从本页消失。",
        "",
    ]
    if not due:
        out.append('!!! success "目前没有需要复审的课程"')
        return "\n".join(out) + "\n"
    out += ["| 课程 | 上次审核 | 已过去 |", "| --- | --- | --- |"]
    for item in due:
        link = "../" + item.src_uri
        out.append(f"| [{item.title}]({link}) | {item.reviewed} | {item.age_days} 天 |")
    return "\n".join(out) + "\n"
