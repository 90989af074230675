"""Every way the guard reports: one round per build, annotations on the line in a
pull or merge request, and a check of the built site before anything is published."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT, copy_project, run_build

GUARD = [sys.executable, str(ROOT / "hooks" / "guard")]
COERCIVE = "联系不上就爆他的通讯录，挨个打。"


def guard(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GUARD, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def page_with_finding(tmp_path: Path) -> Path:
    page = tmp_path / "docs" / "bad.md"
    page.parent.mkdir(parents=True)
    page.write_text(f"# 标题\n\n第一段。\n\n{COERCIVE}\n", encoding="utf-8")
    return page


def test_one_build_reports_page_format_problems_and_guard_findings_together(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    # Broken front matter and a finding on the same page, a template problem on another.
    broken = project / "docs" / "conduct" / "etiquette.md"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("tags:", "tags: [unclosed\nx:", 1) + f"\n{COERCIVE}\n", encoding="utf-8")
    other = project / "docs" / "listening" / "questioning.md"
    other.write_text(other.read_text(encoding="utf-8").replace("## 避免 {#avoid}", "## 不要 {#avoid}"), encoding="utf-8")
    result = run_build(project)
    assert result.returncode != 0
    stderr = result.stderr
    assert "页面格式问题" in stderr and "守卫拦截了以下内容" in stderr
    assert "docs/conduct/etiquette.md:" in stderr and "front matter 不是有效的 YAML" in stderr
    assert "docs/listening/questioning.md: 缺少模板章节：避免" in stderr
    assert re.search(r"docs/conduct/etiquette\.md:\d+:\d+: C04", stderr)
    assert stderr.count("Aborted with a BuildError") <= 1 and "Traceback" not in stderr


def test_github_annotations_point_at_the_line(tmp_path: Path) -> None:
    page = page_with_finding(tmp_path)
    result = guard("--format", "github", str(page))
    assert result.returncode == 1
    (line,) = [row for row in result.stdout.splitlines() if row.startswith("::")]
    assert re.fullmatch(rf"::error file={re.escape(str(page))},line=5,col=\d+,title=守卫 C04::.+", line), line
    assert "%0A" not in line.split("::", 2)[1]


def test_code_quality_report_is_what_gitlab_reads(tmp_path: Path) -> None:
    page = page_with_finding(tmp_path)
    result = guard("--format", "codequality", str(page))
    assert result.returncode == 1
    issues = json.loads(result.stdout)
    assert issues and all(set(i) == {"description", "check_name", "fingerprint", "severity", "location"}
                          for i in issues)
    issue = issues[0]
    assert issue["check_name"] == "guard-C04" and issue["severity"] == "critical"
    assert issue["location"] == {"path": str(page), "lines": {"begin": 5}}
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_site_check_passes_the_real_site(built_site: Path) -> None:
    # Trainer pages carry labelled counterexample blocks: they ship, and stay exempt.
    result = guard("--site", str(built_site))
    assert result.returncode == 0, result.stdout[-3000:]


def test_site_check_blocks_a_site_built_without_the_hooks(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    page = project / "docs" / "conduct" / "etiquette.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{COERCIVE}\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(re.sub(r"\nhooks:\n(?:  - .*\n)+", "\n", config.read_text(encoding="utf-8")), encoding="utf-8")
    # Not --strict: without the hooks the generated pages the nav names are missing.
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(project / "site")],
                           cwd=project, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]  # no hooks: nothing stopped it
    result = guard("--site", str(project / "site"))
    assert result.returncode == 1
    assert "conduct/etiquette/index.html" in result.stdout and "C04" in result.stdout


def test_publish_jobs_check_the_built_site_before_deploying() -> None:
    github = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["deploy"]["steps"]
    runs = [step.get("run", "") + step.get("uses", "") for step in steps]
    check = next(i for i, run in enumerate(runs) if "make check-site" in run)
    assert check < next(i for i, run in enumerate(runs) if "upload-pages-artifact" in run)
    assert any("--format github" in step.get("run", "") for step in github["jobs"]["test"]["steps"])
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    script = gitlab["pages"]["script"]
    assert script.index("make check-site") < next(i for i, line in enumerate(script) if "mv site public" in line)
    assert gitlab["guard-report"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
