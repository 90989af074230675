"""Rendered pages: mark counterexample blocks, and read back the text a page ships.

The guard checks sources first; this is the backstop that sees whatever
reached a page's HTML, whichever path it took to get there.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from guard.engine.match import Suppression

# Admonition and details forms of `failure` blocks whose title starts with 反例.
_COUNTEREXAMPLE = re.compile(
    r'<(?P<tag>div|details) class="(?P<classes>(?:admonition )?failure[^"]*)"(?P<rest>[^>]*)>'
    r'(?P<gap>\s*<(?:p class="admonition-title"|summary)>)(?P<title>反例[^<]*)'
)
_RULE_ID = re.compile(r"C\d{2}")
_BLOCKS = {"p", "div", "li", "ul", "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
           "h6", "blockquote", "pre", "details", "summary", "section", "dd", "dt", "br", "hr", "figure",
           "figcaption", "article", "header", "footer", "aside", "nav", "label"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_TEXT_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "data-title")


def mark_counterexamples(page_html: str) -> str:
    """Flag counterexample blocks: styled as such, out of the search index, rules named."""

    def mark(match: re.Match[str]) -> str:
        ids = " ".join(_RULE_ID.findall(match.group("title")))
        return (f'<{match.group("tag")} class="{match.group("classes")} counterexample"'
                f'{match.group("rest")} data-search-exclude data-guard-rules="{ids}">'
                f'{match.group("gap")}{match.group("title")}')

    return _COUNTEREXAMPLE.sub(mark, page_html)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.stack: list[tuple[str, frozenset[str] | None, int]] = []
        self.suppressions: list[Suppression] = []
        self.skip = 0  # inside <script> or <style>

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "style"}:
            self.skip += 1
        if tag in _BLOCKS:
            self._add("\n\n")
        for name in _TEXT_ATTRIBUTES:
            if values.get(name):
                self._add(f"\n\n{values[name]}\n\n")
        if tag not in _VOID:
            rules = values.get("data-guard-rules")
            ids = frozenset(rules.split()) if rules is not None else None
            self.stack.append((tag, ids, self.length))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self.skip:
            self.skip -= 1
        while self.stack:
            open_tag, ids, start = self.stack.pop()
            if ids:
                self.suppressions.append(Suppression(start, self.length, ids))
            if open_tag == tag:
                break
        if tag in _BLOCKS:
            self._add("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._add(data)

    def handle_comment(self, data: str) -> None:
        # Comments ship in the page source even though they are not displayed.
        self._add(f"\n\n{data}\n\n")


def page_text(page_html: str) -> tuple[str, list[Suppression]]:
    """The text a page ships (visible text, alt and title text, comments) and its counterexample spans."""
    parser = _TextExtractor()
    parser.feed(page_html)
    parser.close()
    for _, ids, start in parser.stack:
        if ids:
            parser.suppressions.append(Suppression(start, parser.length, ids))
    return "".join(parser.parts), parser.suppressions
