"""Exports for AI assistants: llms.txt, llms-full.txt and lessons.json (schema-valid)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from conftest import ROOT
from pages import LESSON_PAGES, LESSONS

SCHEMA = json.loads((ROOT / "hooks/lessons.schema.json").read_text(encoding="utf-8"))


def test_lessons_json_is_valid_and_complete(built_site: Path) -> None:
    records = json.loads((built_site / "lessons.json").read_text(encoding="utf-8"))
    jsonschema.validate(records, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert sorted(r["id"] + ".md" for r in records) == sorted(LESSON_PAGES)
    opening = next(r for r in records if r["id"] == "conduct/opening")
    assert opening["url"] == "conduct/opening/" and "怎么做" in opening["headings"]
    assert "推荐话术" in opening["text"] and "¶" not in opening["text"]
    assert (built_site / "lessons.schema.json").is_file()


def test_schema_rejects_a_broken_record(built_site: Path) -> None:
    records = json.loads((built_site / "lessons.json").read_text(encoding="utf-8"))
    records[0]["basis"] = ["某公约第十六条 [U]"]
    try:
        jsonschema.validate(records, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("an unverified source must not validate")


def test_llms_txt_lists_every_lesson_by_theme(built_site: Path) -> None:
    text = (built_site / "llms.txt").read_text(encoding="utf-8")
    assert text.startswith("# 合规催收知识库\n\n> ")
    for theme, names in LESSONS.items():
        for name in names:
            assert f"]({theme}/{name}/): " in text
    assert text.index("## 职业规范") < text.index("## 倾听与提问") < text.index("## 还款协商")


def test_llms_full_has_every_lesson_in_reading_order(built_site: Path) -> None:
    text = (built_site / "llms-full.txt").read_text(encoding="utf-8")
    records = json.loads((built_site / "lessons.json").read_text(encoding="utf-8"))
    positions = [text.index(f"## {r['title']}\n") for r in records]
    assert positions == sorted(positions)
    assert len(text) > 30_000


def test_readable_text_leaves_out_counterexamples_permalinks_and_scripts() -> None:
    import page_text

    html = (
        '<h2 id="why">为什么<a class="headerlink" href="#why" title="Permanent link">¶</a></h2>\n'
        "<p>先确认身份&nbsp;再说明来意，&lt;不要&gt;急着谈金额。<br/>换行后的话。</p>\n"
        '<div class="admonition failure counterexample" data-search-exclude data-guard-rules="C06">'
        '<p class="admonition-title">反例 · C06</p><div><p>反例里的原话。</p></div></div>\n'
        "<script>var x = '<p>脚本</p>';</script>\n"
        '<h3 id="steps">步骤 <img alt="图" src="a.png"> 一</h3>\n'
        "<ul>\n<li>第一步</li>\n<li>第二步</li>\n</ul>\n"
    )
    text, headings = page_text.readable(html)
    assert headings == ["为什么", "步骤  一"]
    assert text == "为什么\n\n先确认身份\xa0再说明来意，<不要>急着谈金额。换行后的话。\n\n步骤  一\n\n第一步\n\n第二步"
