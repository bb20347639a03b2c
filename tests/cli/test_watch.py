"""`eventforge generate --watch`: one process generates again after each change of the spec,
reports a spec that does not validate and goes on watching, ignores a save that changes nothing,
and stops on Ctrl-C with exit status 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT, add_bank_command, cli, copy_example

from generator.cli import main as main_step
from generator.cli import watch as watch_step


def _until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _ctrl_c_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_watch_generates_after_each_change_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    errors = tmp_path / "stderr.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with errors.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "generate", "--watch", str(spec)],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env=env,
            # As from a terminal: a run started in the background (`.ci/run &`) ignores Ctrl-C,
            # and the watcher would inherit that and never see the SIGINT below.
            preexec_fn=_ctrl_c_as_in_a_terminal,
        )
        try:
            said = lambda: errors.read_text(encoding="utf-8")  # noqa: E731
            _until(lambda: "watching" in said(), "the first generate")
            assert (spec.parent / "src/bank/account/deposit_money.py").is_file()

            add_bank_command(spec)  # a command added: its module appears
            _until(lambda: said().count("changed: generating") == 1, "a generate")
            _until(lambda: (spec.parent / "src/bank/account/charge_fee.py").is_file(), "ChargeFee")

            text = spec.read_text(encoding="utf-8")
            spec.write_text(text + "broken: [\n", encoding="utf-8")  # mid-edit: not YAML
            _until(lambda: "error[E102]" in said(), "the YAML error")
            assert process.poll() is None, said()  # still watching

            spec.write_text(text.replace("ChargeFee", "ChargeFees"), encoding="utf-8")
            _until(lambda: (spec.parent / "src/bank/account/charge_fees.py").is_file(), "rename")
            assert not (spec.parent / "src/bank/account/charge_fee.py").exists()

            generates = said().count("changed: generating")
            os.utime(spec)  # saved again, nothing changed: nothing to generate
            spec.write_bytes(spec.read_bytes())
            time.sleep(1)
            assert said().count("changed: generating") == generates

            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0, said()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _stop_after(
    monkeypatch: pytest.MonkeyPatch, polls: int, on_poll: Callable[[int], None]
) -> None:
    """Polls without waiting, `on_poll(n)` before the n-th, then Ctrl-C."""
    counted = iter(range(polls))

    def sleep(_seconds: float) -> None:
        n = next(counted, None)
        if n is None:
            raise KeyboardInterrupt
        on_poll(n)

    monkeypatch.setattr(watch_step, "time", SimpleNamespace(sleep=sleep, time_ns=time.time_ns))
    monkeypatch.setattr(watch_step, "long_lived", lambda: None)  # this process is pytest's


def test_a_save_while_the_first_generate_runs_is_generated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The first generate reads the spec; a save while it runs is a change to generate again
    (not the content the watch starts from)."""
    spec = tmp_path / "eventforge.yaml"
    spec.write_text("first\n", encoding="utf-8")
    seen: list[str] = []

    def generating(spec_path: Path, *options: object) -> int:
        seen.append(spec_path.read_text(encoding="utf-8"))
        if len(seen) == 1:
            spec_path.write_text("second, saved while the first generate ran\n", encoding="utf-8")
        return 0

    monkeypatch.setattr(main_step, "_generate", generating)
    _stop_after(monkeypatch, 5, lambda n: None)
    assert cli("generate", "--watch", spec).exit_code == 0
    assert seen == ["first\n", "second, saved while the first generate ran\n"]


def test_a_save_within_one_tick_of_the_file_systems_clock_is_generated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A file system takes times from a clock that ticks every few milliseconds (every second or
    two on some): a second save of the same size within one tick leaves size, times and inode as
    the first left them. Only the content tells: it must be read while the times are that recent."""
    spec = tmp_path / "eventforge.yaml"
    spec.write_text("aaaa\n", encoding="utf-8")
    first = os.stat(spec)

    def coarse(path: Path) -> SimpleNamespace:  # the clock has not ticked since the first save
        found = os.stat(path)
        times = {"st_mtime_ns": first.st_mtime_ns, "st_ctime_ns": first.st_ctime_ns}
        return SimpleNamespace(st_size=found.st_size, st_ino=found.st_ino, **times)

    monkeypatch.setattr(watch_step, "os", SimpleNamespace(stat=coarse))
    seen: list[str] = []

    def save(n: int) -> None:
        if n == 2:
            spec.write_text("bbbb\n", encoding="utf-8")  # in place, the same size

    _stop_after(monkeypatch, 5, save)
    watch_step.watch(spec, lambda: seen.append(spec.read_text(encoding="utf-8")) or 0, poll=0)
    assert seen[-1:] == ["bbbb\n"]
