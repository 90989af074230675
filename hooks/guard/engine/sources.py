"""What the guard reads in a file: Markdown with its front matter, includes and
counterexample blocks; other text files whole; files it cannot read, refused.

Shared by the MkDocs hook and the command-line check, so both see a file the
same way and report the same positions.
"""

from __future__ import annotations

import json

import re
from dataclasses import dataclass, field
from pathlib import Path

from guard.engine.htmltext import page_text
from guard.engine.match import Finding, Suppression, scan_text
from guard.engine.normalize import line_col, plain
from guard.engine.rules import RuleSet

# Files whose bytes are text a reader (or a browser) will see.
TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".csv", ".tsv", ".json", ".svg",
                 ".xml", ".yml", ".yaml", ".js", ".css", ".ics", ".vtt", ".srt"}
# Files with no readable text of their own.
OPAQUE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".avif", ".bmp",
                   ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".ogg", ".wav", ".mp4", ".webm"}
# Documents whose text the guard cannot extract: refused rather than shipped unchecked.
DOCUMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
                     ".odp", ".rtf", ".pages", ".key", ".numbers", ".epub", ".zip", ".7z", ".rar"}

GUARD_ID = "GUARD"

_ADMONITION = re.compile(
    r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+failure\b[^"\n]*"(?P<title>[^"\n]*)"[ \t]*$', re.M
)
_RULE_ID = re.compile(r"C\d{2}")
_SNIPPET_LINE = re.compile(r'^[ \t]*(?<!;)--8<--[ \t]+(["\'])(?P<path>[^"\'\n]+)\1[ \t]*$', re.M)
_SNIPPET_BLOCK = re.compile(r"^[ \t]*--8<--[ \t]*\n(?P<body>.*?)^[ \t]*--8<--[ \t]*$", re.M | re.S)


@dataclass(frozen=True, order=True)
class Report:
    """One line of the guard's report."""

    path: str
    line: int
    column: int
    rule_id: str
    level: str = field(compare=False)
    message: str = field(compare=False)

    @property
    def is_error(self) -> bool:
        return self.level == "error"


@dataclass
class Includes:
    """Where snippet includes are found, and which were already checked."""

    base_paths: list[Path]
    root: Path
    checked: set[Path] = field(default_factory=set)

    def resolve(self, name: str) -> Path | None:
        name = re.sub(r"(?::-?\d*){1,2}$|:[A-Za-z0-9_-]+$", "", name.strip())
        if re.match(r"[a-z]+://", name):
            return None  # remote snippets are off (url_download is not enabled)
        for base in self.base_paths:
            candidate = (base / name).resolve()
            if candidate.is_file():
                return candidate
        return None


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_file(path: Path, ruleset: RuleSet, includes: Includes) -> list[Report]:
    """Everything the guard has to say about one file."""
    shown = display_path(path, includes.root)
    suffix = path.suffix.lower()
    if suffix in OPAQUE_SUFFIXES:
        return []
    if suffix in DOCUMENT_SUFFIXES:
        return [_problem(shown, f"无法检查 {suffix} 文件中的文字，守卫拒绝发布未经检查的内容 — "
                                f"请把内容改写为 Markdown 页面，或删除此附件")]
    if suffix not in TEXT_SUFFIXES:
        return [_problem(shown, f"未知的文件类型 {suffix or '（无扩展名）'}，守卫无法判断其中是否有文字 — "
                                f"请改用 Markdown 或常见的文本、图片格式")]
    try:
        text = read_text(path)
    except GuardInputError as error:
        return [_problem(shown, str(error))]
    if suffix in {".md", ".markdown"}:
        return check_markdown(text, shown, ruleset, includes, origin=path)
    if suffix == ".json":
        text = json_strings(text)
    return to_reports(scan_text(text, ruleset), text, shown)


_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def json_strings(text: str) -> str:
    """A JSON file as its readers see it: each string literal decoded in place, on its own
    line (escaped characters cannot hide a word), without the quotes and commas around it."""
    def decoded(match: re.Match) -> str:
        try:
            value = json.loads(match.group())
        except ValueError:
            return match.group()
        # A line break inside a value ends a sentence; a real one would shift later line numbers.
        return value.replace("\r", "").replace("\n", "。")

    return _JSON_STRING.sub(decoded, text)


class GuardInputError(Exception):
    """A file the guard must check but cannot read."""


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise GuardInputError(f"无法读取：{error.strerror}") from None
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise GuardInputError(f"不是 UTF-8 编码（第 {error.start} 字节），无法检查 — 请用 UTF-8 保存") from None


def check_markdown(text: str, shown: str, ruleset: RuleSet, includes: Includes,
                   *, origin: Path | None = None) -> list[Report]:
    """A Markdown source as written and the files it includes."""
    return scan_markdown(text, shown, ruleset) + check_includes(text, ruleset, includes, origin=origin)


def scan_markdown(text: str, shown: str, ruleset: RuleSet) -> list[Report]:
    """A Markdown source as written: front matter, body, code, comments, HTML — all of it."""
    suppressions, problems = counterexamples(text, shown, ruleset)
    return to_reports(scan_text(text, ruleset, suppressions), text, shown) + problems


def rendered_reports(html: str, shown: str, ruleset: RuleSet, *, learn: bool = True) -> list[Report]:
    """The first finding of each rule in a rendered page, quoting the rendered text.

    The build's backstop passes learn=False: the learned signal judged the page's
    source already, and judging every page twice would slow the build."""
    text, suppressions = page_text(html)
    reports: dict[str, Report] = {}
    for finding in scan_text(text, ruleset, suppressions, learn=learn):
        if finding.rule.id in reports:
            continue
        report = to_reports([finding], text, shown)[0]
        excerpt = plain(text[max(0, finding.start - 10):finding.end + 10])[:60]
        reports[finding.rule.id] = Report(shown, 0, 0, report.rule_id, report.level,
                                          f"（出现在渲染后的页面中：“{excerpt}”）" + report.message)
    return list(reports.values())


def check_includes(text: str, ruleset: RuleSet, includes: Includes, *, origin: Path | None = None) -> list[Report]:
    """The snippet files a Markdown source includes, each checked once per run."""
    reports: list[Report] = []
    for included in snippet_targets(text, includes, origin=origin):
        if included not in includes.checked:
            includes.checked.add(included)
            reports += check_file(included, ruleset, includes)
    return reports


def snippet_names(text: str) -> list[str]:
    """Names a page includes with pymdownx.snippets (`--8<--`), line and block forms."""
    names = [m.group("path") for m in _SNIPPET_LINE.finditer(text)]
    for block in _SNIPPET_BLOCK.finditer(text):
        names += [line.strip() for line in block.group("body").splitlines()
                  if line.strip() and not line.strip().startswith(";")]
    return names


def snippet_targets(text: str, includes: Includes, *, origin: Path | None = None) -> list[Path]:
    """The included files, resolved like the extension does."""
    found = [includes.resolve(name) for name in snippet_names(text)]
    return [path for path in found if path is not None and path != origin]


def missing_snippets(text: str, includes: Includes) -> list[str]:
    """Included names that resolve to no file (remote URLs are not fetched and not counted)."""
    return [name for name in snippet_names(text)
            if not re.match(r"[a-z]+://", name.strip()) and includes.resolve(name) is None]


def counterexamples(text: str, shown: str, ruleset: RuleSet) -> tuple[list[Suppression], list[Report]]:
    """Counterexample blocks (`!!! failure "反例 · C04"`) and what they may suppress.

    The block covers the indented lines after its opening line. Only the rules
    its title names are silent inside it; a block that names none, or an
    unknown rule, is itself an error.
    """
    known = {rule.id for rule in ruleset.rules}
    suppressions, problems = [], []
    for match in _ADMONITION.finditer(text):
        title = match.group("title").strip()
        if not title.startswith("反例"):
            continue
        ids = frozenset(_RULE_ID.findall(title))
        line, column = line_col(text, match.start("title"))
        if not ids:
            problems.append(_problem(shown, "反例块必须在标题中写明它演示的规则编号，如 “反例 · C04”",
                                     line, column))
            continue
        unknown = sorted(ids - known)
        if unknown:
            problems.append(_problem(shown, f"反例块引用了不存在的规则 {', '.join(unknown)}", line, column))
            continue
        start = match.end()
        end = _block_end(text, start, len(match.group("indent").expandtabs(4)))
        suppressions.append(Suppression(start, end, ids))
    return suppressions, problems


def _block_end(text: str, start: int, indent: int) -> int:
    """End of the indented block after an opener that ends at `start`."""
    newline = text.find("\n", start)
    if newline == -1:
        return len(text)
    position = end = newline + 1
    for line in text[position:].splitlines(keepends=True):
        expanded = line.expandtabs(4)
        if line.strip() and len(expanded) - len(expanded.lstrip()) <= indent:
            break
        position += len(line)
        if line.strip():
            end = position
    return end


def to_reports(findings: list[Finding], text: str, shown: str) -> list[Report]:
    reports = []
    for finding in findings:
        line, column = line_col(text, finding.start)
        reports.append(Report(shown, line, column, finding.rule.id, finding.rule.level, message(finding)))
    return reports


def message(finding: Finding) -> str:
    rule = finding.rule
    lesson = rule.lesson.removesuffix(".md").removesuffix("index") + "/"
    why = ""
    if finding.signal is not None:
        # A learned finding shows its evidence: how sure, and the corpus sentences it resembles.
        examples = "；".join(f"“{example}”" for example in finding.signal.neighbours)
        why = f"（学习信号判断，置信度 {finding.signal.score:.2f}；最接近的语料：{examples}）"
    return f"{rule.name}{why} — 改为：{rule.instead}（见 {lesson.replace('//', '/')}）"


def _problem(shown: str, text: str, line: int = 1, column: int = 1) -> Report:
    return Report(shown, line, column, GUARD_ID, "error", text)
