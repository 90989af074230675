"""Chinese search, verified and prebuilt.

Material segments Chinese text with jieba only if jieba imports, and says
nothing when it does not; a site built that way finds almost nothing for a
Chinese query. This hook makes that a build error. Then it builds the
project's prebuilt, sharded index (search_shards.py), which the project's
search worker reads a few small files at a time:

- each page's title, `questions`, `tags`, headings, description and text,
  weighted in that order; trainer guides come last, and agents' searches
  leave them out;
- when nothing matches, the lessons the situations page links most;
- the function words and synonym groups trainers keep in search/ go into the
  manifest, where the worker drops the former from queries and expands the
  latter (没钱 → 手头紧、资金困难 …).

Pages are read from the rendered HTML (page_text.py, counterexamples left
out) and segmented on another core while MkDocs renders the rest
(search_segmenter.py). Material's own per-page indexing would parse and
segment every page again on the build's core only to be replaced, so this
hook takes it out of the build; Material's search box, configuration and
index file stay.
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
from lessons import is_lesson
from page_text import readable
from search_segmenter import Segmenter

FUNCTION_WORDS = "search/function-words.txt"
SYNONYMS = "search/synonyms.txt"
SEPARATOR_MARK = "\u200b"
MIN_SEGMENTED_SHARE = 0.5  # of documents with Chinese text
SITUATIONS = "situations.md"
# When nothing matches: the lessons the situations page sends agents to most.
FALLBACK_LESSONS = 5
_LINK = re.compile(r"\]\((?:\.\./)?([a-z0-9-]+/[a-z0-9-]+)\.md")

_fallback: list[str] = []
_segmenter: Segmenter | None = None
# Material's marks on counterexample blocks; its page pass removed them from the HTML.
_SEARCH_MARKS = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")


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
    _fallback.clear()
    _skip_materials_indexing(config)
    return config


def on_files(files, *, config: MkDocsConfig):
    global _segmenter
    _segmenter = Segmenter(pages=len(files.documentation_pages()), user_dict=_user_dict(config), cut=_cut)
    return files


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files) -> str:
    if page.file.src_uri == SITUATIONS:
        counts: dict[str, int] = {}
        for target in _LINK.findall(markdown):
            counts[target + "/"] = counts.get(target + "/", 0) + 1
        _fallback[:] = sorted(counts, key=lambda url: (-counts[url], url))[:FALLBACK_LESSONS]
    return markdown


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files) -> str:
    # After the guard's hook, which marks counterexample blocks: readable() leaves them out.
    meta = page.meta or {}
    search = meta.get("search") or {}
    if isinstance(search, dict) and search.get("exclude"):
        return html
    kind = ("trainer" if page.url.startswith("trainers/")
            else "lesson" if is_lesson(page.file.src_uri) else "reference")
    text, _ = readable(html)
    _state().add(search_shards.Page(
        page.url, page.title or "", kind, str(meta.get("description") or ""),
        [str(tag) for tag in meta.get("tags") or []], [str(q) for q in meta.get("questions") or []],
        [(item.id, item.title) for item in _toc(page.toc)], text,
    ))
    return html


@event_priority(-100)
def on_page_context(context, *, page: Page, config: MkDocsConfig, nav):
    # What Material's page pass also did: the marks are for indexing, not for readers.
    page.content = _SEARCH_MARKS.sub("", page.content or "")
    return context


def on_build_error(*, error: Exception) -> None:
    if _segmenter is not None:
        _segmenter.close()


def on_post_build(*, config: MkDocsConfig) -> None:
    path = Path(config.site_dir) / "search" / "search_index.json"
    try:
        # Material still writes its configuration (language, separator …); the pages are ours.
        index_config = json.loads(path.read_text(encoding="utf-8"))["config"]
    except (OSError, ValueError, KeyError) as error:
        raise PluginError(f"无法读取搜索索引 {path}：{error}") from None
    pages, counted = _state().results()
    _check_segmented(pages, counted)
    function_words = _function_words(config)
    files = search_shards.build(
        pages, _cut, function_words=function_words, synonyms=_synonyms(config), config=index_config,
        fallback=[*_fallback, "situations/"], counted=counted,
    )
    folder = path.parent
    (folder / "kb").mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _state() -> Segmenter:
    if _segmenter is None:
        raise PluginError("搜索索引未初始化：on_files 没有运行")
    return _segmenter


def _check_segmented(pages: list[search_shards.Page], counted: list[dict]) -> None:
    """Chinese pages must come out as Chinese words, or jieba is not segmenting."""
    chinese = [n for n, page in enumerate(pages) if _HAN_RUN.search(page.text)]
    segmented = [n for n in chinese if any(_HAN_RUN.fullmatch(word) for word in counted[n]["text"])]
    if not chinese or len(segmented) < MIN_SEGMENTED_SHARE * len(chinese):
        raise PluginError(
            f"搜索索引没有中文分词（{len(segmented)}/{len(chinese)} 个含中文的页面切出了中文词）："
            f"请确认 jieba 已安装，search 插件的 lang 包含 zh"
        )


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _toc(items) -> list:
    """Every heading of a page's table of contents, in order."""
    found = []
    for item in items:
        found.append(item)
        found += _toc(item.children)
    return found


def _skip_materials_indexing(config: MkDocsConfig) -> None:
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    handlers = config.plugins.events.get("page_context", [])
    # Its on_page_context indexes the page; this hook does that work off the build's core.
    handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not plugin]


def _user_dict(config: MkDocsConfig) -> str | None:
    name = _search_config(config).get("jieba_dict_user")
    return str(Path(config.config_file_path).parent / name) if name else None


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
