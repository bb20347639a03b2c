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
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.generation import checkout_env
from benchmarks.specmaker import write_spec


def _pytest(project: Path, *args: str) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds (user + system) of one pytest run, and its summary line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a developer's machine caches bytecode
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise RuntimeError(f"pytest failed in {project}:\n{result.stdout[-3000:]}")
    summary = result.stdout.strip().splitlines()[-1]
    return elapsed, cpu, summary


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
            env=checkout_env(),
        )
        # The scenarios alone: not the store tests (each aggregate's, and the read models'), nor
        # the command line's bad-input tests.
        scenario_args = [
            "--ignore=tests/test_store.py",
            "--ignore-glob=tests/*/test_*_store.py",
            "--ignore=tests/test_bad_input.py",
        ]
        _pytest(project, *scenario_args)  # warm-up: bytecode and pytest's rewritten asserts
        times, cpus = [], []
        summary = ""
        for round_ in range(rounds):
            seconds, cpu, summary = _pytest(project, *scenario_args)
            times.append(seconds)
            cpus.append(cpu)
            log(
                f"scenario tests, round {round_ + 1}/{rounds}: {seconds:.2f} s, "
                f"{cpu:.2f} s CPU ({summary})"
            )
        data: dict[str, Any] = {
            "commands": commands,
            "rounds": rounds,
            "scenario_tests": _passed(summary),
            "scenario_seconds": statistics.median(times),
            "scenario_cpu_seconds": statistics.median(cpus),
            "scenario_samples": times,
        }
        if whole:
            seconds, cpu, summary = _pytest(project)
            log(f"whole generated suite: {seconds:.2f} s, {cpu:.2f} s CPU ({summary})")
            data["suite_tests"] = _passed(summary)
            data["suite_seconds"] = seconds
            data["suite_cpu_seconds"] = cpu
    return data


def table(data: dict[str, Any]) -> str:
    lines = [
        "| generated tests | count | pytest time | CPU time (user + system) |",
        "|---|---:|---:|---:|",
        f"| scenario tests of a {data['commands']:,}-command spec | {data['scenario_tests']:,} | "
        f"{data['scenario_seconds']:.1f} s (median of {data['rounds']}) | "
        f"{data['scenario_cpu_seconds']:.1f} s |",
    ]
    if "suite_seconds" in data:
        lines.append(
            f"| whole generated suite (with the SQLite store tests) | {data['suite_tests']:,} | "
            f"{data['suite_seconds']:.1f} s (once) | {data['suite_cpu_seconds']:.1f} s |"
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
