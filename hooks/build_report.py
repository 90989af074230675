"""One report per build: page-format problems and guard findings fail together.

Each checking hook says in `on_config` that it will report (`expect`), and
hands in its problems in `on_env` (`submit`). The last one to hand in raises a
single PluginError with every section, before anything is written, so a trainer
sees everything wrong with a change in one round. A hook that is the only one
expected raises on its own: nothing waits on a reporter that is not configured.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

_build: list[int] = [0]  # id of the current build's config: a new build starts afresh
_expected: list[str] = []
_submitted: dict[str, tuple[str, list[str]]] = {}


def expect(reporter: str, config: object) -> None:
    """`reporter` will submit in the build of `config` (call from on_config)."""
    if _build[0] != id(config):
        _build[0] = id(config)
        _expected.clear()
        _submitted.clear()
    if reporter not in _expected:
        _expected.append(reporter)


def submit(reporter: str, heading: str, problems: list[str]) -> None:
    """Hand in `problems`; raise them all once every expected reporter has."""
    if reporter not in _expected:
        raise PluginError(f"内部错误：{reporter} 没有登记就提交了检查结果")
    _submitted[reporter] = (heading, problems)
    if any(name not in _submitted for name in _expected):
        return
    sections = [(h, p) for h, p in (_submitted[name] for name in _expected) if p]
    _submitted.clear()
    if sections:
        raise PluginError("\n\n".join(h + "\n" + "\n".join(p) for h, p in sections))
