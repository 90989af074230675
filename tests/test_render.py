"""The site as a reader sees it: Chromium renders the Chinese text with real glyphs."""

from __future__ import annotations

from pathlib import Path

import pytest

# Draws two different Chinese strings in the page's own font. Without a CJK font
# both come out as identical "tofu" boxes, so identical pixels mean missing glyphs.
SAME_PIXELS_AS_TOFU = """
() => {
  const font = getComputedStyle(document.querySelector('.md-typeset h1')).font;
  const draw = (text) => {
    const canvas = document.createElement('canvas');
    canvas.width = 400; canvas.height = 60;
    const ctx = canvas.getContext('2d');
    ctx.font = font; ctx.fillStyle = '#000'; ctx.fillText(text, 0, 40);
    return Array.from(ctx.getImageData(0, 0, 400, 60).data).join(',');
  };
  const a = draw('合规催收知识库'), b = draw('倾听协商记录隐');
  const blank = draw('');
  return {differ: a !== b, inked: a !== blank};
}
"""


@pytest.mark.parametrize("page", ["", "conduct/opening/"])
def test_chinese_renders_as_glyphs(browser, site_url: str, page: str, tmp_path_factory) -> None:
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    tab.goto(site_url + page)
    heading = tab.locator(".md-typeset h1").inner_text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in heading)
    result = tab.evaluate(SAME_PIXELS_AS_TOFU)
    assert result == {"differ": True, "inked": True}, "Chinese text renders as boxes: install fonts-noto-cjk"
    shots = Path(tmp_path_factory.getbasetemp()) / "screenshots"
    shots.mkdir(exist_ok=True)
    target = shots / f"{page.strip('/').replace('/', '-') or 'home'}.png"
    tab.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000
    tab.close()
