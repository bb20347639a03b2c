"""Generation benchmark: validate, generate and check at several spec sizes, beside the floor.

    python -m benchmarks.generation [--sizes 10,100,1000,5000] [--rounds 3] [--json FILE]

For each size (commands in a synthetic spec from benchmarks/specmaker.py), each round runs, side
by side, in a fresh folder:

- validate: `validate_file()` in this process, beside PyYAML's C loader (`yaml.CSafeLoader`)
  parsing the same file;
- full: `eventforge generate` into an empty folder (a new process, as a user runs it);
- no-change: `eventforge generate` again;
- one-command: `eventforge generate` after one command (with its event and scenario) was added;
- check: `eventforge check`;
- start: a new process that imports what a one-command generate imports (the interpreter, click,
  Jinja2, PyYAML and eventforge's own modules) and does nothing else: the part of every generate in
  a new process that no cache can save;
- floor: parsing the spec with PyYAML's C loader, writing the same files (same bytes, same paths)
  into an empty folder, then `ruff format` over them: what any generator that reads YAML and ends
  in formatted files must at least spend.

Each round runs every size once, one after another (sizes interleaved), so that a machine whose
speed drifts slows all sizes of a round alike and growth exponents compare like with like.
Reported: the median of each over the rounds (the floor: the minimum of its rounds), the median of
the per-round ratios (to the floor, to the full generate, to the C loader), and how each grows
with the number of commands. With `--old REV`, the generator at git revision REV runs the same
generates in the same rounds, beside this checkout ("before" and "after" from one run); rounds
alternate which of the two goes first, since the first pays for the last round's deleted trees.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import itertools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from benchmarks.specmaker import write_spec
from generator.spec.validate import validate_file

SIZES = (10, 100, 1000, 5000)
STEPS = (
    "validate",
    "cload",
    "cload_paused",
    "full",
    "no_change",
    "one_command",
    "check",
    "floor",
    "start",
)
WATCH_STEPS = ("watch_full", "watch_one_command")

# One process that stays running, as `eventforge generate --watch` does: a first generate
# (elsewhere) warms it up, then a full generate into an empty folder and a one-command one, each
# the generate --watch runs after a save (cli/watch.py).
WATCH = """
import json, shutil, sys, time
from pathlib import Path
from generator.cli import main as cli
from generator.support.gcpause import long_lived
long_lived()
warm, spec, changed = (Path(a) for a in sys.argv[1:4])
def once(path):
    start = time.perf_counter()
    code = cli._status(lambda: cli._generate(path, None, False, False, False, None, False, "text"))
    assert code == 0, code
    return time.perf_counter() - start
once(warm)
full = once(spec)
shutil.copy(changed, spec)
print(json.dumps({"watch_full": full, "watch_one_command": once(spec)}), file=sys.stderr)
"""
# What a generate that is not recalled from its memo imports (pipeline._produce imports the
# modules after generator.cli.main lazily); tests/end_to_end/test_benchmarks.py checks the list is whole.
START_MODULES = (
    "generator.cli.main",
    "generator.build.analysis_cache",
    "generator.build.format",
    "generator.build.load_cache",
    "generator.build.plan",
    "generator.build.render",
    "generator.spec.load",
    "generator.spec.pieces",
    "generator.spec.validate",
)
OLD_STEPS = ("old_full", "old_no_change", "old_one_command", "old_check")


def checkout_env(root: Path | None = None) -> dict[str, str]:
    """The environment for a child process that must run this checkout's eventforge (or the one
    at `root`), whatever an editable install elsewhere points to."""
    root = root or Path(__file__).resolve().parent.parent
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(root) + (os.pathsep + path if path else "")}


def _cli(*args: str, cwd: Path, root: Path | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=checkout_env(root),
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"eventforge {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return elapsed


def _timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _floor(project: Path, scratch: Path) -> float:
    """Parse the spec with the C loader, write the generated files again (same bytes, same
    relative paths) and ruff-format them."""
    files = {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in project.rglob("*")
        if p.is_file()
        and p.name != "eventforge.yaml"
        and "cache" not in p.relative_to(project).parts[:2]
        and "__pycache__" not in p.parts
    }
    ruff = find_ruff_bin()
    start = time.perf_counter()
    yaml.load((project / "eventforge.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    for relative, data in files.items():
        target = scratch / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    subprocess.run([ruff, "format", "--quiet", "."], cwd=scratch, check=True)
    return time.perf_counter() - start


def one_round(
    commands: int, seed: int, work: Path, old: Path | None = None, *, old_first: bool = False
) -> dict[str, float]:
    """Every step once, side by side, for one spec size; with `old` (a checkout), its generates
    too, in a folder of their own, before this checkout's when `old_first` (rounds alternate, so
    that neither always runs right after the last round's trees were deleted)."""
    work.mkdir(parents=True)
    project = work / "project"
    spec = write_spec(project / "eventforge.yaml", commands, seed)
    changed = write_spec(work / "changed" / "eventforge.yaml", commands, seed, extra=True)
    times: dict[str, float] = {}
    times["cload"] = _timed(lambda: yaml.load(spec.read_bytes(), Loader=yaml.CSafeLoader))
    # The same with the cyclic garbage collector paused, as eventforge pauses it (gcpause.py).
    gc.disable()
    try:
        times["cload_paused"] = _timed(
            lambda: yaml.load(spec.read_bytes(), Loader=yaml.CSafeLoader)
        )
    finally:
        gc.enable()

    def validate() -> None:
        model, diagnostics = validate_file(spec)
        assert model is not None, diagnostics[:3]

    times["validate"] = _timed(validate)
    if old is not None and old_first:
        times |= _generates(work / "old", commands, seed, changed, "old_", old)
    times |= _generates(project, commands, seed, changed, "", None)
    times["start"] = _start(work)
    times["floor"] = _floor(project, work / "floor")
    times |= _watched(work / "watch", commands, seed, changed)
    if old is not None and not old_first:
        times |= _generates(work / "old", commands, seed, changed, "old_", old)
    shutil.rmtree(work)
    return times


def _start(cwd: Path) -> float:
    """A new process that imports START_MODULES and exits."""
    begin = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import " + ", ".join(START_MODULES)],
        cwd=cwd,
        env=checkout_env(),
        check=True,
    )
    return time.perf_counter() - begin


def _watched(folder: Path, commands: int, seed: int, changed: Path) -> dict[str, float]:
    """The full and one-command generates of one warm process (WATCH)."""
    warm = write_spec(folder / "warm" / "eventforge.yaml", commands, seed)
    spec = write_spec(folder / "project" / "eventforge.yaml", commands, seed)
    result = subprocess.run(
        [sys.executable, "-c", WATCH, str(warm), str(spec), str(changed)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=checkout_env(),
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the warm process failed:\n{result.stderr[-2000:]}")
    times: dict[str, float] = json.loads(result.stderr.strip().splitlines()[-1])
    return times


def _generates(
    folder: Path, commands: int, seed: int, changed: Path, prefix: str, root: Path | None
) -> dict[str, float]:
    """Full, no-change and one-command generates, then check, in `folder` (eventforge at
    `root`, or this checkout)."""
    spec = write_spec(folder / "eventforge.yaml", commands, seed)
    times = {f"{prefix}full": _cli("generate", "eventforge.yaml", cwd=folder, root=root)}
    times[f"{prefix}no_change"] = _cli("generate", "eventforge.yaml", cwd=folder, root=root)
    shutil.copy(changed, spec)
    times[f"{prefix}one_command"] = _cli("generate", "eventforge.yaml", cwd=folder, root=root)
    times[f"{prefix}check"] = _cli("check", "eventforge.yaml", cwd=folder, root=root)
    return times


def old_checkout(revision: str, target: Path) -> Path:
    """The generator at git `revision` (its generator/, templates/ and schemas/), in `target`."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "archive", revision, "generator", "templates", "schemas"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    compileall.compile_dir(str(target / "generator"), quiet=1)
    return target


def run(
    sizes: tuple[int, ...],
    rounds: int,
    seed: int = 1,
    log: Callable[[str], None] = print,
    big_rounds: int | None = None,
    old: str | None = None,
) -> dict[str, Any]:
    # Bytecode for eventforge's own modules, as `pip install` leaves it: without it (say with
    # PYTHONDONTWRITEBYTECODE set), every `eventforge` process would compile them first.
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "generator"), quiet=1)
    # Warm up this process's validator (schema compiled once) so every round measures the same.
    with tempfile.TemporaryDirectory(prefix="eventforge-bench-") as tmp:
        validate_file(write_spec(Path(tmp) / "eventforge.yaml", 10, seed))
    samples: dict[int, list[dict[str, float]]] = {commands: [] for commands in sizes}
    with tempfile.TemporaryDirectory(prefix="eventforge-bench-old-") as old_tmp:
        before = old_checkout(old, Path(old_tmp)) if old else None
        for round_ in range(max(rounds, big_rounds or 0)):
            for commands in sizes:  # interleaved: every size once per round
                count = rounds if commands < 5000 or big_rounds is None else big_rounds
                if round_ >= count:
                    continue
                with tempfile.TemporaryDirectory(prefix="eventforge-bench-") as tmp:
                    times = one_round(
                        commands, seed, Path(tmp) / "work", before, old_first=round_ % 2 == 1
                    )
                samples[commands].append(times)
                shown = ", ".join(f"{k} {v:.2f}s" for k, v in times.items())
                log(f"{commands} commands, round {round_ + 1}/{count}: {shown}")
    results = [_summary(commands, samples[commands]) for commands in sizes]
    return {
        "sizes": list(sizes),
        "seed": seed,
        "old": old,
        "results": results,
        "growth": _growth(results),
    }


def _summary(commands: int, samples: list[dict[str, float]]) -> dict[str, Any]:
    def median(step: str) -> float:
        return statistics.median(s[step] for s in samples)

    def ratio(step: str, base: str) -> float:
        return statistics.median(s[step] / s[base] for s in samples)

    seconds = {step: median(step) for step in STEPS}
    seconds["floor"] = min(s["floor"] for s in samples)  # the floor: the best it can be
    old = {}
    if all("old_full" in s for s in samples):
        old = {
            "seconds": {step: median(step) for step in OLD_STEPS},
            "vs_full": {
                step: ratio(f"old_{step}", "old_full")
                for step in ("no_change", "one_command", "check")
            },
            "full_vs_floor": statistics.median(s["old_full"] for s in samples) / seconds["floor"],
        }
    return {
        "commands": commands,
        "rounds": len(samples),
        "old": old,
        "seconds": seconds,
        "vs_floor": {
            step: seconds[step] / seconds["floor"]
            for step in ("full", "no_change", "one_command", "check")
        },
        "vs_full": {
            step: ratio(step, "full") for step in ("no_change", "one_command", "check", "start")
        },
        "watch": {
            "seconds": {step: median(step) for step in WATCH_STEPS},
            "one_command_vs_full": ratio("watch_one_command", "watch_full"),
            # The wait after a save in a warm process, against a full generate as a user runs it.
            "one_command_vs_new_process_full": ratio("watch_one_command", "full"),
        },
        "validate_vs_cload": ratio("validate", "cload"),
        "validate_vs_cload_paused": ratio("validate", "cload_paused"),
        "samples": samples,
    }


def _growth(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per step: the exponent k in time ~ commands**k between consecutive sizes (1 is linear)."""
    growth: dict[str, dict[str, float]] = {}
    for before, after in itertools.pairwise(results):
        label = f"{before['commands']}->{after['commands']}"
        scale = math.log(after["commands"] / before["commands"])
        growth[label] = {
            step: math.log(after["seconds"][step] / before["seconds"][step]) / scale
            for step in STEPS
        }
    return growth


def table(data: dict[str, Any]) -> str:
    lines = [
        "| commands | validate | C loader | full generate | no-change | one-command | check | floor "
        "| start |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in data["results"]:
        s = row["seconds"]
        lines.append(
            f"| {row['commands']:,} | {s['validate']:.2f} s ({row['validate_vs_cload']:.2f}x) | "
            f"{s['cload']:.2f} s | {s['full']:.2f} s ({row['vs_floor']['full']:.1f}x) | "
            f"{s['no_change']:.2f} s ({row['vs_full']['no_change']:.0%}) | "
            f"{s['one_command']:.2f} s ({row['vs_full']['one_command']:.0%}) | "
            f"{s['check']:.2f} s ({row['vs_floor']['check']:.1f}x) | {s['floor']:.2f} s | "
            f"{s['start']:.2f} s ({row['vs_full']['start']:.0%}) |"
        )
        if row.get("old"):
            o, floor = row["old"]["seconds"], s["floor"]
            lines.append(
                f"| {row['commands']:,} before ({data['old']}) | | | "
                f"{o['old_full']:.2f} s ({o['old_full'] / floor:.1f}x) | "
                f"{o['old_no_change']:.2f} s ({row['old']['vs_full']['no_change']:.0%}) | "
                f"{o['old_one_command']:.2f} s ({row['old']['vs_full']['one_command']:.0%}) | "
                f"{o['old_check']:.2f} s ({o['old_check'] / floor:.1f}x) | | |"
            )
    lines += [
        "",
        "| commands | one process (`generate --watch`): full generate | one-command "
        "| one-command against a full generate in a new process |",
        "|---:|---:|---:|---:|",
    ]
    for row in data["results"]:
        w = row["watch"]
        lines.append(
            f"| {row['commands']:,} | {w['seconds']['watch_full']:.2f} s | "
            f"{w['seconds']['watch_one_command']:.2f} s ({w['one_command_vs_full']:.0%}) | "
            f"{w['one_command_vs_new_process_full']:.0%} |"
        )
    if data["growth"]:
        lines += ["", "| growth exponent (1 = linear) | " + " | ".join(STEPS) + " |"]
        lines.append("|---|" + "---:|" * len(STEPS))
        for label, steps in data["growth"].items():
            lines.append(f"| {label} | " + " | ".join(f"{steps[s]:.2f}" for s in STEPS) + " |")
    return "\n".join(lines)


def plot(data: dict[str, Any], target: Path) -> bool:
    """A log-log plot of the steps against spec size; False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sizes = [row["commands"] for row in data["results"]]
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    labels = {
        "full": "full generate",
        "one_command": "generate, one command added",
        "no_change": "generate, no change",
        "check": "check",
        "validate": "validate (in process)",
        "cload": "PyYAML C loader alone",
        "floor": "floor: write + ruff format",
        "start": "start: a new process's imports",
    }
    for step, label in labels.items():
        axes.plot(
            sizes,
            [row["seconds"][step] for row in data["results"]],
            marker="o",
            linestyle="--" if step in ("floor", "cload") else "-",
            label=label,
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("commands in the spec")
    axes.set_ylabel("seconds (median)")
    axes.set_title("eventforge: generation time against spec size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target)
    plt.close(figure)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generation benchmark (see benchmarks/README.md).")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--big-rounds", type=int, default=None, help="rounds at 5,000 commands")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--plot", type=Path, help="also draw the plot here (needs matplotlib)")
    parser.add_argument("--old", help="also run the generator at this git revision (before)")
    args = parser.parse_args(argv)
    sizes = tuple(int(size) for size in args.sizes.split(","))
    data = run(sizes, args.rounds, args.seed, big_rounds=args.big_rounds, old=args.old)
    print(table(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if args.plot and not plot(data, args.plot):
        print("matplotlib is not installed: pip install -e '.[bench]' for the plot")


if __name__ == "__main__":
    main()
