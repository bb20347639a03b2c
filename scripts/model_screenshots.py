"""Screenshots of the examples' boards for the docs: docs/model-<example>.png.

Run from the checkout: `python scripts/model_screenshots.py` (needs Debian's `chromium` and the
test extra's `playwright`, which drives it; no browser is downloaded). Each picture is the whole
timeline, its lanes and the top of the scenario cards.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.drawing.html import render_board  # noqa: E402
from generator.drawing.layout import layout  # noqa: E402
from generator.spec.load import load_file  # noqa: E402
from generator.spec.validate import validate_loaded  # noqa: E402

EXAMPLES = ("bank", "cart", "library", "orders")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CARDS = 330  # how much of the scenario cards shows under the lanes


def main() -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        for name in EXAMPLES:
            spec, diagnostics = validate_loaded(
                load_file(ROOT / "examples" / name / "eventforge.yaml")
            )
            assert spec is not None, diagnostics
            board = layout(spec)
            page_file = Path(scratch) / f"{name}.html"
            page_file.write_text(render_board(board), encoding="utf-8")
            page = browser.new_page(viewport={"width": board.width, "height": 900})
            page.goto(page_file.as_uri())
            page.add_style_tag(content="#details-panel { display: none; }")
            top = page.locator(".lanes").bounding_box()
            assert top is not None
            height = int(top["y"] + board.height + CARDS)
            target = ROOT / "docs" / f"model-{name}.png"
            page.screenshot(
                path=str(target), clip={"x": 0, "y": 0, "width": board.width, "height": height}
            )
            page.close()
            print(f"wrote {target.relative_to(ROOT)} ({board.width}x{height})")
        browser.close()


if __name__ == "__main__":
    main()
