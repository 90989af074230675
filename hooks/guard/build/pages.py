"""Scan every page twice — its Markdown source and the text its rendered HTML
ships — in this process or, on a large site, in a worker on another core.

MkDocs reads and renders pages one after another on one core. From
WORKER_FROM_PAGES pages on, the guard hands each page's source and rendered
HTML to a worker process in batches, so the scanning adds almost nothing to
the build's wall time. Either way every result is in before anything is
written: the hook collects them in on_env. If the worker cannot start or dies,
the pages it had are scanned again in this process: slower, never unchecked.
Results are remembered by rules, page and exact content, so a `mkdocs serve`
rebuild scans only the pages that changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import worker_process
from guard.engine.load import load_text, with_model
from guard.engine.rules import RuleSet
from guard.engine.sources import Report, rendered_reports, scan_markdown

# Below this many pages a worker's start-up (about half a second) costs more than it saves.
WORKER_FROM_PAGES = 100
# Pages sent to the worker together: fewer round trips, and the rules travel once per batch.
BATCH = 25
# "1": always use the worker, "0": never (tests exercise both paths on small sites).
WORKER_ENV = "KB_GUARD_WORKER"
# Results by rules, page and content. This module stays imported while `mkdocs serve`
# reloads the hooks for each rebuild, so a page that did not change is not scanned again.
CACHE_SIZE = 8192
_cache: dict[tuple[str, str, str, str], list[Report]] = {}

SOURCE, RENDERED = "source", "rendered"

log = logging.getLogger("mkdocs.hooks.guard")


def _backstop(html: str, shown: str, ruleset: RuleSet) -> list[Report]:
    return rendered_reports(html, shown, ruleset, learn=False)


_SCANS = {SOURCE: scan_markdown, RENDERED: _backstop}


def _check_batch(pages: list[tuple[str, str, str]], rules_text: str, rules_path: str) -> list[list[Report]]:
    # Compiled once per worker (cached); the model comes from the on-disk cache the parent filled.
    ruleset = with_model(load_text(rules_text, Path(rules_path)))
    return [_SCANS[kind](text, shown, ruleset) for kind, text, shown in pages]


class PageChecks:
    """Scans pages as they arrive; `results` hands back (kind, page, reports) for each."""

    def __init__(self, ruleset: RuleSet, *, pages: int) -> None:
        self.ruleset = ruleset
        self.fallback: str | None = None  # why the worker was given up, if it was
        self.scanned = 0  # pages scanned in this build (the others came from the cache)
        self._rules_digest = hashlib.sha256(ruleset.text.encode("utf-8")).hexdigest()
        self._done: list[tuple[str, str, list[Report]]] = []
        self._waiting: list[tuple[str, str, str]] = []
        # Sent pages stay here until their results are in, to be scanned again if the worker fails.
        self._sent: list[tuple[list[tuple[str, str, str]], Future]] = []
        self._pool: ProcessPoolExecutor | None = None
        self._wants_worker = _use_worker(pages)

    @property
    def in_worker(self) -> bool:
        return self._wants_worker and self.fallback is None

    def check(self, kind: str, text: str, shown: str) -> None:
        """Scan a page's Markdown source (SOURCE) or rendered HTML (RENDERED)."""
        cached = _cache.get(self._key(kind, text, shown))
        if cached is not None:
            self._done.append((kind, shown, cached))
            return
        self.scanned += 1
        if not self.in_worker:
            self._finish(kind, text, shown, self._scan_here(kind, text, shown))
            return
        self._waiting.append((kind, text, shown))
        if len(self._waiting) >= BATCH:
            self._send()

    def results(self) -> list[tuple[str, str, list[Report]]]:
        """Every page's reports (in no particular order)."""
        try:
            if self._waiting:
                self._send()
            for pages, future in self._sent:
                try:
                    batch = future.result()
                except Exception as error:  # noqa: BLE001 - the worker died or could not start
                    self._give_up(error)
                    batch = [self._scan_here(kind, text, shown) for kind, text, shown in pages]
                for (kind, text, shown), reports in zip(pages, batch):
                    self._finish(kind, text, shown, reports)
            self._sent.clear()
            return self._done
        finally:
            self.close()

    def close(self) -> None:
        worker_process.stop(self._pool)
        self._pool = None

    def _send(self) -> None:
        pages, self._waiting = self._waiting, []
        try:
            if self._pool is None:
                self._pool = worker_process.start()
            future = self._pool.submit(_check_batch, pages, self.ruleset.text, str(self.ruleset.source))
        except Exception as error:  # noqa: BLE001 - no worker: scan these here
            self._give_up(error)
            for kind, text, shown in pages:
                self._finish(kind, text, shown, self._scan_here(kind, text, shown))
            return
        self._sent.append((pages, future))

    def _scan_here(self, kind: str, text: str, shown: str) -> list[Report]:
        return _SCANS[kind](text, shown, self.ruleset)

    def _finish(self, kind: str, text: str, shown: str, reports: list[Report]) -> None:
        self._done.append((kind, shown, reports))
        _cache[self._key(kind, text, shown)] = reports
        while len(_cache) > CACHE_SIZE:
            _cache.pop(next(iter(_cache)))  # oldest first

    def _key(self, kind: str, text: str, shown: str) -> tuple[str, str, str, str]:
        return self._rules_digest, kind, shown, hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _give_up(self, error: Exception) -> None:
        if self.fallback is None:
            self.fallback = f"{type(error).__name__}: {error}".strip()
            log.info(f"守卫的工作进程不可用（{self.fallback}），改在本进程检查页面")
        self.close()


def _use_worker(pages: int) -> bool:
    forced = os.environ.get(WORKER_ENV)
    if forced in {"0", "1"}:
        return forced == "1"
    return pages >= WORKER_FROM_PAGES and (os.cpu_count() or 1) > 1
