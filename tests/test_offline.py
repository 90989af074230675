"""Works without Internet: no page asks for anything outside the serving host."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit


def test_every_page_stays_on_the_serving_host(browser, built_site: Path, site_url: str) -> None:
    host = urlsplit(site_url).netloc
    context = browser.new_context()
    external: list[str] = []
    errors: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if urlsplit(url).netloc == host or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            external.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        response = page.goto(site_url + path, wait_until="networkidle")
        assert response is not None and (response.ok or path == "404.html"), path
    context.close()
    assert external == [], f"requests leaving the machine: {sorted(set(external))}"
    assert errors == []


def test_links_are_relative(built_site: Path) -> None:
    # Relative links let the site work from any folder of any static server or intranet share.
    html = (built_site / "conduct/opening/index.html").read_text(encoding="utf-8")
    assert 'href="/' not in html and 'src="/' not in html
