"""Command-line check: the guard's engine and rules, without a build.

    python hooks/guard                 # docs/, includes/, mkdocs.yml, shipped search lists
    python hooks/guard docs/a.md ...   # just these files (pre-commit)
    python hooks/guard --format json   # machine-readable findings
    python hooks/guard --format github # GitHub Actions annotations (…/codequality: GitLab)
    python hooks/guard --site site     # a built site's HTML, whatever built it

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 the check could
not run (missing or invalid rules, a path that does not exist).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from guard.engine import report as guard_report
from guard.engine.load import load
from guard.engine.rules import RuleError
from guard.engine.htmltext import mark_counterexamples
from guard.engine.sources import GuardInputError, Includes, Report, check_file, read_text, rendered_reports

ROOT = Path(__file__).resolve().parents[2]

# search/ lists that ship inside the search index; golden queries and the jieba dictionary do not.
DEFAULT_PATHS = ("docs", "includes", "mkdocs.yml", "search/synonyms.txt", "search/function-words.txt")
# A whole knowledge base (CI, pre-commit --all-files) is spread over the cores;
# a handful of changed files is checked in-process, with no start-up cost.
PARALLEL_FROM = 64


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its !!python tags name."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def snippet_bases(config_file: Path) -> list[Path]:
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_AnyTagLoader) or {}
    except (OSError, yaml.YAMLError):
        return [ROOT / "includes"]
    for extension in config.get("markdown_extensions", []) or []:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            bases = (extension["pymdownx.snippets"] or {}).get("base_path", ["."])
            bases = [bases] if isinstance(bases, str) else bases
            return [(config_file.parent / base).resolve() for base in bases]
    return [ROOT / "includes"]


def files_under(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not any(
            part.startswith(".") for part in p.relative_to(path).parts))
    return [path]


def check(paths: list[Path], *, jobs: int | None = None) -> list[Report]:
    load()  # invalid rules stop the check here, before any file is read
    files = [f for p in paths for f in files_under(p)]
    jobs = jobs or min(os.cpu_count() or 1, 8)
    if jobs < 2 or len(files) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return _check_files(files)
    size = -(-len(files) // (jobs * 4))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    # fork: workers inherit the compiled rules instead of loading them again.
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_check_files, chunks))
    # A snippet included from pages in two chunks is checked twice: report it once.
    unique = {(r.path, r.line, r.column, r.rule_id, r.level, r.message): r for chunk in results for r in chunk}
    return list(unique.values())


def _check_files(files: list[Path]) -> list[Report]:
    ruleset = load()
    includes = Includes(snippet_bases(ROOT / "mkdocs.yml"), Path.cwd())
    reports: list[Report] = []
    for path in files:
        resolved = path.resolve()
        if resolved in includes.checked:
            continue
        includes.checked.add(resolved)
        reports += check_file(path, ruleset, includes)
    return reports


# What a built site ships as text: its pages and the exports beside them (not vendored assets).
SITE_SUFFIXES = {".html", ".htm", ".txt", ".json", ".xml"}
SITE_SKIPPED = {"assets", "search"}
FORMATS = {"text": None, "json": guard_report.as_json, "github": guard_report.as_github,
           "codequality": guard_report.as_code_quality}


def check_site(site: Path) -> list[Report]:
    """Every page and export of a built site, as shipped: so a site built with the
    hooks skipped, or by another generator, is still checked before it is published."""
    ruleset = load()
    includes = Includes([], Path.cwd())
    reports: list[Report] = []
    for path in files_under(site):
        relative = path.relative_to(site)
        if relative.parts[0] in SITE_SKIPPED or path.suffix.lower() not in SITE_SUFFIXES:
            continue
        if path.suffix.lower() not in {".html", ".htm"}:
            reports += check_file(path, ruleset, includes)  # exports are text: checked as written
            continue
        shown = path.as_posix()
        try:
            text = read_text(path)
        except GuardInputError as error:
            reports.append(Report(shown, 1, 1, "GUARD", "error", str(error)))
            continue
        # Another generator does not mark counterexample blocks: mark them as the build does.
        reports += rendered_reports(mark_counterexamples(text), shown, ruleset)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="检查文件中是否含有被禁止的胁迫性催收手段。")
    parser.add_argument("paths", nargs="*", type=Path, help="要检查的文件或目录（默认：docs、includes、mkdocs.yml 和随索引发布的搜索词表）")
    parser.add_argument("--format", choices=tuple(FORMATS), default="text",
                        help="text（默认）、json、github（GitHub Actions 注释）或 codequality（GitLab Code Quality 报告）")
    parser.add_argument("--site", type=Path, help="检查构建好的站点目录（HTML 与导出文件），发布前使用")
    args = parser.parse_args(argv)
    paths = args.paths or ([] if args.site else [ROOT / p for p in DEFAULT_PATHS if (ROOT / p).exists()])
    missing = [str(p) for p in [*paths, *([args.site] if args.site else [])] if not p.exists()]
    if missing:
        print(f"guard: 路径不存在：{', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        reports = (check_site(args.site) if args.site else []) + (check(paths) if paths else [])
    except RuleError as error:
        print(f"guard: 规则无法加载，检查未进行：\n{error}", file=sys.stderr)
        return 2
    render = FORMATS[args.format]
    if render is not None:
        print(render(reports))
    else:
        for line in guard_report.lines(reports):
            print(line)
    print(guard_report.summary(reports), file=sys.stderr)
    return 1 if any(r.is_error for r in reports) else 0

