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
        self.scanned = 0  # pages scanned in this build (the others came from the cache)
        self._rules_digest = hashlib.sha256(ruleset.text.encode("utf-8")).hexdigest()
        self._done: list[tuple[str, str, list[Report]]] = []
        self._batches = worker_process.Batches(
            _check_batch, self._scan_here, args=(ruleset.text, str(ruleset.source)),
            use_worker=worker_process.wanted(pages, threshold=WORKER_FROM_PAGES, env=WORKER_ENV),
            size=BATCH, log=log, giving_up="守卫的工作进程不可用，改在本进程检查页面",
        )

    @property
    def in_worker(self) -> bool:
        return self._batches.in_worker

    @property
    def fallback(self) -> str | None:
        """Why the worker was given up, if it was."""
        return self._batches.fallback

    def check(self, kind: str, text: str, shown: str) -> None:
        """Scan a page's Markdown source (SOURCE) or rendered HTML (RENDERED)."""
        cached = _cache.get(self._key(kind, text, shown))
        if cached is not None:
            self._done.append((kind, shown, cached))
            return
        self.scanned += 1
        self._batches.add((kind, text, shown))

    def results(self) -> list[tuple[str, str, list[Report]]]:
        """Every page's reports (in no particular order)."""
        for (kind, text, shown), reports in self._batches.results():
            self._done.append((kind, shown, reports))
            _cache[self._key(kind, text, shown)] = reports
            while len(_cache) > CACHE_SIZE:
                _cache.pop(next(iter(_cache)))  # oldest first
        return self._done

    def close(self) -> None:
        self._batches.close()

    def _scan_here(self, page: tuple[str, str, str]) -> list[Report]:
        kind, text, shown = page
        return _SCANS[kind](text, shown, self.ruleset)

    def _key(self, kind: str, text: str, shown: str) -> tuple[str, str, str, str]:
        return self._rules_digest, kind, shown, hashlib.sha256(text.encode("utf-8")).hexdigest()
