"""Chinese search, verified and prebuilt.

Material segments Chinese text with jieba only if jieba imports, and says
nothing when it does not; a site built that way finds almost nothing for a
Chinese query. This hook makes that a build error. Then it turns Material's
index into the project's prebuilt, sharded index (search_shards.py), which
the project's search worker reads a few small files at a time:

- each page's title, `questions`, `tags`, headings, description and text,
  weighted in that order; trainer guides come last, and agents' searches
  leave them out;
- when nothing matches, the lessons the situations page links most;
- the function words and synonym groups trainers keep in search/ go into the
  manifest, where the worker drops the former from queries and expands the
  latter (没钱 → 手头紧、资金困难 …).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

import search_shards

FUNCTION_WORDS = "search/function-words.txt"
SYNONYMS = "search/synonyms.txt"
SEPARATOR_MARK = "\u200b"
MIN_SEGMENTED_SHARE = 0.5  # of documents with Chinese text
SITUATIONS = "situations.md"
# When nothing matches: the lessons the situations page sends agents to most.
FALLBACK_LESSONS = 5
_LINK = re.compile(r"\]\((?:\.\./)?([a-z0-9-]+/[a-z0-9-]+)\.md")

# What each page brings besides Material's index: front matter, by page URL.
_pages: dict[str, dict] = {}
_fallback: list[str] = []


# Before Material's search plugin, which crashes on a user dictionary without jieba.
@event_priority(100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        import jieba  # noqa: F401  (Material imports it by name; so do we, to fail loudly)
    except ImportError:
        raise PluginError(
            "jieba 无法导入：Material 会在不分词的情况下静默构建，中文搜索几乎失效。"
            "请运行 make serve 或 pip install -r requirements.txt"
        ) from None
    search = _search_config(config)
    separator = search.get("separator") or ""
    if "\\u200b" not in separator and SEPARATOR_MARK not in separator:
        raise PluginError(
            f"search.separator 必须包含 \\u200b（jieba 用它分隔词语），当前为 {separator!r}"
        )
    # Missing or unreadable lists fail before the build, not after it.
    _function_words(config)
    _synonyms(config)
    _pages.clear()
    _fallback.clear()
    return config


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files) -> str:
    meta = page.meta or {}
    _pages[page.url] = {
        "description": str(meta.get("description") or ""),
        "tags": [str(t) for t in meta.get("tags") or []],
        "questions": [str(q) for q in meta.get("questions") or []],
        "lesson": "basis" in meta,
    }
    if page.file.src_uri == SITUATIONS:
        counts: dict[str, int] = {}
        for target in _LINK.findall(markdown):
            counts[target + "/"] = counts.get(target + "/", 0) + 1
        _fallback[:] = sorted(counts, key=lambda url: (-counts[url], url))[:FALLBACK_LESSONS]
    return markdown


def on_post_build(*, config: MkDocsConfig) -> None:
    path = Path(config.site_dir) / "search" / "search_index.json"
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PluginError(f"无法读取搜索索引 {path}：{error}") from None
    chinese = [d for d in index["docs"] if re.search(r"[\u4e00-\u9fff]{2}", d.get("text", ""))]
    segmented = [d for d in chinese if SEPARATOR_MARK in d["text"]]
    if not chinese or len(segmented) < MIN_SEGMENTED_SHARE * len(chinese):
        raise PluginError(
            f"搜索索引没有中文分词（{len(segmented)}/{len(chinese)} 个含中文的条目经过分词）："
            f"请确认 jieba 已安装，search 插件的 lang 包含 zh"
        )
    function_words = _function_words(config)
    files = search_shards.build(
        _search_pages(index["docs"], config), _cut, function_words=function_words,
        synonyms=_synonyms(config), config=index["config"], fallback=[*_fallback, "situations/"],
    )
    folder = path.parent
    (folder / "kb").mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _search_pages(docs: list[dict], config: MkDocsConfig) -> list[search_shards.Page]:
    """Material's index entries (a page, then its sections) as one Page each, with front matter."""
    separator = re.compile(_search_config(config).get("separator") or r"[\s\u200b\-]+")
    pages: dict[str, search_shards.Page] = {}
    for doc in docs:
        url, _, anchor = doc["location"].partition("#")
        page = pages.get(url)
        if page is None:
            meta = _pages.get(url, {})
            kind = "trainer" if url.startswith("trainers/") else "lesson" if meta.get("lesson") else "reference"
            page = pages[url] = search_shards.Page(
                url, _plain(doc.get("title", "")), kind, meta.get("description", ""),
                meta.get("tags", []), meta.get("questions", []),
            )
        if anchor:
            page.headings.append((anchor, _plain(doc.get("title", ""))))
        page.text.append(doc.get("text", ""))
    for page in pages.values():
        # One pass over each page's text, not one per section.
        page.text = separator.split(_TAG.sub(" ", " ".join(page.text)))
    return list(pages.values())


_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return _TAG.sub("", text).replace(SEPARATOR_MARK, "")


@lru_cache(maxsize=16384)
def _cut(text: str) -> tuple[str, ...]:
    import jieba

    return tuple(jieba.cut(text))


def _search_config(config: MkDocsConfig) -> dict:
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    if plugin is None:
        raise PluginError("search 插件未启用：知识库必须可搜索")
    return dict(plugin.config)


def _function_words(config: MkDocsConfig) -> set[str]:
    return {line for line in _lines(config, FUNCTION_WORDS)}


def _synonyms(config: MkDocsConfig) -> list[list[str]]:
    groups = [line.split() for line in _lines(config, SYNONYMS)]
    for number, group in enumerate(groups, 1):
        short = [word for word in group if len(word) < 2]
        if len(group) < 2 or short:
            raise PluginError(f"{SYNONYMS}: 第 {number} 组同义词至少要有两个词、每个词至少两个字：{' '.join(group)}")
    return groups


def _lines(config: MkDocsConfig, name: str) -> list[str]:
    """Non-blank, non-comment lines of a trainer-maintained list."""
    path = Path(config.config_file_path).parent / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise PluginError(f"{name}: 无法读取：{error}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
