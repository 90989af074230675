"""Command-line check: the guard's engine and rules, without a build.

    python hooks/guard_check.py                 # docs/, includes/, mkdocs.yml, shipped search lists
    python hooks/guard_check.py docs/a.md ...   # just these files (pre-commit)
    python hooks/guard_check.py --format json   # machine-readable findings

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

HOOKS = Path(__file__).resolve().parent
ROOT = HOOKS.parent
sys.path.insert(0, str(HOOKS))

import guard_report  # noqa: E402
from guard_rules import RuleError, load  # noqa: E402
from guard_sources import Includes, Report, check_file  # noqa: E402

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="检查文件中是否含有被禁止的胁迫性催收手段。")
    parser.add_argument("paths", nargs="*", type=Path, help="要检查的文件或目录（默认：docs、includes、mkdocs.yml 和随索引发布的搜索词表）")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    paths = args.paths or [ROOT / p for p in DEFAULT_PATHS if (ROOT / p).exists()]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"guard: 路径不存在：{', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        reports = check(paths)
    except RuleError as error:
        print(f"guard: 规则无法加载，检查未进行：\n{error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(guard_report.as_json(reports))
    else:
        for line in guard_report.lines(reports):
            print(line)
        print(guard_report.summary(reports), file=sys.stderr)
    return 1 if any(r.is_error for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
