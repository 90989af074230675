"""Count each page's search terms — jieba segmentation included — on another
core while MkDocs renders the rest of the site (worker_process.py).

Segmenting every page is most of what a search index costs. From
WORKER_FROM_PAGES pages on, pages go to a worker process in batches; the hook
collects the counts in on_post_build. If the worker cannot start or dies, its
pages are counted again in this process: slower, never left out of the index.
"""

from __future__ import annotations

import logging

import search_shards
import worker_process

# Below this many pages a worker's start-up (about a second, jieba included) costs more than it saves.
WORKER_FROM_PAGES = 100
BATCH = 25
# "1": always use the worker, "0": never (tests exercise both paths on small sites).
WORKER_ENV = "KB_SEARCH_WORKER"

log = logging.getLogger("mkdocs.hooks.search")
_dictionaries: set[str] = set()  # user dictionaries this process has loaded into jieba


def _cut(text: str) -> tuple[str, ...]:
    import jieba

    return tuple(jieba.cut(text))


def _count(pages: list[search_shards.Page], user_dict: str | None) -> list[dict]:
    """In the worker: the project's dictionary first (once), then each page's counts."""
    if user_dict and user_dict not in _dictionaries:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.load_userdict(user_dict)
        _dictionaries.add(user_dict)
    return [search_shards.fields(page, _cut) for page in pages]


class Segmenter:
    """Counts pages as they arrive; `results` hands back the pages and their counts, in order."""

    def __init__(self, *, pages: int, user_dict: str | None, cut) -> None:
        # In this process, `cut` is the build's jieba (Material loaded the user dictionary into it).
        self._batches = worker_process.Batches(
            _count, lambda page: search_shards.fields(page, cut), args=(user_dict,),
            use_worker=worker_process.wanted(pages, threshold=WORKER_FROM_PAGES, env=WORKER_ENV),
            size=BATCH, log=log, giving_up="搜索索引的工作进程不可用，改在本进程分词",
        )

    def add(self, page: search_shards.Page) -> None:
        self._batches.add(page)

    def results(self) -> tuple[list[search_shards.Page], list[dict]]:
        done = self._batches.results()
        return [page for page, _ in done], [counts for _, counts in done]

    def close(self) -> None:
        self._batches.close()
