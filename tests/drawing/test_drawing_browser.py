"""The page in a real browser: Debian's Chromium, driven by Playwright for Python (never a browser
Playwright downloads). It renders without console errors or requests, every box is where the
layout puts it (in its slice's column, in its lane), nothing overlaps, and hovering or clicking a
box shows its fields. One browser serves the whole module.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from board_specs import HOSTILE, big_spec
from conftest import EXAMPLES, write_spec

from generator.drawing.html import render_board
from generator.drawing.layout import layout
from generator.drawing.shapes import Board
from generator.spec.load import load_file
from generator.spec.model import Spec
from generator.spec.validate import validate_loaded

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.skip("no chromium: install Debian's package `chromium` (.ci/run does)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


class Page:
    """A page opened from a file, with what went wrong while it loaded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.url = path.as_uri()

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def rect(self, selector: str) -> dict[str, float]:
        found = self.page.locator(selector).bounding_box()
        assert found is not None, selector
        return dict(found)

    def close(self) -> None:
        self.page.close()


def model_of(path: Path) -> Spec:
    spec, diagnostics = validate_loaded(load_file(path))
    assert spec is not None, diagnostics
    return spec


def open_board(browser: Any, board: Board, tmp_path: Path) -> Page:
    page_file = tmp_path / "model.html"
    page_file.write_text(render_board(board), encoding="utf-8")
    return Page(browser, page_file)


def assert_where_the_layout_says(page: Page, board: Board) -> None:
    """Each box: at the layout's position relative to the board, inside its lane's band and its
    slice's column (as the browser laid out the scenario columns), none overlapping another."""
    origin = page.rect(".lanes")
    lanes = {lane.id: page.rect(f'rect.lane[data-lane="{lane.id}"]') for lane in board.lanes}
    slices = [page.rect(f'.slice[data-column="{c.index}"]') for c in board.columns]
    assert [s["x"] for s in slices] == sorted(s["x"] for s in slices)  # left to right
    found = page.page.evaluate(
        """() => [...document.querySelectorAll('.box')].map(b => {
            const r = b.getBoundingClientRect();
            return [b.id, r.x + window.scrollX, r.y + window.scrollY, r.width, r.height];
        })"""
    )
    shown = {box_id: (x, y, w, h) for box_id, x, y, w, h in found}
    assert set(shown) == {b.id for b in board.boxes}
    for box in board.boxes:
        x, y, width, height = shown[box.id]
        where = f"{box.id} at {x},{y}"
        assert abs(x - origin["x"] - box.x) < 1 and abs(y - origin["y"] - box.y) < 1, where
        assert (width, height) == (box.width, box.height), where
        lane = lanes[box.lane]
        assert lane["y"] <= y and y + height <= lane["y"] + lane["height"], where
        column = slices[box.column]
        assert column["x"] <= x and x + width <= column["x"] + column["width"], where
    for (a, (ax, ay, aw, ah)), (b, (bx, by, bw, bh)) in itertools.combinations(shown.items(), 2):
        assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), (a, b)


@pytest.mark.parametrize("name", ["bank", "library"])
def test_an_example_renders_cleanly_with_every_box_in_place(
    browser: Any, tmp_path: Path, name: str
) -> None:
    spec = model_of(EXAMPLES / name / "eventforge.yaml")
    board = layout(spec)
    page = open_board(browser, board, tmp_path)
    try:
        assert page.errors == []
        assert page.requests == [page.url]  # the file itself, nothing else
        assert_where_the_layout_says(page, board)
        for aggregate in spec.aggregates:  # each event in its aggregate's lane
            band = page.rect(f'rect.lane[data-lane="{aggregate.name}"]')
            for event in aggregate.events:
                for box in page.page.locator(f'.box-event[data-name="{event.name}"]').all():
                    top = box.bounding_box()["y"]
                    assert band["y"] <= top < band["y"] + band["height"], event.name
    finally:
        page.close()


def test_hovering_or_clicking_a_box_shows_its_fields(browser: Any, tmp_path: Path) -> None:
    board = layout(model_of(EXAMPLES / "bank" / "eventforge.yaml"))
    page = open_board(browser, board, tmp_path)
    try:
        panel = page.page.locator("#details-panel")
        assert "amount" not in panel.inner_text()
        page.page.hover("#cmd-WithdrawMoney")
        text = panel.inner_text()
        assert "WithdrawMoney" in text and "amount" in text and "decimal" in text
        assert "InsufficientFunds" in text and "account_id" in text
        hot = page.page.locator(".arrow.hot")
        assert hot.count() == 1  # its one emits arrow
        assert hot.first.get_attribute("data-target") == "evt-MoneyWithdrawn"
        page.page.click("#rm-AccountBalances")
        text = panel.inner_text()
        assert "AccountBalances" in text and "balance" in text and "key" in text
        assert "WithdrawMoney" not in text
        assert page.page.locator(".arrow.hot").count() == 7  # the events it is fed by
        page.page.click("#auto-WelcomeBonus")
        assert "DepositMoney" in panel.inner_text() and "AccountOpened" in panel.inner_text()
        assert page.errors == []
    finally:
        page.close()


def test_a_hundred_slices_stay_legible(browser: Any, tmp_path: Path) -> None:
    board = layout(model_of(write_spec(tmp_path / "big", big_spec(100))))
    page = open_board(browser, board, tmp_path)
    try:
        assert page.errors == []
        assert_where_the_layout_says(page, board)
        width = page.page.evaluate("document.documentElement.scrollWidth")
        assert width >= board.width  # the board scrolls sideways rather than squeezing
        font = page.page.evaluate("getComputedStyle(document.querySelector('.box-name')).fontSize")
        assert font == "13px"
    finally:
        page.close()


def test_hostile_text_stays_text(browser: Any, tmp_path: Path) -> None:
    board = layout(model_of(write_spec(tmp_path / "hostile", HOSTILE)))
    page = open_board(browser, board, tmp_path)
    try:
        page.page.hover("#cmd-OpenDoor")
        assert page.dialogs == [] and page.errors == []
        assert page.page.locator("script").count() == 1
        assert page.page.locator("img").count() == 0
        heading = page.page.locator("h1").inner_text()
        assert heading == "<script>alert('domain')</script> & Co"
        assert "<b onclick=alert(1)>bold</b>" in page.page.locator("#details-panel").inner_text()
    finally:
        page.close()
