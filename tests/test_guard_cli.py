"""The command-line check: same engine and rules as the build, no build."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

CHECK = [sys.executable, str(ROOT / "hooks" / "guard")]


def run(*args: str, cwd: Path = ROOT, check=CHECK) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*check, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_clean_file_passes(tmp_path: Path) -> None:
    page = tmp_path / "ok.md"
    page.write_text("只与本人沟通，联系不上时请对方转告回电。\n", encoding="utf-8")
    result = run(str(page))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "守卫：0 个错误" in result.stderr


def test_coercive_file_fails_with_position(tmp_path: Path) -> None:
    page = tmp_path / "bad.md"
    page.write_text("第一行。\n客户失联就爆他的通讯录。\n", encoding="utf-8")
    result = run(str(page), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("bad.md:2:6: C04 联系无关第三人施压 — 改为：")


def test_json_files_are_read_as_their_string_values(tmp_path: Path) -> None:
    # Escapes cannot hide a phrase; quotes and commas do not change how a value reads.
    hidden = tmp_path / "export.json"
    hidden.write_text('{\n "text": "\\u7206\\u4ed6\\u7684\\u901a\\u8baf\\u5f55"\n}\n', encoding="utf-8")
    result = run(str(hidden), cwd=tmp_path)
    assert result.returncode == 1 and result.stdout.startswith("export.json:2:"), result.stdout
    assert " C04 " in result.stdout
    sound = tmp_path / "lessons.json"
    sound.write_text(json.dumps({"questions": ["客户得了重病", "客户说家人刚去世"]}, ensure_ascii=False, indent=1),
                     encoding="utf-8")
    assert run(str(sound), cwd=tmp_path).returncode == 0


def test_json_format(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("你就是个老赖。\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("半夜给他打过去。\n", encoding="utf-8")
    result = run("--format", "json", str(tmp_path / "a.txt"), str(tmp_path / "b.md"), cwd=tmp_path)
    assert result.returncode == 1
    findings = json.loads(result.stdout)
    assert [(f["path"], f["line"], f["column"], f["rule"], f["level"]) for f in findings] == [
        ("a.txt", 1, 5, "C06", "error"), ("b.md", 1, 1, "C08", "error"),
    ]


def test_directory_and_counterexample(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(
        '!!! failure "反例 · C06"\n\n    你就是个老赖。\n\n正文。\n', encoding="utf-8")
    assert run("docs", cwd=tmp_path).returncode == 0


def test_project_docs_are_clean() -> None:
    result = run()
    assert result.returncode == 0, result.stdout


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.md"))
    assert result.returncode == 2 and "路径不存在" in result.stderr


def test_missing_rules_fail_closed(tmp_path: Path) -> None:
    hooks = tmp_path / "hooks"
    shutil.copytree(ROOT / "hooks", hooks, ignore=shutil.ignore_patterns("__pycache__"))
    (hooks / "guard" / "data" / "rules.yml").unlink()
    page = tmp_path / "ok.md"
    page.write_text("正文。\n", encoding="utf-8")
    result = run(str(page), check=[sys.executable, str(hooks / "guard")])
    assert result.returncode == 2 and "规则无法加载" in result.stderr


def test_many_files_in_parallel_report_what_one_process_does(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(ROOT / "hooks"))
    from guard import cli as guard_check

    (tmp_path / "includes").mkdir()
    (tmp_path / "includes" / "shared.md").write_text("客户失联就爆他的通讯录。\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    count = guard_check.PARALLEL_FROM + 6
    for number in range(count):
        body = ["只与本人沟通。\n"]
        if number % 10 == 3:
            body.append(f"第 {number} 课：半夜给他打过去。\n")
        if number % 25 == 0:
            body.append('--8<-- "shared.md"\n')  # one include from pages in several chunks
        (docs / f"page-{number:03d}.md").write_text("".join(body), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(guard_check, "snippet_bases", lambda config: [tmp_path / "includes"])
    serial = guard_check.check([docs], jobs=1)
    parallel = guard_check.check([docs], jobs=2)
    assert sorted(parallel) == sorted(serial)
    assert [r.message for r in sorted(parallel)] == [r.message for r in sorted(serial)]
    assert sum(r.rule_id == "C08" for r in serial) == len(range(3, count, 10))
    assert [r.path for r in serial if r.rule_id == "C04"] == ["includes/shared.md"]
