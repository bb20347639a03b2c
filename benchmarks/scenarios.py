"""The generated test suite of a large spec: how long pytest takes.

    python -m benchmarks.scenarios [--commands 1000] [--rounds 3] [--json FILE]

Generates the synthetic spec (one given-when-then scenario per command) into a fresh folder, then
runs, in that folder, as its developers would (`python -m pytest`, bytecode cached after a first
warm-up run):

- the scenario tests alone (one test module per command): the target is under 10 s for 1,000;
- the whole generated suite once, with the store tests that replay every scenario's command
  through a real SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.specmaker import write_spec


def _pytest(project: Path, *args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a developer's machine caches bytecode
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"pytest failed in {project}:\n{result.stdout[-3000:]}")
    summary = result.stdout.strip().splitlines()[-1]
    return elapsed, summary


def _passed(summary: str) -> int:
    match = re.search(r"(\d+) passed", summary)
    return int(match.group(1)) if match else 0


def run(
    commands: int, rounds: int, *, whole: bool = True, log: Callable[[str], None] = print
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="eventforge-bench-") as tmp:
        project = Path(tmp) / "project"
        spec = write_spec(project / "eventforge.yaml", commands)
        subprocess.run(
            [sys.executable, "-m", "generator", "generate", str(spec)],
            check=True,
            capture_output=True,
        )
        scenario_args = ["--ignore=tests/test_store.py"]
        _pytest(project, *scenario_args)  # warm-up: bytecode and pytest's rewritten asserts
        times = []
        summary = ""
        for round_ in range(rounds):
            seconds, summary = _pytest(project, *scenario_args)
            times.append(seconds)
            log(f"scenario tests, round {round_ + 1}/{rounds}: {seconds:.2f} s ({summary})")
        data: dict[str, Any] = {
            "commands": commands,
            "rounds": rounds,
            "scenario_tests": _passed(summary),
            "scenario_seconds": statistics.median(times),
            "scenario_samples": times,
        }
        if whole:
            seconds, summary = _pytest(project)
            log(f"whole generated suite: {seconds:.2f} s ({summary})")
            data["suite_tests"] = _passed(summary)
            data["suite_seconds"] = seconds
    return data


def table(data: dict[str, Any]) -> str:
    lines = [
        "| generated tests | count | pytest time |",
        "|---|---:|---:|",
        f"| scenario tests of a {data['commands']:,}-command spec | {data['scenario_tests']:,} | "
        f"{data['scenario_seconds']:.1f} s (median of {data['rounds']}) |",
    ]
    if "suite_seconds" in data:
        lines.append(
            f"| whole generated suite (with the SQLite store tests) | {data['suite_tests']:,} | "
            f"{data['suite_seconds']:.1f} s (once) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generated test suite benchmark.")
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-suite run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    data = run(args.commands, args.rounds, whole=not args.no_whole)
    print(table(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
