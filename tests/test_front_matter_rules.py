"""Unit tests of the lesson schema: each rule catches what it names."""

from __future__ import annotations

import datetime as dt

import pytest
from mkdocs.exceptions import PluginError

import lessons

TODAY = dt.date(2026, 11, 28)
GOOD = {
    "title": "开场与表明身份",
    "description": "接通后几秒内说清你是谁、代表谁、为什么来电。",
    "tags": ["怎么表明身份"],
    "questions": ["怎么表明身份", "客户问你是谁", "开场白怎么说"],
    "reviewed": dt.date(2026, 11, 1),
    "basis": ["《个人信息保护法》第六条 [V]"],
}


def problems(**changes: object) -> list[str]:
    meta = {**GOOD, **changes}
    meta = {k: v for k, v in meta.items() if v is not None}
    return lessons.meta_problems(meta, "conduct/opening.md", today=TODAY)


def test_good_front_matter_passes() -> None:
    assert problems() == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"reviewed": None}, "缺少必填字段 'reviewed'"),
    ({"reviewed": dt.date(2026, 12, 1)}, "晚于今天"),
    ({"reviewed": "上个月"}, "YYYY-MM-DD"),
    ({"description": "很" * 81}, "上限 80"),
    ({"tags": "分期"}, "'tags' 必须是非空的文本列表"),
    ({"basis": ["某公约第十六条 [U]"]}, "[V] 或 [S]"),
    ({"titel": "拼错"}, "未知字段 'titel'"),
    ({"title": ""}, "'title' 必须是非空文本"),
    ({"questions": None}, "缺少必填字段 'questions'"),
    ({"questions": "开场白怎么说"}, "'questions' 必须是非空的文本列表"),
    ({"questions": ["开场白怎么说", "客户问你是谁"]}, "应为 3–12 条"),
    ({"questions": [f"问法{n}" for n in range(13)]}, "应为 3–12 条"),
    ({"questions": ["开场白怎么说", "客户问你是谁", "很" * 25]}, "超过 24 个字符"),
    ({"questions": ["开场白怎么说", "客户问你是谁", "开场白怎么说"]}, "重复条目"),
])
def test_each_schema_rule(change: dict, expected: str) -> None:
    found = problems(**change)
    assert any(expected in p for p in found), found


def test_overview_pages_need_only_title_and_description() -> None:
    meta = {"title": "职业规范", "description": "本主题概览。"}
    assert lessons.meta_problems(meta, "conduct/index.md", today=TODAY) == []
    assert lessons.meta_problems({"title": "x"}, "index.md", today=TODAY) == ["缺少必填字段 'description'"]


def test_sections_out_of_order_are_named() -> None:
    body = '!!! abstract "要点"\n\n## 怎么做 {#how}\n\n## 为什么 {#why}\n'
    assert "缺少模板章节" in lessons.section_problems(body)[0]
    full = '!!! abstract "要点"\n' + "".join(f"## {s}\n" for s in lessons.SECTIONS[1:])
    assert lessons.section_problems(full) == []
    swapped = full.replace("## 避免\n## 依据", "## 依据\n## 避免")
    assert "顺序" in lessons.section_problems(swapped)[0]


def test_invalid_yaml_names_file_and_line() -> None:
    with pytest.raises(PluginError, match=r"docs/x\.md:3: front matter 不是有效的 YAML"):
        lessons.split("---\ntitle: a\ntags: [unclosed\n---\nbody\n", "docs/x.md")


def test_unterminated_front_matter_fails() -> None:
    with pytest.raises(PluginError, match="缺少结束行"):
        lessons.split("---\ntitle: a\n\nbody\n", "docs/x.md")


def test_non_utf8_names_file() -> None:
    with pytest.raises(PluginError, match=r"docs/x\.md: 不是 UTF-8"):
        lessons.decode("标题".encode("gbk"), "docs/x.md")


def test_split_reports_body_line() -> None:
    source = lessons.split("---\ntitle: a\n---\n正文\n", "x")
    assert source.meta == {"title": "a"} and source.body == "正文\n" and source.body_line == 4
