"""Published URLs never vanish silently.

published-urls.txt (committed) lists every page URL the site has published.
A build fails when one of them is neither a page any more nor the source of a
redirect (mkdocs-redirects). After an intended move, add a redirect; to retire
an address on purpose, run `make urls`, which rewrites the list from the
current site, and let the change be reviewed.
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation

LIST = "published-urls.txt"
UPDATE = "KB_UPDATE_PUBLISHED_URLS"  # set by `make urls`


def on_nav(nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
    root = Path(config.config_file_path).parent
    path = root / LIST
    # MkDocs gives the home page as "./"; the list and redirects use "" (written "/").
    current = {file.url.removeprefix("./") for file in files.documentation_pages()}
    redirected = {_url_of(source, config) for source in _redirect_sources(config)}
    if os.environ.get(UPDATE):
        path.write_text(_render(sorted(current)), encoding="utf-8")
        return nav
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        # The home page's URL is empty; the list writes it as "/".
        published = ["" if line.strip() == "/" else line.strip()
                     for line in lines if line.strip() and not line.startswith("#")]
    except FileNotFoundError:
        raise PluginError(f"{LIST} 不存在：运行 make urls 生成已发布地址列表并提交") from None
    gone = [url for url in published if url not in current and url not in redirected]
    if gone:
        raise PluginError(
            "以下已发布的地址不再有页面，也没有重定向：\n  " + "\n  ".join(gone) +
            "\n页面改名或移动时，请在 mkdocs.yml 的 redirects.redirect_maps 中把旧地址指向新页面；"
            "确实要下线某个地址时，运行 make urls 更新已发布列表，并在变更说明里写明原因。"
        )
    return nav


def _redirect_sources(config: MkDocsConfig) -> list[str]:
    plugin = config.plugins.get("redirects")
    if plugin is None:
        return []
    return list((plugin.config.get("redirect_maps") or {}).keys())


def _url_of(src: str, config: MkDocsConfig) -> str:
    # Same rule as MkDocs: with directory URLs, a/b.md is a/b/ and a/index.md is a/.
    stem = src.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/" if config.use_directory_urls else stem + ".html"


def _render(urls: list[str]) -> str:
    header = ("# 已发布的页面地址（相对站点根目录）。构建时检查：列表中的地址必须仍是页面，或在 mkdocs.yml 中有重定向。\n"
              "# 由 make urls 生成；只在有意下线某个地址时更新，并在变更说明里写明原因。\n")
    return header + "\n".join(url or "/" for url in urls) + "\n"
