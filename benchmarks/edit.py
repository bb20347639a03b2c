"""Edit benchmark: `eventforge add` on large specs, the edit step of an agent's edit-generate loop.

    python -m benchmarks.edit [--sizes 100,1000] [--rounds 3] [--old REV]

For each size (commands in a synthetic spec from benchmarks/specmaker.py), each round runs, in a
fresh folder, each a new process as a user runs it:

- add-error: `eventforge add error <first aggregate> ...` (one aggregate's entry changes);
- add-command: `eventforge add command <first aggregate> ... --emits <its first event>`;
- add-aggregate: `eventforge add aggregate ...` (a new entry: the whole document's round trip);
- one-command: `eventforge generate` after the add-command edit (the next step of the loop), after
  a full generate that is not timed;
- rename-event: `eventforge rename event` of the first aggregate's first event (followed into its
  commands, scenarios and read model);
- remove-command: `eventforge remove command` of the first aggregate's last command (its scenarios
  go with it);
- remove-read-model, then remove-aggregate: the middle aggregate's read model, then the aggregate.

With `--old REV`, the generator at git revision REV makes the same edits in the same rounds, in a
folder of its own (before and after from one run; rounds alternate which goes first). Reported:
the median of each step over the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from benchmarks.generation import _cli, old_checkout
from benchmarks.specmaker import write_spec

ADDS = ("add_error", "add_command", "add_aggregate", "one_command")
CHANGES = ("rename_event", "remove_command", "remove_read_model", "remove_aggregate")
STEPS = (*ADDS, *CHANGES)


def _edits(folder: Path, commands: int, seed: int, root: Path | None) -> dict[str, float]:
    spec = write_spec(folder / "eventforge.yaml", commands, seed)
    data = yaml.load(spec.read_bytes(), Loader=yaml.CSafeLoader)
    aggregate, body = next(iter(data["aggregates"].items()))
    event = next(iter(body["events"]))
    last_command = list(body["commands"])[-1]
    middle = list(data["aggregates"])[len(data["aggregates"]) // 2]
    views = [name for name, view in data["read_models"].items() if middle in str(view["on"])]
    _cli("generate", "eventforge.yaml", cwd=folder, root=root)

    def edit(*args: str) -> float:
        return _cli(*args, cwd=folder, root=root)

    return {
        "add_error": edit("add", "error", aggregate, "BenchRefused", "No."),
        "add_command": edit("add", "command", aggregate, "BenchCommand", "--emits", event),
        "add_aggregate": edit("add", "aggregate", "BenchAggregate"),
        "one_command": edit("generate", "eventforge.yaml"),
        "rename_event": edit("rename", "event", event, "BenchRenamed"),
        "remove_command": edit("remove", "command", last_command),
        "remove_read_model": sum(edit("remove", "read-model", view) for view in views),
        "remove_aggregate": edit("remove", "aggregate", middle),
    }


def run(
    sizes: tuple[int, ...],
    rounds: int,
    seed: int = 1,
    old: str | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    samples: dict[int, list[dict[str, float]]] = {commands: [] for commands in sizes}
    with tempfile.TemporaryDirectory(prefix="eventforge-edit-old-") as old_tmp:
        before = old_checkout(old, Path(old_tmp)) if old else None
        for round_ in range(rounds):
            for commands in sizes:
                with tempfile.TemporaryDirectory(prefix="eventforge-edit-") as tmp:
                    work = Path(tmp)
                    order = [("", None), ("old_", before)] if before else [("", None)]
                    if round_ % 2 == 1:
                        order.reverse()
                    times: dict[str, float] = {}
                    for prefix, root in order:
                        edits = _edits(work / (prefix or "new"), commands, seed, root)
                        times |= {prefix + step: value for step, value in edits.items()}
                samples[commands].append(times)
                shown = ", ".join(f"{k} {v:.2f}s" for k, v in times.items())
                log(f"{commands} commands, round {round_ + 1}/{rounds}: {shown}")
    results = [
        {
            "commands": commands,
            "seconds": {
                step: statistics.median(s[step] for s in samples[commands])
                for step in samples[commands][0]
            },
        }
        for commands in sizes
    ]
    return {"sizes": list(sizes), "seed": seed, "old": old, "results": results}


def table(data: dict[str, Any]) -> str:
    headers = {
        ADDS: "| commands | add error | add command | add aggregate | generate after it |",
        CHANGES: "| commands | rename event | remove command | remove read model | remove aggregate |",
    }
    lines: list[str] = []
    for steps, header in headers.items():
        lines += ["", header] if lines else [header]
        lines.append("|---:|---:|---:|---:|---:|")
        for row in data["results"]:
            s = row["seconds"]
            lines.append(
                f"| {row['commands']:,} | " + " | ".join(f"{s[k]:.2f} s" for k in steps) + " |"
            )
            if data["old"]:
                lines.append(
                    f"| {row['commands']:,} before ({data['old']}) | "
                    + " | ".join(f"{s['old_' + k]:.2f} s" for k in steps)
                    + " |"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.edit", description=__doc__)
    parser.add_argument("--sizes", default="100,1000", help="commands per spec, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--old", metavar="REV", help="also run the generator at git revision REV")
    args = parser.parse_args(argv)
    sizes = tuple(int(size) for size in args.sizes.split(","))
    data = run(sizes, args.rounds, args.seed, args.old)
    print(table(data))


if __name__ == "__main__":
    main()
