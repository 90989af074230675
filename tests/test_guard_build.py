"""The guard through real `mkdocs build` runs: what ships is checked, by every
path it can take, and the build fails once, before writing, with exact positions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT

PAGE = "---\ntitle: 测试页\ndescription: 测试。\n---\n\n"
CLEAN = PAGE + "接通后先表明身份，再确认是否本人。\n"
COERCIVE = "联系不上就爆他的通讯录。"


def config(hooks: Path, **extra: str) -> str:
    base = f"""
        site_name: 守卫测试站
        theme:
          name: material
          language: zh
          font: false
        plugins: []
        hooks:
          - {hooks / 'guard' / 'build' / 'hook.py'}
        markdown_extensions:
          - admonition
          - attr_list
          - md_in_html
          - pymdownx.details
          - pymdownx.superfences
          - pymdownx.snippets:
              base_path: [includes]
              check_paths: true
        """
    return textwrap.dedent(base) + "".join(f"{key}:\n{value}\n" for key, value in extra.items())


def site(tmp_path: Path, pages: dict[str, str | bytes], *, hooks: Path = ROOT / "hooks", **extra: str) -> Path:
    root = tmp_path / "site-src"
    for name, content in {"docs/index.md": CLEAN, **pages}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (root / "mkdocs.yml").write_text(config(hooks, **extra), encoding="utf-8")
    return root


def build(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", *extra],
        cwd=root, capture_output=True, text=True, timeout=300,
    )


def rejected(root: Path) -> str:
    result = build(root)
    assert result.returncode != 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not (root / "site" / "index.html").exists(), "the guard must fail before anything is written"
    return result.stderr


def test_clean_site_builds(tmp_path: Path) -> None:
    root = site(tmp_path, {"docs/a.md": CLEAN})
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert "守卫：0 个错误" in result.stderr


def test_coercive_page_fails_with_exact_position(tmp_path: Path) -> None:
    root = site(tmp_path, {"docs/privacy/a.md": PAGE + "第一段没有问题。\n\n客户失联时，" + COERCIVE + "\n"})
    stderr = rejected(root)
    # Line 8 of the file; the match starts at 爆, column 12 (客户失联时，联系不上就爆…).
    assert "docs/privacy/a.md:8:12: C04 联系无关第三人施压 — 改为：" in stderr
    assert "（见 privacy/third-parties/）" in stderr
    assert "守卫：1 个错误" in stderr and "C04 × 1" in stderr


def test_quiet_mode_still_fails(tmp_path: Path) -> None:
    root = site(tmp_path, {"docs/a.md": PAGE + COERCIVE})
    result = build(root, "-q")
    assert result.returncode != 0


def test_every_bad_page_is_reported_in_one_run(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "docs/a.md": PAGE + COERCIVE + "\n",
        "docs/b.md": PAGE + "你就是个老赖。\n",
        "docs/c/d.md": PAGE + "凌晨给他打过去，他最没防备。\n",
    })
    stderr = rejected(root)
    lines = [line for line in stderr.splitlines() if line.startswith("docs/")]
    assert [line.split(":")[0] for line in lines] == ["docs/a.md", "docs/b.md", "docs/c/d.md"]
    assert "守卫：3 个错误" in stderr


@pytest.mark.parametrize(("name", "pages", "expected"), [
    ("front matter title", {"docs/a.md": "---\ntitle: 爆通讯录的技巧\n---\n正文。\n"}, "docs/a.md:2:8: C04"),
    ("front matter tags", {"docs/a.md": "---\ntitle: 标题\ntags:\n  - 半夜给他打\n---\n正文。\n"}, "docs/a.md:4:5: C08"),
    # Search weighs questions highly, and they ship in the index: checked like any text.
    ("front matter questions", {"docs/a.md": "---\ntitle: 标题\nquestions:\n  - 怎么爆他的通讯录\n---\n正文。\n"},
     "docs/a.md:4:7: C04"),
    ("HTML comment", {"docs/a.md": PAGE + "<!-- 联系不上就爆他的通讯录 -->\n正文。\n"}, "docs/a.md:6:11: C04"),
    ("raw HTML block", {"docs/a.md": PAGE + '<div class="x">\n  <p>你就是个老赖。</p>\n</div>\n'}, "docs/a.md:7:10: C06"),
    ("inline code", {"docs/a.md": PAGE + "话术：`你就是个老赖`。\n"}, "docs/a.md:6:9: C06"),
    ("code block", {"docs/a.md": PAGE + "```text\n凌晨给他打过去\n```\n"}, "docs/a.md:7:1: C08"),
    ("link title", {"docs/a.md": PAGE + '[见此](index.md "爆他的通讯录")\n'}, "docs/a.md:6:16: C04"),
    ("image alt", {"docs/a.md": PAGE + "![你就是个老赖](x.png)\n", "docs/x.png": b"\x89PNG\r\n"}, "docs/a.md:6:7: C06"),
    ("admonition title", {"docs/a.md": PAGE + '!!! tip "爆他的通讯录"\n\n    正文。\n'}, "docs/a.md:6:10: C04"),
    ("table cell", {"docs/a.md": PAGE + "| 情境 | 话术 |\n| --- | --- |\n| 失联 | 爆他的通讯录 |\n"}, "docs/a.md:8:8: C04"),
    ("traditional characters", {"docs/a.md": PAGE + "聯繫不上就爆他的通訊錄。\n"}, "docs/a.md:6:6: C04"),
    ("inserted spaces", {"docs/a.md": PAGE + "联系不上就爆 他 的 通 讯 录。\n"}, "docs/a.md:6:6: C04"),
    ("zero-width characters", {"docs/a.md": PAGE + "联系不上就爆\u200b通\u200d讯\u2060录。\n"}, "docs/a.md:6:6: C04"),
    ("full-width forms", {"docs/a.md": PAGE + "联系不上就爆ＴＸＬ。\n"}, "docs/a.md:6:6: C04"),
    (".txt attachment", {"docs/files/script.txt": "第一行\n半夜给他打电话。\n"}, "docs/files/script.txt:2:1: C08"),
    (".html attachment", {"docs/files/page.html": "<p>你就是个老赖。</p>\n"}, "docs/files/page.html:1:8: C06"),
    (".csv attachment", {"docs/files/t.csv": "情境,话术\n失联,爆他的通讯录\n"}, "docs/files/t.csv:2:4: C04"),
    (".svg attachment", {"docs/files/a.svg": '<svg xmlns="http://www.w3.org/2000/svg"><text>老赖</text></svg>'}, "docs/files/a.svg:1:47: C06"),
    ("PDF attachment", {"docs/files/a.pdf": b"%PDF-1.4\n"}, "docs/files/a.pdf:1:1: GUARD 无法检查 .pdf"),
    ("Word attachment", {"docs/files/a.docx": b"PK\x03\x04"}, "docs/files/a.docx:1:1: GUARD 无法检查 .docx"),
    ("non-UTF-8 attachment", {"docs/files/gbk.txt": "老赖".encode("gbk")}, "docs/files/gbk.txt:1:1: GUARD 不是 UTF-8"),
])
def test_bypass_is_blocked(tmp_path: Path, name: str, pages: dict, expected: str) -> None:
    stderr = rejected(site(tmp_path, pages))
    assert expected in stderr, stderr[-3000:]


def test_snippet_include_is_reported_at_its_own_path(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "docs/a.md": PAGE + '正文。\n\n--8<-- "scripts.md"\n',
        "includes/scripts.md": "第一行。\n\n客户失联时，" + COERCIVE + "\n",
    })
    assert "includes/scripts.md:3:12: C04" in rejected(root)


def test_block_snippet_include_is_checked(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "docs/a.md": PAGE + "正文。\n\n--8<--\nok.md\nbad.md\n--8<--\n",
        "includes/ok.md": "没问题。\n",
        "includes/bad.md": "你就是个老赖。\n",
    })
    assert "includes/bad.md:1:5: C06" in rejected(root)


def test_auto_appended_snippet_is_checked(tmp_path: Path) -> None:
    root = site(tmp_path, {"includes/abbr.md": "*[CS]: 催收\n*[LL]: 老赖专用话术\n"})
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(text.replace("check_paths: true", "check_paths: true\n      auto_append: [abbr.md]"),
                                     encoding="utf-8")
    assert "includes/abbr.md:2:8: C06" in rejected(root)


def test_nav_title_and_site_strings_are_checked(tmp_path: Path) -> None:
    root = site(tmp_path, {"docs/a.md": CLEAN}, nav="  - 首页: index.md\n  - 爆通讯录指南: a.md",
                copyright="  半夜打电话效果最好")
    stderr = rejected(root)
    assert "mkdocs.yml:" in stderr and ": C04" in stderr and ": C08" in stderr


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    stderr = rejected(site(tmp_path, {"docs/files/blob.bin": b"\x00\x01"}))
    assert "docs/files/blob.bin:1:1: GUARD 未知的文件类型 .bin" in stderr


COUNTEREXAMPLE = PAGE + textwrap.dedent("""\
    正确的做法是只与本人沟通。

    !!! failure "反例 · C04"

        联系不上就爆他的通讯录。{extra}

    后文继续。
    """)


def test_counterexample_block_suppresses_its_named_rule(tmp_path: Path) -> None:
    root = site(tmp_path, {"docs/a.md": COUNTEREXAMPLE.format(extra="")})
    result = build(root)
    assert result.returncode == 0, result.stderr
    html = (root / "site/a/index.html").read_text(encoding="utf-8")
    assert 'class="admonition failure counterexample"' in html
    assert "data-search-exclude" in html


def test_counterexample_block_still_checks_other_rules(tmp_path: Path) -> None:
    root = site(tmp_path, {"docs/a.md": COUNTEREXAMPLE.format(extra="你就是个老赖。")})
    stderr = rejected(root)
    assert "docs/a.md:10:21: C06" in stderr and ": C04" not in stderr


def test_counterexample_block_covers_only_its_own_lines(tmp_path: Path) -> None:
    page = COUNTEREXAMPLE.format(extra="") + "\n" + COERCIVE + "\n"
    stderr = rejected(site(tmp_path, {"docs/a.md": page}))
    assert "docs/a.md:14:" in stderr and ": C04" in stderr


@pytest.mark.parametrize(("title", "message"), [
    ("反例", "必须在标题中写明"),
    ("反例 · C99", "不存在的规则 C99"),
])
def test_counterexample_block_must_name_real_rules(tmp_path: Path, title: str, message: str) -> None:
    page = COUNTEREXAMPLE.format(extra="").replace("反例 · C04", title)
    assert message in rejected(site(tmp_path, {"docs/a.md": page}))


def test_counterexample_is_kept_out_of_the_search_index(tmp_path: Path) -> None:
    root = site(tmp_path, {"docs/a.md": COUNTEREXAMPLE.format(extra="")})
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(text.replace("plugins: []", "plugins:\n  - search"), encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    index = json.loads((root / "site/search/search_index.json").read_text(encoding="utf-8"))
    # jieba joins the words it finds with U+200B; read the text without them.
    text = " ".join(doc["text"] + doc["title"] for doc in index["docs"]).replace("\u200b", "")
    assert "后文继续" in text and "正确的做法" in text
    assert "通讯录" not in text


@pytest.mark.parametrize("breakage", ["missing", "invalid", "failing spec"])
def test_broken_rule_data_fails_the_build(tmp_path: Path, breakage: str) -> None:
    hooks = tmp_path / "hooks"
    shutil.copytree(ROOT / "hooks", hooks, ignore=shutil.ignore_patterns("__pycache__"))
    rules = hooks / "guard" / "data" / "rules.yml"
    if breakage == "missing":
        rules.unlink()
    elif breakage == "invalid":
        rules.write_text("rules: [unclosed\n", encoding="utf-8")
    else:
        text = rules.read_text(encoding="utf-8")
        rules.write_text(text.replace("        - 下班路上小心点，最近不太平。\n", "        - 今天天气不错。\n"), encoding="utf-8")
    stderr = rejected(site(tmp_path, {"docs/a.md": CLEAN}, hooks=hooks))
    assert "守卫规则无法加载" in stderr


def test_project_docs_pass_the_guard(built_site: Path) -> None:
    # The real project builds with the guard on (built_site asserts a clean --strict build).
    assert (built_site / "compliance/prohibited/index.html").is_file()


def test_warning_level_reports_without_failing(tmp_path: Path) -> None:
    hooks = tmp_path / "hooks"
    shutil.copytree(ROOT / "hooks", hooks, ignore=shutil.ignore_patterns("__pycache__"))
    rules = hooks / "guard" / "data" / "rules.yml"
    text = rules.read_text(encoding="utf-8")
    start = text.index("  - id: C06")
    rules.write_text(text[:start] + text[start:].replace("level: error", "level: warning", 1), encoding="utf-8")
    root = site(tmp_path, {"docs/a.md": PAGE + "你就是个老赖。\n"}, hooks=hooks)
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert "docs/a.md:6:5: C06" in result.stderr and "警告，不阻止发布" in result.stderr


# -- the backstop: text that only appears once the page is rendered ---------------

# Character references only: no Chinese in the source for the rules or the learned signal to read.
ENTITY_INSULT = PAGE + "话术：&#20320;&#23601;&#26159;&#20010;&#32769;&#36182;。\n"


@pytest.mark.parametrize("worker", ["0", "1"], ids=["in-process", "worker-process"])
def test_source_and_rendered_text_are_checked_in_either_process(tmp_path: Path, worker: str) -> None:
    root = site(tmp_path, {"docs/a.md": ENTITY_INSULT, "docs/b.md": CLEAN, "docs/c.md": PAGE + COERCIVE + "\n"})
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "KB_GUARD_WORKER": worker})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert not (root / "site" / "index.html").exists()
    line = next(line for line in result.stderr.splitlines() if line.startswith("docs/a.md: C06 "))
    assert "（出现在渲染后的页面中：“" in line and "你就是个老赖" in line, line
    # The source scan, in the same process or the worker, still points at line and column.
    assert "docs/c.md:6:6: C04 联系无关第三人施压" in result.stderr
    assert "守卫：2 个错误" in result.stderr


def test_worker_process_passes_a_clean_site(tmp_path: Path) -> None:
    root = site(tmp_path, {f"docs/p{n}.md": CLEAN for n in range(30)})
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "KB_GUARD_WORKER": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "守卫：0 个错误" in result.stderr


def test_a_failing_worker_means_scanning_in_process_not_skipping(monkeypatch, caplog) -> None:
    import dataclasses
    import logging

    from guard.build import pages as guard_pages
    from guard.engine.load import load

    monkeypatch.setenv(guard_pages.WORKER_ENV, "1")
    rules = load()
    broken = dataclasses.replace(rules, text="rules: [")  # the worker cannot load these
    checks = guard_pages.PageChecks(broken, pages=1)
    assert checks.in_worker
    checks.check(guard_pages.SOURCE, "第一行。\n" + COERCIVE + "\n", "docs/a.md")
    checks.check(guard_pages.RENDERED, "<p>你就是个&#32769;&#36182;。</p>", "docs/a.md")
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.guard"):
        results = checks.results()
    assert checks.fallback and "RuleError" in checks.fallback
    assert "改在本进程检查页面" in caplog.text
    assert [(kind, [(r.line, r.column, r.rule_id) for r in reports]) for kind, _, reports in results] == [
        ("source", [(2, 6, "C04")]), ("rendered", [(0, 0, "C06")])]


def test_unchanged_pages_are_not_scanned_again(monkeypatch) -> None:
    """`mkdocs serve` rebuilds: same rules, same page, same text -> the earlier result."""
    import dataclasses

    from guard.build import pages as guard_pages
    from guard.engine.load import load

    monkeypatch.setenv(guard_pages.WORKER_ENV, "0")
    monkeypatch.setattr(guard_pages, "_cache", {})
    rules = load()

    def build(ruleset, pages: dict[str, str]) -> guard_pages.PageChecks:
        checks = guard_pages.PageChecks(ruleset, pages=len(pages))
        for shown, text in pages.items():
            checks.check(guard_pages.SOURCE, text, shown)
        checks.results()
        return checks

    pages = {"docs/a.md": "第一行。\n" + COERCIVE + "\n", "docs/b.md": "正文。\n"}
    assert build(rules, pages).scanned == 2
    again = build(rules, pages)
    assert again.scanned == 0
    assert [(shown, [r.rule_id for r in reports]) for _, shown, reports in again.results()] == [
        ("docs/a.md", ["C04"]), ("docs/b.md", [])]
    assert build(rules, {**pages, "docs/b.md": "正文，改了。\n"}).scanned == 1  # only the edited page
    other_rules = dataclasses.replace(rules, text=rules.text + "\n# reviewed\n")
    assert build(other_rules, pages).scanned == 2  # new rules: everything again
