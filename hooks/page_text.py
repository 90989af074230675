"""The readable text of a rendered page, as the exports and search see it.

Counterexample blocks (the guard marks them data-search-exclude) and permalink
marks are left out, so neither an export nor the search index carries them.
"""

from __future__ import annotations

import re
from html import unescape

# One token of rendered HTML: script or style (skipped whole), comment or doctype,
# a start or end tag, or text. A regex loop is several times faster than
# HTMLParser's callbacks, and page content is Markdown's own well-formed output.
_TOKEN = re.compile(
    r"<(?P<raw>script|style)\b[^>]*>.*?</(?P=raw)\s*>"
    r"|<!--.*?-->|<![^>]*>"
    r"|<(?P<end>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|(?P<text>[^<]+|<)",
    re.S | re.I,
)
# Blocks that start on a new line in the text.
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "tr", "blockquote", "pre", "summary", "dt", "dd", "div"}
_HEADINGS = {"h2", "h3"}


def _skipped(attrs: str) -> bool:
    """Counterexample blocks (the guard marks them data-search-exclude) and permalink marks."""
    return "data-search-exclude" in attrs or ("headerlink" in attrs and re.search(
        r"""class\s*=\s*["'][^"']*\bheaderlink\b""", attrs) is not None)


def readable(html: str) -> tuple[str, list[str]]:
    """Readable text of a rendered page, without counterexamples or permalink marks, and its h2/h3 headings."""
    parts: list[str] = []
    headings: list[str] = []
    heading: list[str] | None = None
    stack: list[tuple[str, bool]] = []  # open tags, and whether each hides its content
    hidden = 0
    for token in _TOKEN.finditer(html):
        text, tag = token.group("text"), token.group("tag")
        if text is not None:
            if not hidden:
                text = unescape(text)
                parts.append(text)
                if heading is not None:
                    heading.append(text)
            continue
        if tag is None:
            continue  # script, style, comment, doctype
        tag = tag.lower()
        attrs = token.group("attrs")
        if not token.group("end"):
            skip = _skipped(attrs)
            stack.append((tag, skip))
            hidden += skip
            if tag in _HEADINGS and not hidden:
                heading = []
            if tag in _BLOCKS:
                parts.append("\n")
            if not attrs.rstrip().endswith("/"):
                continue
        # An end tag closes everything opened since its start tag (void tags included).
        while stack:
            open_tag, skip = stack.pop()
            hidden -= skip
            if open_tag == tag:
                break
        if tag in _HEADINGS and heading is not None:
            headings.append("".join(heading).strip())
            heading = None
        if tag in _BLOCKS:
            parts.append("\n")
    text = re.sub(r"[ \t]+\n", "\n", "".join(parts))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, headings
