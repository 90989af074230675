"""Work done on another core while MkDocs renders the rest of the site: the
guard's page checks and the search segmentation both hand their items here.

Items go to one worker process in batches; `results` collects every item's
result, in order, before the hook needs them. Below the size where a worker
pays for its start-up, or on a single core, items are done in this process as
they arrive. If the worker cannot start or dies, its items are done again in
this process: slower, never skipped.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import site
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

HOOKS = Path(__file__).resolve().parent


def start() -> ProcessPoolExecutor:
    # spawn, not fork: `mkdocs serve` has threads running; a fresh interpreter
    # finds the hooks' modules through the hooks folder added to its path.
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=site.addsitedir, initargs=(str(HOOKS),))


def stop(pool: ProcessPoolExecutor | None) -> None:
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def wanted(pages: int, *, threshold: int, env: str) -> bool:
    """Whether a site this size gets a worker; `env` set to "1"/"0" forces it (tests use both)."""
    forced = os.environ.get(env)
    if forced in {"0", "1"}:
        return forced == "1"
    return pages >= threshold and (os.cpu_count() or 1) > 1


class Batches:
    """`work(items, *args)` runs in the worker (a module-level function, so the
    spawned process can import it) and returns one result per item; `here(item)`
    does one item in this process."""

    def __init__(self, work: Callable[..., list], here: Callable[[Any], Any], *, args: tuple = (),
                 use_worker: bool, size: int, log: logging.Logger, giving_up: str) -> None:
        self.fallback: str | None = None  # why the worker was given up, if it was
        self._work, self._here, self._args = work, here, args
        self._use_worker, self._size = use_worker, size
        self._log, self._giving_up = log, giving_up  # the message names what is redone here
        self._items: list = []
        self._results: list = []
        self._waiting: list[int] = []
        # Sent items stay in _items until their results are in, to be done again if the worker fails.
        self._sent: list[tuple[list[int], Future]] = []
        self._pool: ProcessPoolExecutor | None = None

    @property
    def in_worker(self) -> bool:
        return self._use_worker and self.fallback is None

    def add(self, item: Any) -> None:
        self._items.append(item)
        if not self.in_worker:
            self._results.append(self._here(item))
            return
        self._results.append(None)
        self._waiting.append(len(self._items) - 1)
        if len(self._waiting) >= self._size:
            self._send()

    def results(self) -> list[tuple[Any, Any]]:
        """(item, result) for every item, in the order they were added."""
        try:
            if self._waiting:
                self._send()
            for numbers, future in self._sent:
                try:
                    batch = future.result()
                except Exception as error:  # noqa: BLE001 - the worker died or could not start
                    self._give_up(error)
                    batch = [self._here(self._items[n]) for n in numbers]
                for number, result in zip(numbers, batch):
                    self._results[number] = result
            self._sent.clear()
            return list(zip(self._items, self._results))
        finally:
            self.close()

    def close(self) -> None:
        stop(self._pool)
        self._pool = None

    def _send(self) -> None:
        numbers, self._waiting = self._waiting, []
        try:
            if self._pool is None:
                self._pool = start()
            future = self._pool.submit(self._work, [self._items[n] for n in numbers], *self._args)
        except Exception as error:  # noqa: BLE001 - no worker: do these here
            self._give_up(error)
            for number in numbers:
                self._results[number] = self._here(self._items[number])
            return
        self._sent.append((numbers, future))

    def _give_up(self, error: Exception) -> None:
        if self.fallback is None:
            self.fallback = f"{type(error).__name__}: {error}".strip()
            self._log.info(f"{self._giving_up}（{self.fallback}）")
        self.close()
