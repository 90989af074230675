"""Count each page's search terms — jieba segmentation included — on another
core while MkDocs renders the rest of the site.

Segmenting every page is most of what a search index costs. From
WORKER_FROM_PAGES pages on, pages go to a worker process in batches; the hook
collects the counts in on_post_build. If the worker cannot start or dies, its
pages are counted again in this process: slower, never left out of the index.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor

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
        self.cut = cut  # this process's segmenter (Material loaded the user dictionary into it)
        self.fallback: str | None = None
        self._user_dict = user_dict
        self._pages: list[search_shards.Page] = []
        self._counted: list[dict | None] = []
        self._waiting: list[int] = []
        self._sent: list[tuple[list[int], Future]] = []
        self._pool: ProcessPoolExecutor | None = None
        forced = os.environ.get(WORKER_ENV)
        self._wants_worker = (forced == "1" if forced in {"0", "1"}
                              else pages >= WORKER_FROM_PAGES and (os.cpu_count() or 1) > 1)

    def add(self, page: search_shards.Page) -> None:
        self._pages.append(page)
        if not self._wants_worker or self.fallback is not None:
            self._counted.append(search_shards.fields(page, self.cut))
            return
        self._counted.append(None)
        self._waiting.append(len(self._pages) - 1)
        if len(self._waiting) >= BATCH:
            self._send()

    def results(self) -> tuple[list[search_shards.Page], list[dict]]:
        try:
            if self._waiting:
                self._send()
            for numbers, future in self._sent:
                try:
                    batch = future.result()
                except Exception as error:  # noqa: BLE001 - the worker died or could not start
                    self._give_up(error)
                    batch = [search_shards.fields(self._pages[n], self.cut) for n in numbers]
                for number, counts in zip(numbers, batch):
                    self._counted[number] = counts
            self._sent.clear()
            return self._pages, self._counted
        finally:
            self.close()

    def close(self) -> None:
        worker_process.stop(self._pool)
        self._pool = None

    def _send(self) -> None:
        numbers, self._waiting = self._waiting, []
        try:
            if self._pool is None:
                self._pool = worker_process.start()
            batch = [self._pages[n] for n in numbers]
            self._sent.append((numbers, self._pool.submit(_count, batch, self._user_dict)))
        except Exception as error:  # noqa: BLE001 - no worker: count these here
            self._give_up(error)
            for number in numbers:
                self._counted[number] = search_shards.fields(self._pages[number], self.cut)

    def _give_up(self, error: Exception) -> None:
        if self.fallback is None:
            self.fallback = f"{type(error).__name__}: {error}".strip()
            log.info(f"搜索索引的工作进程不可用（{self.fallback}），改在本进程分词")
        self.close()
