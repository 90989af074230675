"""The catalogue of prohibited tactics is generated from the rule data, and passes the guard itself."""

from __future__ import annotations

from pathlib import Path

from guard.build import catalogue
from guard.engine import load as guard_load
from conftest import DOCS, run_build
from guard.engine.match import scan_text

RULES = guard_load.load()


def test_catalogue_lists_every_rule_with_a_stable_anchor() -> None:
    page = catalogue.render(RULES)
    for rule in RULES.rules:
        assert f"{{#{rule.id.lower()}}}" in page
        assert rule.why in page and rule.instead in page
        assert f"](../{rule.lesson})" in page
        assert all(basis in page for basis in rule.basis)


def test_catalogue_describes_without_quoting() -> None:
    assert scan_text(catalogue.render(RULES), RULES) == []


def test_catalogue_is_never_a_file_in_docs() -> None:
    assert not (DOCS / catalogue.CATALOGUE).exists()


def test_built_catalogue_has_anchors(built_site: Path) -> None:
    html = (built_site / "compliance/prohibited/index.html").read_text(encoding="utf-8")
    assert all(f'id="c{n:02d}"' in html for n in range(1, 15))


def test_hand_edited_catalogue_fails_the_build(project_copy: Path) -> None:
    (project_copy / "docs" / catalogue.CATALOGUE).write_text("---\ntitle: 手工\ndescription: x\n---\n", encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode != 0 and "自动生成" in result.stderr
