"""The guard: the build fails before anything is written if any page, include,
attachment, nav title or rendered page carries a flagged coercive tactic.

Rules live in guard/data/rules.yml; the engine (guard/engine/) is shared with
the command-line check (`python hooks/guard`). Findings are collected over the whole build and
reported once, in `on_env`, which runs after every page is rendered and before
any file is written. Missing or broken rule data fails the build: the guard
fails closed.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

# MkDocs puts only this file's folder on sys.path while it loads a hook.
_HOOKS = str(Path(__file__).resolve().parents[2])
if _HOOKS not in sys.path:
    sys.path.insert(0, _HOOKS)

import build_report  # noqa: E402
from guard.build.pages import RENDERED, SOURCE, PageChecks  # noqa: E402
from guard.engine import report as guard_report  # noqa: E402
from guard.engine.htmltext import mark_counterexamples  # noqa: E402
from guard.engine.load import load  # noqa: E402
from guard.engine.rules import RuleError, RuleSet  # noqa: E402
from guard.engine.sources import (  # noqa: E402
    Includes, Report, check_file, check_includes, display_path, missing_snippets,
)

log = logging.getLogger("mkdocs.hooks.guard")


class _Build:
    """What one build has found so far."""

    def __init__(self, ruleset: RuleSet, includes: Includes) -> None:
        self.ruleset = ruleset
        self.includes = includes
        self.reports: list[Report] = []
        self.source_rules: dict[str, set[str]] = {}  # page path -> rule ids found in its sources
        self.pages: PageChecks | None = None  # page scans, in this process or a worker


_build: _Build | None = None


def _state() -> _Build:
    if _build is None:
        raise PluginError("守卫未初始化：on_config 没有运行，拒绝在未检查的情况下构建")
    return _build


# -----------------------------------------------------------------------------
# Hooks
# -----------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _build
    build_report.expect("guard", config)
    try:
        ruleset = load()
    except RuleError as error:
        _build = None
        raise PluginError(f"守卫规则无法加载，构建已停止（守卫不会在没有规则时放行）：\n{error}") from None
    root = Path(config.config_file_path).parent
    _build = _Build(ruleset, Includes(_snippet_bases(config, root), root))
    # Site strings and nav titles ship on every page: check mkdocs.yml as written.
    _build.reports += check_file(Path(config.config_file_path), ruleset, _build.includes)
    return config


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    build = _state()
    build.pages = PageChecks(build.ruleset, pages=len(files.documentation_pages()))
    docs = Path(config.docs_dir).resolve()
    for file in files:
        if file.is_documentation_page() or not file.abs_src_path:
            continue  # pages are checked as they are read; generated files have no source
        path = Path(file.abs_src_path).resolve()
        if docs in path.parents:
            build.reports += check_file(path, build.ruleset, build.includes)
    for path in _auto_appended(config, build.includes):
        if path not in build.includes.checked:
            build.includes.checked.add(path)
            build.reports += check_file(path, build.ruleset, build.includes)
    return files


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    build = _state()
    shown = _page_path(page.file, config)
    # The whole source as written (front matter included), not the stripped body.
    source = page.file.content_string
    missing = missing_snippets(source, build.includes)
    if missing:
        # Fail now: pymdownx.snippets would otherwise stop the build with a traceback.
        raise PluginError(f"{shown}: 引用的片段文件不存在：{', '.join(missing)}"
                          f"（在 {', '.join(str(b) for b in build.includes.base_paths)} 中查找）")
    _pages(build).check(SOURCE, source, shown)
    reports = check_includes(source, build.ruleset, build.includes,
                             origin=Path(page.file.abs_src_path) if page.file.abs_src_path else None)
    build.reports += reports
    build.source_rules[shown] = {r.rule_id for r in reports}
    return markdown


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    build = _state()
    html = mark_counterexamples(html)
    # Backstop: whatever reached the page, by any path, is checked once more.
    _pages(build).check(RENDERED, html, _page_path(page.file, config))
    return html


def on_env(env, *, config: MkDocsConfig, files: Files):
    build = _state()
    scanned = _pages(build).results()
    for kind, shown, reports in scanned:
        if kind == SOURCE:
            build.reports += reports
            build.source_rules.setdefault(shown, set()).update(r.rule_id for r in reports)
    for kind, shown, reports in scanned:
        if kind == RENDERED:
            # A rule already reported from the page's source is not reported twice.
            seen = build.source_rules.get(shown, set())
            build.reports += [report for report in reports if report.rule_id not in seen]
    lines = guard_report.lines(build.reports)
    for report, line in zip(sorted(build.reports), lines):
        if not report.is_error:
            log.info(line)
    errors = any(report.is_error for report in build.reports)
    if not errors:
        log.info(guard_report.summary(build.reports))
    # Page-format problems (lessons.py) and these findings fail the build together, once.
    build_report.submit("guard", "守卫拦截了以下内容，站点未生成：",
                        lines + [guard_report.summary(build.reports)] if errors else [])
    return env


def on_build_error(*, error: Exception) -> None:
    # A build that stops early must not leave a worker process behind.
    if _build is not None and _build.pages is not None:
        _build.pages.close()


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------


def _pages(build: _Build) -> PageChecks:
    if build.pages is None:
        raise PluginError("守卫未初始化：on_files 没有运行，拒绝在未检查的情况下构建")
    return build.pages


def _page_path(file: File, config: MkDocsConfig) -> str:
    root = Path(config.config_file_path).parent
    docs = Path(config.docs_dir)
    return display_path(docs / file.src_uri, root)


def _snippets_config(config: MkDocsConfig) -> dict:
    return config.mdx_configs.get("pymdownx.snippets", {}) or {}


def _snippet_bases(config: MkDocsConfig, root: Path) -> list[Path]:
    bases = _snippets_config(config).get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    return [(root / base).resolve() for base in bases]


def _auto_appended(config: MkDocsConfig, includes: Includes) -> list[Path]:
    names = _snippets_config(config).get("auto_append", []) or []
    found = []
    for name in names:
        path = includes.resolve(name)
        if path is None:
            raise PluginError(f"pymdownx.snippets auto_append 引用的文件不存在：{name}")
        found.append(path)
    return found
