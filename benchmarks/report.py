"""Run every benchmark and rewrite the results in benchmarks/README.md, with the plot.

    pip install -e ".[test,bench]"
    python -m benchmarks.report            # everything: about 20-30 minutes on 2 cores
    python -m benchmarks.report --quick    # small sizes and one round, to try it out

Writes benchmarks/results.json (every sample), benchmarks/generation.png (the plot) and the parts
of benchmarks/README.md between the `<!-- name:start -->` and `<!-- name:end -->` markers; the
prose around them is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import generation, runtime, scenarios

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
SECTIONS = ("machine", "targets", "generation", "runtime", "scenarios")
MARKERS = [f"<!-- {name}:{end} -->" for name in SECTIONS for end in ("start", "end")]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("eventsourcing", "ruff", "PyYAML", "Jinja2")
    )
    return "\n".join(
        [
            f"- when: {time.strftime('%Y-%m-%d %H:%M %Z')}",
            f"- CPU: {cpu}, {os.cpu_count()} logical cores; load average at the start: {load}",
            f"- system: {platform.system()} {platform.release()}; Python {platform.python_version()}",
            f"- packages: {packages}",
        ]
    )


def targets(gen: dict[str, Any], run: dict[str, Any], tests: dict[str, Any]) -> str:
    rows = []
    at = {row["commands"]: row for row in gen["results"]}
    big = at.get(1000) or gen["results"][-1]
    label = f"{big['commands']:,} commands"

    def row(target: str, measured: str, met: bool) -> None:
        rows.append(f"| {target} | {measured} | {'met' if met else '**missed**'} |")

    full = big["vs_floor"]["full"]
    row(f"full generate <= 2x the floor ({label})", f"{full:.1f}x", full <= 2)
    no_change = big["vs_full"]["no_change"]
    row(f"no-change generate <= 10% of a full one ({label})", f"{no_change:.0%}", no_change <= 0.1)
    one = big["vs_full"]["one_command"]
    row(f"one-command change <= 25% of a full one ({label})", f"{one:.0%}", one <= 0.25)
    validate = big["validate_vs_cload"]
    row(
        f"validate <= 1.5x PyYAML's C loader ({label})",
        f"{validate:.2f}x ({big['seconds']['validate']:.2f} s vs {big['seconds']['cload']:.2f} s;"
        f" {big['validate_vs_cload_paused']:.2f}x the C loader with the collector paused too)",
        validate <= 1.5,
    )
    exponents = [
        (exponent, step, span)
        for span, steps in gen["growth"].items()
        for step, exponent in steps.items()
        if not step.startswith("cload")
        and not span.startswith("10->")  # at 10, start-up is all there is
    ]
    if exponents:
        worst = max(exponents)
        row(
            "time grows no worse than linearly with the commands",
            f"largest exponent {worst[0]:.2f} ({worst[1]}, {worst[2]})",
            worst[0] <= 1.1,
        )
    generated = [r for r in run["handle"] if r["implementation"] == runtime.Generated.name]
    mutable = {
        (r["store"], r["accounts"]): r
        for r in run["handle"]
        if r["implementation"] == runtime.Mutable.name
    }
    lowest = min(generated, key=lambda r: r["ratio_to_functional"])
    row(
        "generated runtime >= 0.9x the hand-written functional baseline",
        f"lowest {lowest['ratio_to_functional']:.2f}x ({lowest['store']}, "
        f"{lowest['accounts']:,} accounts)",
        lowest["ratio_to_functional"] >= 0.9,
    )
    faster = all(
        r["commands_per_s"] > mutable[(r["store"], r["accounts"])]["commands_per_s"]
        for r in generated
    )
    slowest = min(
        r["commands_per_s"] / mutable[(r["store"], r["accounts"])]["commands_per_s"]
        for r in generated
    )
    row(
        "generated runtime faster than the mutable Aggregate style",
        f"at least {slowest:.2f}x its speed",
        faster,
    )
    seconds = tests["scenario_seconds"]
    row(
        f"{tests['scenario_tests']:,} generated scenario tests in under 10 s",
        f"{seconds:.1f} s",
        seconds < 10,
    )
    return "\n".join(["| target | measured | |", "|---|---|---|", *rows])


def replace_sections(text: str, sections: dict[str, str]) -> str:
    for name, body in sections.items():
        pattern = re.compile(
            rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", flags=re.DOTALL
        )
        if not pattern.search(text):
            raise SystemExit(f"{README} lacks the markers of section {name!r}")
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(2), text)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, one round")
    args = parser.parse_args(argv)
    about = machine()
    print(about, flush=True)

    def log(line: str) -> None:
        print(line, flush=True)

    if args.quick:
        gen = generation.run((10, 100), rounds=1, log=log)
        run = runtime.run(1000, (100, 10), rounds=1, stream=1000, log=log)
        tests = scenarios.run(100, rounds=1, whole=False, log=log)
    else:
        gen = generation.run((10, 100, 1000, 5000), rounds=3, log=log, big_rounds=2)
        run = runtime.run(10_000, (1000, 100), rounds=3, stream=10_000, log=log)
        tests = scenarios.run(1000, rounds=3, whole=True, log=log)
    results = {"machine": about, "generation": gen, "runtime": run, "scenarios": tests}
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    plotted = generation.plot(gen, HERE / "generation.png")
    if not plotted:
        print("matplotlib is not installed: pip install -e '.[bench]'; the plot was not redrawn")
    sections = {
        "machine": about,
        "targets": targets(gen, run, tests),
        "generation": generation.table(gen),
        "runtime": runtime.table(run),
        "scenarios": scenarios.table(tests),
    }
    README.write_text(replace_sections(README.read_text(), sections), encoding="utf-8")
    print(f"wrote {README}", file=sys.stderr)


if __name__ == "__main__":
    main()
