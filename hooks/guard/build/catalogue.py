"""Generate compliance/prohibited.md (禁止行为目录) from the guard's rule data.

The page is never edited by hand: it is built from guard/data/rules.yml on every
build, so the catalogue and what the guard enforces cannot drift apart. It
describes each category; it does not quote coercive wording.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

# MkDocs puts only this file's folder on sys.path while it loads a hook.
_HOOKS = str(Path(__file__).resolve().parents[2])
if _HOOKS not in sys.path:
    sys.path.insert(0, _HOOKS)

from guard.engine.load import load_rules  # noqa: E402
from guard.engine.rules import RuleError, RuleSet  # noqa: E402

CATALOGUE = "compliance/prohibited.md"


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    if files.get_file_from_path(CATALOGUE) is not None:
        raise PluginError(
            f"docs/{CATALOGUE} 由守卫规则自动生成，不能手工编辑：请删除该文件，改动 hooks/guard/data/rules.yml"
        )
    try:
        ruleset = load_rules()
    except RuleError as error:
        raise PluginError(f"无法生成禁止行为目录，守卫规则无法加载：\n{error}") from None
    files.append(File.generated(config, CATALOGUE, content=render(ruleset)))
    return files


def render(ruleset: RuleSet) -> str:
    """The catalogue page as Markdown."""
    out = [
        "---",
        "title: 禁止行为目录",
        "description: 构建守卫拦截的胁迫性催收手段（C01–C14）：为什么禁止、依据什么、应当怎么做。",
        "---",
        "",
        "本页由守卫的规则数据（`hooks/guard/data/rules.yml`）在每次构建时自动生成，请勿手工编辑。"
        "每一类都说明为什么禁止、依据哪些规定、应当怎么做，以及讲授正确做法的课程。"
        "页面只描述类别，不引用任何违规话术。",
        "",
        '!!! info "如何使用本页"',
        "",
        "    守卫报告的每一行都以规则编号开头，例如 `C04`。点击下表中的编号可直接跳到对应说明；"
        "修改页面时，按“应当怎么做”改写即可。",
        "",
        "| 编号 | 类别 | 级别 |",
        "| --- | --- | --- |",
    ]
    for rule in ruleset.rules:
        level = "错误（阻止发布）" if rule.level == "error" else "警告"
        out.append(f"| [{rule.id}](#{rule.id.lower()}) | 禁止{rule.name} | {level} |")
    for rule in ruleset.rules:
        out += [
            "",
            f"## {rule.id} 禁止{rule.name} {{#{rule.id.lower()}}}",
            "",
            f"**为什么禁止：** {rule.why}",
            "",
            f"**应当怎么做：** {rule.instead}。",
            "",
            f"**对应课程：** [{rule.lesson.removesuffix('.md')}](../{rule.lesson})",
            "",
            "**依据：**",
            "",
            *[f"- {basis}" for basis in rule.basis],
        ]
    return "\n".join(out) + "\n"
