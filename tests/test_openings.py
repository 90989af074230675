"""Openings never disclose: scripts said before the identity check name no account detail.

Agents read scripts aloud word for word, so a script that opens a call with an
amount or the creditor's name discloses the debt to whoever picked up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import openings
from conftest import DOCS, run_build

PAGES = sorted(DOCS.rglob("*.md"))

GOOD = '''=== "情境一：到期前提醒"

    !!! opening "开场：核实身份之前"

        > “您好，我是 XX 公司的张敏，请问是王建国先生本人吗？”

    > “（核实本人后）王先生您好，您约定 6 月 15 日还款 2000 元……”
'''


def _opening(said: str) -> str:
    return f'!!! opening "开场：核实身份之前"\n\n    > “{said}”\n'


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_no_page_discloses_before_the_identity_check(page: Path) -> None:
    assert openings.problems(page.read_text(encoding="utf-8")) == []


def test_openings_are_marked_across_the_library() -> None:
    # The check above would pass vacuously if nobody marked the openings.
    marked = {p.relative_to(DOCS).as_posix() for p in PAGES if "!!! opening" in p.read_text(encoding="utf-8")}
    for page in ("situations.md", "conduct/opening.md", "conduct/overdue-stages.md", "negotiation/promises.md",
                 "records/contact-records.md", "conduct/call-preparation.md", "privacy/third-parties.md"):
        assert page in marked


def test_a_sound_opening_passes() -> None:
    assert openings.problems(GOOD) == []


@pytest.mark.parametrize("said", [
    "您好，我是 XX 公司的张敏，您本期 860 元还没有入账，请问是王先生本人吗？",          # amount
    "您好，我是 XX 公司的张敏，请问是王先生本人吗？您约的是 6 月 15 日。",            # date
    "您好，我是 XX 公司的张敏，请问是王先生本人吗？是尾号的那张卡。",                  # card number
    "您好，我是受 XX 银行委托的张敏，请问是王先生本人吗？",                          # the creditor
    "您好，我是 XX 公司的张敏，请问是王先生本人吗？有笔欠款想和您谈谈。",              # 欠款
    "您好，我是 XX 公司的张敏，请问是王先生本人吗？您的账单已经逾期了。",              # 逾期
    "您好，我是 XX 公司的张敏，请问是王先生本人吗？提醒您还款。",                      # 还款
    "您好，我是 XX 公司的张敏，请问是王先生本人吗？您还差五千元没还。",                # amount in words
])
def test_a_disclosing_opening_is_reported(said: str) -> None:
    found = openings.problems(_opening(said))
    assert found and all(line == 3 for line, _ in found), found
    assert all("核实身份之前透露了账户信息" in message for _, message in found)


def test_an_opening_without_the_agents_name_or_identity_check_is_reported() -> None:
    messages = [m for _, m in openings.problems(_opening("您好，打扰了。"))]
    assert any("姓名" in m for m in messages) and any("本人" in m for m in messages)


def test_a_staff_number_is_not_a_disclosure() -> None:
    assert openings.problems(_opening("王先生您好，我是 XX 公司的张敏（工号 1023），方便时请回电。")) == []


def test_an_unmarked_greeting_is_reported() -> None:
    text = '=== "提醒"\n\n    > “您好，王先生，提醒您本期还款。”\n'
    assert [line for line, _ in openings.problems(text)] == [3]


def test_an_opening_inside_a_definition_is_checked() -> None:
    text = '客户在忙\n:   !!! opening "开场"\n\n        “您好，我是张敏，您的信用卡逾期了，请问是本人吗？”\n'
    assert [line for line, _ in openings.problems(text)] == [4, 4]


def test_the_build_fails_on_a_disclosing_opening(project_copy: Path) -> None:
    page = project_copy / "docs/negotiation/promises.md"
    text = page.read_text(encoding="utf-8")
    marked = "        > “您好，我是 XX 公司的张敏，请问是王建国先生本人吗？”"
    assert marked in text
    page.write_text(text.replace(marked, marked[:-1] + "您 6 月 15 日要还 2000 元。”", 1), encoding="utf-8")
    result = run_build(project_copy)
    assert result.returncode != 0
    assert "docs/negotiation/promises.md" in result.stderr and "核实身份之前透露了账户信息" in result.stderr
    assert "Traceback" not in result.stderr
