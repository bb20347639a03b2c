"""`eventforge model`: the HTML page (escaped, self-contained, deterministic) and the Mermaid
`eventmodeling` diagram (a golden file, and every line in the grammar's form)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from board_specs import HOSTILE, big_spec
from conftest import EXAMPLES, ROOT, cli, copy_example, write_spec

from generator.drawing import mermaid as mermaid_module
from generator.drawing.html import html
from generator.drawing.mermaid import mermaid
from generator.spec.load import load_file
from generator.spec.model import Spec
from generator.spec.validate import validate_loaded

GOLDEN = Path(__file__).parent / "golden"

# Mermaid's grammar (packages/parser/src/language/eventmodeling/event-modeling.langium), for the
# lines we write: a time frame or a reset frame, its type, a qualified name, links, inline data.
_NAME = r"[_a-zA-Z]\w*"
FRAME = re.compile(
    rf"^(tf|rf) (\d{{1,3}}) (ui|pcr|cmd|rmo|evt) ({_NAME}(?:\.{_NAME})?)((?: ->> \d{{1,3}})*)"
    r"(?: \{ ([^{}\n]*) \})?$"
)


def model_of(path: Path) -> Spec:
    spec, diagnostics = validate_loaded(load_file(path))
    assert spec is not None, diagnostics
    return spec


def frames(text: str) -> list[re.Match[str]]:
    """Every frame line, checked against the grammar; the links point at earlier frames."""
    lines = text.splitlines()
    assert lines[0] == "eventmodeling"
    found: list[re.Match[str]] = []
    seen: set[str] = set()
    for line in lines[1:]:
        if not line or line.startswith("%%"):
            continue
        match = FRAME.match(line)
        assert match, line
        links = match.group(5).split(" ->> ")[1:]
        assert set(links) <= seen, line  # Mermaid draws an arrow only from an earlier frame
        assert (match.group(1) == "tf") == bool(links), line  # no inferred arrows anywhere
        assert match.group(2) not in seen, line
        seen.add(match.group(2))
        found.append(match)
    return found


def test_the_bank_diagram_is_the_golden_one() -> None:
    with_cli = cli("model", EXAMPLES / "bank" / "eventforge.yaml", "--mermaid")
    assert with_cli.exit_code == 0, with_cli.stderr
    assert with_cli.stdout == (GOLDEN / "bank.mmd").read_text()


@pytest.mark.parametrize("name", ["bank", "cart", "library", "orders"])
def test_every_example_is_a_well_formed_eventmodeling_diagram(name: str) -> None:
    spec = model_of(EXAMPLES / name / "eventforge.yaml")
    found = frames(mermaid(spec))
    kinds = {m.group(4).split(".")[-1]: m.group(3) for m in found}
    for aggregate in spec.aggregates:
        for command in aggregate.commands:
            assert kinds[command.name] == "cmd"
        for event in aggregate.events:  # in its aggregate's lane when there are several
            named = f"{aggregate.name}.{event.name}" if len(spec.aggregates) > 1 else event.name
            assert named in {m.group(4) for m in found}
    assert all(kinds[r.name] == "rmo" for r in spec.read_models)
    assert all(kinds[a.name] == "pcr" for a in spec.automations)


def test_links_follow_the_arrows() -> None:
    text = mermaid(model_of(EXAMPLES / "bank" / "eventforge.yaml"))
    number = {m.group(4): m.group(2) for m in frames(text)}
    line = next(x for x in text.splitlines() if " rmo AccountBalances" in x)
    assert f"->> {number['AccountOpened']}" in line
    assert f"->> {number['AccountClosed']}" in line
    deposit = next(x for x in text.splitlines() if " cmd DepositMoney" in x)
    assert deposit.startswith("tf ") and f"->> {number['WelcomeBonus']}" in deposit


def test_a_hundred_slices_fit_the_frame_numbers(tmp_path: Path) -> None:
    found = frames(mermaid(model_of(write_spec(tmp_path, big_spec(100)))))
    assert len(found) > 200 and all(len(m.group(2)) == 3 for m in found)


def test_too_many_frames_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mermaid_module, "MAX_FRAMES", 10)
    result = cli("model", EXAMPLES / "bank" / "eventforge.yaml", "--mermaid")
    assert result.exit_code == 2
    assert "E900" in result.stderr and "at most 10 time frames" in result.stderr


def test_the_page_shows_hostile_text_as_text(tmp_path: Path) -> None:
    page = html(model_of(write_spec(tmp_path, HOSTILE)))
    assert page.count("<script") == 1  # the page's own
    assert "<img" not in page and "<b onclick" not in page and "</main>" in page
    assert page.count("</main>") == 1
    assert "&lt;script&gt;alert(&#39;scenario&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; description &lt;/main&gt;" in page


@pytest.mark.parametrize("name", ["bank", "cart", "library", "orders"])
def test_the_page_needs_nothing_from_anywhere(name: str) -> None:
    page = html(model_of(EXAMPLES / name / "eventforge.yaml"))
    assert not re.search(r"(src|href)=\"(?!data:)", page)
    assert "http://" not in page and "https://" not in page and "@import" not in page


def test_the_same_spec_gives_the_same_bytes(tmp_path: Path) -> None:
    spec = copy_example("orders", tmp_path)
    pages = []
    for seed in ("1", "2"):
        out = tmp_path / f"page-{seed}.html"
        subprocess.run(
            [sys.executable, "-m", "generator", "model", str(spec), "--html", str(out)],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
        )
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


def test_the_command_writes_the_files_it_is_told(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    result = cli(
        "model", spec, "--html", tmp_path / "m.html", "--mermaid", "--out", tmp_path / "m.mmd"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "m.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "m.mmd").read_text() == (GOLDEN / "bank.mmd").read_text()
    document = cli("model", spec, "--html", tmp_path / "j.html", "--format", "json").json()
    assert isinstance(document, dict)
    assert document["ok"] is True and document["html"] == str(tmp_path / "j.html")
    assert document["slices"][0] == {"kind": "command", "name": "OpenAccount"}
    page = cli("model", spec, "--html", "-")
    assert page.stdout == (tmp_path / "m.html").read_text()


def test_the_command_says_what_is_missing(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    nothing = cli("model", spec)
    assert nothing.exit_code == 2 and "--html FILE or --mermaid" in nothing.stderr
    stray = cli("model", spec, "--html", tmp_path / "m.html", "--out", tmp_path / "x.mmd")
    assert stray.exit_code == 2 and "--out goes with --mermaid" in stray.stderr
    unwritable = cli("model", spec, "--html", tmp_path / "no" / "such" / "dir.html")
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.stderr
    broken = write_spec(tmp_path / "broken", "eventforge: 1\ndomain: X\naggregates: {}\n")
    invalid = cli("model", broken, "--mermaid")
    assert invalid.exit_code == 1 and "error[" in invalid.stderr
