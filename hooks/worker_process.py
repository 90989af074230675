"""One worker process on another core, for the hooks that scan or segment pages
while MkDocs renders the rest (the guard's page checks, the search segmentation)."""

from __future__ import annotations

import multiprocessing
import site
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HOOKS = Path(__file__).resolve().parent


def start() -> ProcessPoolExecutor:
    # spawn, not fork: `mkdocs serve` has threads running; a fresh interpreter
    # finds the hooks' modules through the hooks folder added to its path.
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=site.addsitedir, initargs=(str(HOOKS),))


def stop(pool: ProcessPoolExecutor | None) -> None:
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
