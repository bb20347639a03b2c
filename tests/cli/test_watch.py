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

from conftest import ROOT, add_bank_command, copy_example


def _until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


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
