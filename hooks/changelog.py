"""Generate changelog.md (最近更新) from the git history of docs/.

Each entry: the date, the commit subject, and the lessons it changed, linked by
title. Without git history (a tarball, or git missing) the page says so and
the build goes on: a history is a convenience, never a reason to fail.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from guard.engine.load import load
from guard.engine.match import scan_text
from guard.engine.rules import RuleError
from lessons import decode, split

PAGE = "changelog.md"
MAX_COMMITS = 40
log = logging.getLogger("mkdocs.hooks.changelog")

_RECORD, _FIELD = "\x1e", "\x1f"


@dataclass(frozen=True)
class Change:
    date: str
    subject: str
    pages: tuple[str, ...]  # src_uri under docs/


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    if files.get_file_from_path(PAGE) is not None:
        raise PluginError(f"docs/{PAGE} 是自动生成的页面，请删除手工文件")
    root = Path(config.config_file_path).parent
    docs = Path(config.docs_dir).resolve().relative_to(root.resolve()).as_posix()
    changes = history(root, docs)
    titles = {f.src_uri: _title(f) for f in files.documentation_pages() if f.abs_src_path}
    files.append(File.generated(config, PAGE, content=render(changes, titles, _shown_subject())))
    return files


def _shown_subject():
    """Commit subjects are history and cannot be edited: one the guard would reject is withheld."""
    try:
        rules = load()
    except RuleError as error:
        raise PluginError(f"无法生成最近更新页，守卫规则无法加载：\n{error}") from None
    return lambda subject: "（说明未显示：含守卫拦截的内容）" if scan_text(subject, rules) else subject


def history(root: Path, docs: str) -> list[Change] | None:
    """Recent commits touching docs/, newest first; None when there is no git history."""
    command = ["git", "log", f"-n{MAX_COMMITS}", "--date=short",
               f"--format={_RECORD}%ad{_FIELD}%s", "--name-only", "--", docs]
    try:
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        log.info("changelog: git 不可用，最近更新页将不列出历史")
        return None
    if result.returncode != 0:
        log.info("changelog: 没有 git 历史（例如从压缩包构建），最近更新页将不列出历史")
        return None
    changes = []
    for record in result.stdout.split(_RECORD)[1:]:
        header, _, names = record.partition("\n")
        date, _, subject = header.partition(_FIELD)
        pages = tuple(
            name.removeprefix(docs + "/") for name in names.split("\n")
            if name.startswith(docs + "/") and name.endswith(".md")
        )
        if pages:
            changes.append(Change(date, subject.strip(), pages))
    return changes


def render(changes: list[Change] | None, titles: dict[str, str], shown=lambda subject: subject) -> str:
    out = ["---", "title: 最近更新", "description: 知识库最近的改动：日期、改了哪些课程、改动说明。",
           "search:", "  exclude: true", "---", "",
           "本页在每次构建时根据版本历史自动生成，列出对课程和参考页的最近改动。", ""]
    if changes is None:
        out.append('!!! info "本次构建没有可用的版本历史，暂无更新记录。"')
        return "\n".join(out) + "\n"
    if not changes:
        out.append("还没有更新记录。")
        return "\n".join(out) + "\n"
    out += ["| 日期 | 改动的页面 | 说明 |", "| --- | --- | --- |"]
    for change in changes:
        # "；" keeps each title its own sentence for the guard: titles side by side
        # (第三方接听与联系人、还款承诺…) would otherwise read as one instruction.
        pages = "；".join(
            f"[{titles[uri]}]({uri})" if uri in titles else f"{uri}（已删除或移动）"
            for uri in change.pages
        )
        subject = shown(change.subject).replace("|", "\\|")
        out.append(f"| {change.date} | {pages} | {subject} |")
    return "\n".join(out) + "\n"


def _title(file: File) -> str:
    path = f"docs/{file.src_uri}"
    try:
        meta = split(decode(Path(file.abs_src_path).read_bytes(), path), path).meta
    except PluginError:
        return file.src_uri  # lessons.py reports the broken front matter
    return str(meta.get("title") or file.src_uri)
