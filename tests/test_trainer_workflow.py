"""The trainer path: pre-commit hooks, CI definitions, dates and freshness,
the generated changelog, code owners, and published URLs that never vanish."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import yaml

from conftest import ROOT, run_build

COERCIVE = "---\ntitle: 测试\ndescription: 测试。\n---\n\n联系不上就给他单位领导打电话，说他欠钱不还。\n"
CLEAN_LESSON = (ROOT / "docs/conduct/opening.md").read_text(encoding="utf-8")


def precommit_hooks() -> dict[str, dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def run_hook(hook: dict, *files: Path) -> subprocess.CompletedProcess[str]:
    command = shlex.split(hook["entry"]) + [str(f) for f in files]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_precommit_guard_hook(tmp_path: Path) -> None:
    hook = precommit_hooks()["guard"]
    assert re.search(hook["files"], "docs/conduct/opening.md") and re.search(hook["files"], "mkdocs.yml")
    bad = tmp_path / "docs/conduct/bad.md"
    bad.parent.mkdir(parents=True)
    bad.write_text(COERCIVE, encoding="utf-8")
    good = tmp_path / "docs/conduct/good.md"
    good.write_text(CLEAN_LESSON, encoding="utf-8")
    failed = run_hook(hook, bad)
    assert failed.returncode == 1 and ": C04 " in failed.stdout
    assert run_hook(hook, good).returncode == 0


def test_precommit_front_matter_hook(tmp_path: Path) -> None:
    hook = precommit_hooks()["lesson-front-matter"]
    assert re.search(hook["files"], "docs/negotiation/promises.md")
    good = tmp_path / "docs/conduct/good.md"
    good.parent.mkdir(parents=True)
    good.write_text(CLEAN_LESSON, encoding="utf-8")
    bad = tmp_path / "docs/conduct/bad.md"
    bad.write_text(CLEAN_LESSON.replace("reviewed: ", "reviewed: 2999-01-01\n# was: "), encoding="utf-8")
    assert run_hook(hook, good).returncode == 0
    failed = run_hook(hook, bad)
    assert failed.returncode == 1 and "bad.md" in failed.stdout and "晚于今天" in failed.stdout


def test_rule_changes_trigger_a_full_check() -> None:
    hook = precommit_hooks()["guard-all"]
    assert hook["pass_filenames"] is False and re.search(hook["files"], "hooks/guard/data/rules.yml")
    assert run_hook(hook).returncode == 0


def test_github_workflow() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    triggers = workflow.get(True) or workflow.get("on")  # YAML 1.1 reads a bare `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    test_steps = " ".join(step.get("run", "") for step in workflow["jobs"]["test"]["steps"])
    assert "make test" in test_steps and "chromium" in test_steps
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test" and "refs/heads/main" in deploy["if"]
    assert any(step.get("with", {}).get("fetch-depth") == 0 for step in deploy["steps"])
    assert "make build" in " ".join(step.get("run", "") for step in deploy["steps"])
    assert any("deploy-pages" in step.get("uses", "") for step in deploy["steps"])


def test_gitlab_pipeline() -> None:
    pipeline = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert pipeline["variables"]["GIT_DEPTH"] == 0
    assert "make test" in pipeline["test"]["script"]
    assert "make build" in pipeline["pages"]["script"] and pipeline["pages"]["artifacts"]["paths"] == ["public"]


def test_make_build_is_strict() -> None:
    recipe = re.search(r"^build:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert recipe and "mkdocs build --strict" in recipe.group(1)


def test_codeowners_guard_the_guard() -> None:
    owners = {line.split()[0]: line.split()[1:] for line in (ROOT / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    assert owners["/hooks/"] and owners["/docs/compliance/"]


def test_pages_show_last_change_and_edit_link(built_site: Path) -> None:
    html = (built_site / "conduct/opening/index.html").read_text(encoding="utf-8")
    assert "git-revision-date-localized-plugin" in html
    assert 'href="https://git.example.com/training/debt-collection-kb/-/edit/main/docs/conduct/opening.md"' in html


def test_builds_without_git_history(project_copy: Path) -> None:
    # project_copy is a plain folder: like a tarball, it has no .git.
    result = run_build(project_copy)
    assert result.returncode == 0, result.stderr[-3000:]
    changelog = (project_copy / "site/changelog/index.html").read_text(encoding="utf-8")
    assert "没有可用的版本历史" in changelog


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=培训师", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


def test_changelog_lists_lesson_changes(project_copy: Path) -> None:
    _git(project_copy, "init", "-q")
    _git(project_copy, "add", ".")
    _git(project_copy, "commit", "-q", "-m", "初始版本")
    lesson = project_copy / "docs/negotiation/promises.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _git(project_copy, "commit", "-q", "-am", "还款承诺：补充提醒时间")
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _git(project_copy, "commit", "-q", "-am", "话术：不还就爆他通讯录")
    result = run_build(project_copy)
    assert result.returncode == 0, result.stderr[-3000:]
    html = (project_copy / "site/changelog/index.html").read_text(encoding="utf-8")
    assert "还款承诺：补充提醒时间" in html
    assert '<a href="../negotiation/promises/">还款承诺与跟进</a>' in html
    # A subject the guard rejects is withheld, never published and never a reason to fail.
    assert "爆通讯录" not in html and "说明未显示" in html


def test_stale_review_warns_and_is_listed(project_copy: Path) -> None:
    lesson = project_copy / "docs/privacy/third-parties.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(re.sub(r"reviewed: \S+", "reviewed: 2020-01-01", text, count=1), encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "docs/privacy/third-parties.md: 合规审核已过去" in result.stderr
    page = (project_copy / "site/trainers/review-due/index.html").read_text(encoding="utf-8")
    assert "第三方接听与联系人" in page and "2020-01-01" in page


def test_missing_review_date_fails(project_copy: Path) -> None:
    lesson = project_copy / "docs/privacy/third-parties.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(re.sub(r"reviewed: \S+\n", "", text, count=1), encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode != 0 and "缺少必填字段 'reviewed'" in result.stderr


def test_published_list_covers_the_site() -> None:
    listed = {line.strip() for line in (ROOT / "published-urls.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    assert {"/", "conduct/opening/", "compliance/prohibited/", "trainers/contributing/"} <= listed


def test_removed_page_without_redirect_fails(project_copy: Path) -> None:
    (project_copy / "docs/conduct/call-preparation.md").rename(project_copy / "docs/conduct/before-calling.md")
    config = project_copy / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("conduct/call-preparation.md", "conduct/before-calling.md"),
                      encoding="utf-8")
    for page in (project_copy / "docs").rglob("*.md"):
        page.write_text(page.read_text(encoding="utf-8").replace("call-preparation.md", "before-calling.md"), encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode != 0 and "conduct/call-preparation/" in result.stderr and "redirect_maps" in result.stderr

    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("redirect_maps: {}", "redirect_maps:\n        conduct/call-preparation.md: conduct/before-calling.md"),
                      encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "before-calling/" in (project_copy / "site/conduct/call-preparation/index.html").read_text(encoding="utf-8")


def test_make_urls_rewrites_the_list(project_copy: Path) -> None:
    (project_copy / "published-urls.txt").write_text("conduct/no-longer-here/\n", encoding="utf-8")
    result = run_build(project_copy, env={"KB_UPDATE_PUBLISHED_URLS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    listed = (project_copy / "published-urls.txt").read_text(encoding="utf-8")
    assert "no-longer-here" not in listed and "conduct/opening/" in listed
