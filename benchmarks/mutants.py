"""How long `eventforge mutants` takes, side by side with `eventforge validate` on the same spec.

    python -m benchmarks.mutants [--examples library,bank,orders] [--rounds 5] [--json FILE]

Each round runs, as a user would (a new process each, in the example's folder, so its hand-written
handlers are found), `eventforge validate` and then `eventforge mutants` on each example spec.
The target: `mutants` under 2 s for the library example, so that it can run on every change.
Times are medians over the rounds; CPU time (user + system) is reported too, since on a busy
machine the wall clock also measures the other processes.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.generation import checkout_env

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TARGET_SECONDS = 2.0  # for the library example


def _timed(*args: str, cwd: Path) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of one `eventforge ARGS` process, and its last stderr line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=checkout_env(),
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise RuntimeError(f"eventforge {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    lines = (result.stderr or result.stdout).strip().splitlines()
    return elapsed, cpu, lines[-1] if lines else ""


def run(
    examples: tuple[str, ...], rounds: int, *, log: Callable[[str], None] = print
) -> dict[str, Any]:
    results = []
    for example in examples:
        folder = EXAMPLES / example
        samples: dict[str, list[tuple[float, float]]] = {"validate": [], "mutants": []}
        summary = ""
        for round_ in range(rounds):
            for step in samples:
                seconds, cpu, last = _timed(step, "eventforge.yaml", cwd=folder)
                samples[step].append((seconds, cpu))
                summary = last if step == "mutants" else summary
            log(
                f"{example}, round {round_ + 1}/{rounds}: validate {samples['validate'][-1][0]:.2f} s, "
                f"mutants {samples['mutants'][-1][0]:.2f} s ({summary})"
            )
        counts = re.match(r"(\d+) mutants, (\d+) killed, (\d+) survived", summary)
        results.append(
            {
                "example": example,
                "mutants": int(counts.group(1)) if counts else 0,
                "survived": int(counts.group(3)) if counts else 0,
                **{
                    f"{step}_seconds": statistics.median(s for s, _ in values)
                    for step, values in samples.items()
                },
                **{
                    f"{step}_cpu_seconds": statistics.median(c for _, c in values)
                    for step, values in samples.items()
                },
            }
        )
    return {"rounds": rounds, "target_seconds": TARGET_SECONDS, "results": results}


def table(data: dict[str, Any]) -> str:
    lines = [
        "| example | mutants | survived | `validate` | `mutants` | CPU (user + system): "
        "`validate`, `mutants` |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in data["results"]:
        lines.append(
            f"| {row['example']} | {row['mutants']} | {row['survived']} | "
            f"{row['validate_seconds']:.2f} s | {row['mutants_seconds']:.2f} s | "
            f"{row['validate_cpu_seconds']:.2f} s, {row['mutants_cpu_seconds']:.2f} s |"
        )
    lines.append(
        f"\nMedians of {data['rounds']} rounds, each a new process; target: under "
        f"{data['target_seconds']:.0f} s for the library example."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="eventforge mutants, against validate.")
    parser.add_argument("--examples", default="library,bank,orders")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    data = run(tuple(args.examples.split(",")), args.rounds)
    print(table(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
