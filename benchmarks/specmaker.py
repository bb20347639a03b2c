"""A deterministic synthetic spec: N aggregates x M commands, with events, state, guards,
scenarios and read models. The same arguments always give the same bytes.

    python -m benchmarks.specmaker --commands 1000 --out /tmp/big/eventforge.yaml
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

# Commands per aggregate: a 1,000-command spec has 100 aggregates of 10 commands.
PER_AGGREGATE = 10
_NOUNS = (
    "Ledger",
    "Invoice",
    "Parcel",
    "Ticket",
    "Booking",
    "Voucher",
    "Batch",
    "Contract",
    "Meter",
    "Claim",
)
_VERBS = ("Record", "Adjust", "Register", "Apply", "Book", "Post", "Log", "Note", "Add")
_PARTICIPLES = {
    "Record": "Recorded",
    "Adjust": "Adjusted",
    "Register": "Registered",
    "Apply": "Applied",
    "Book": "Booked",
    "Post": "Posted",
    "Log": "Logged",
    "Note": "Noted",
    "Add": "Added",
}


def shape(commands: int) -> tuple[int, int]:
    """(aggregates, commands per aggregate) for a total number of commands."""
    per = min(PER_AGGREGATE, max(2, commands))
    return max(1, -(-commands // per)), per


def make_spec(commands: int, seed: int = 1) -> dict[str, Any]:
    """The spec as data: `commands` commands in total, one scenario per command."""
    rng = random.Random(seed)
    aggregates_count, per = shape(commands)
    aggregates: dict[str, Any] = {}
    read_models: dict[str, Any] = {}
    left = commands
    for index in range(aggregates_count):
        count = min(per, left)
        left -= count
        name = f"{_NOUNS[index % len(_NOUNS)]}{index + 1:04d}"
        aggregates[name], read_models[f"{name}Totals"] = _aggregate(rng, name, count)
    return {
        "eventforge": 1,
        "domain": "Synthetic",
        "package": "synthetic",
        "description": f"A synthetic domain of {commands} commands (seed {seed}).",
        "types": {
            "Priority": {"enum": ["low", "normal", "high", "urgent"]},
            "Money": {"fields": {"amount": "decimal", "currency": "str"}},
        },
        "aggregates": aggregates,
        "read_models": read_models,
    }


def _aggregate(rng: random.Random, name: str, count: int) -> tuple[dict[str, Any], dict[str, Any]]:
    key = f"{name.lower()}_id"
    opened, closed = f"{name}Opened", f"{name}Closed"
    errors = {
        f"{name}IsClosed": f"The {name} is closed.",
        f"{name}InvalidAmount": "Amounts must be positive.",
        f"{name}OverLimit": "The amount is over the limit.",
    }
    events: dict[str, Any] = {
        opened: {
            "description": f"A {name} was opened.",
            "fields": {"owner": "str", "limit": "decimal", "priority": "Priority"},
        },
        closed: {"fields": {}, "apply": {"closed": True}},
    }
    commands: dict[str, Any] = {
        f"Open{name}": {
            "description": f"Open a {name}.",
            "creates": True,
            "fields": {
                "owner": "str",
                "limit": {"type": "decimal", "default": 1000},
                "priority": {"type": "Priority", "default": "normal"},
            },
            "emits": [opened],
        }
    }
    scenarios: list[dict[str, Any]] = [
        {
            "name": f"{name} opens",
            "when": {f"Open{name}": {"owner": "Ada", "limit": 100}},
            "then": {
                "events": [{opened: {"owner": "Ada", "limit": 100, "priority": "normal"}}],
                "state": {"owner": "Ada", "limit": 100},
            },
        }
    ]
    on: dict[str, Any] = {opened: {"set": {"owner": "= event.owner", "total": 0}}}
    given_open = {opened: {"owner": "Ada", "limit": 100, "priority": "high"}}
    for j in range(1, count):
        verb = _VERBS[(j - 1) % len(_VERBS)]
        if j == count - 1 and count > 2:
            command = f"Close{name}"
            commands[command] = {
                "rejects": [{"if": "state.closed", "error": f"{name}IsClosed"}],
                "emits": [closed],
            }
            scenarios.append(
                {
                    "name": f"{name} closes",
                    "given": [given_open],
                    "when": {command: {}},
                    "then": [{closed: {}}],
                }
            )
            on[closed] = "delete"
            continue
        command = f"{verb}{name}Entry{j}"
        event = f"{name}Entry{j}{_PARTICIPLES[verb]}"
        with_note = rng.random() < 0.5
        fields: dict[str, Any] = {"amount": "decimal"}
        event_fields: dict[str, Any] = {"amount": "decimal"}
        if with_note:
            fields["note"] = {"type": "str", "default": ""}
            event_fields["note"] = {"type": "str", "default": ""}
        if rng.random() < 0.3:
            fields["cost"] = "Money"
            event_fields["cost"] = "Money"
        events[event] = {
            "fields": event_fields,
            "apply": {"total": "= state.total + event.amount", "entries": "= state.entries + 1"},
        }
        rejects = [
            {"if": "state.closed", "error": f"{name}IsClosed"},
            {"if": "command.amount <= 0", "error": f"{name}InvalidAmount"},
        ]
        if rng.random() < 0.5:
            rejects.append(
                {"if": "state.total + command.amount > state.limit", "error": f"{name}OverLimit"}
            )
        commands[command] = {
            "description": f"{verb} an entry.",
            "fields": fields,
            "rejects": rejects,
        }
        commands[command]["emits"] = [event]
        amount = rng.randint(1, 50)
        values: dict[str, Any] = {"amount": amount}
        if "cost" in fields:
            values["cost"] = {"amount": f"{amount}.50", "currency": "EUR"}
        if rng.random() < 0.25:
            scenarios.append(
                {
                    "name": f"{command} refuses a non-positive amount",
                    "given": [given_open],
                    "when": {command: {**values, "amount": 0}},
                    "then": {"error": f"{name}InvalidAmount"},
                }
            )
        else:
            expected = {"amount": amount}
            scenarios.append(
                {
                    "name": f"{command} adds up",
                    "given": [given_open, {event: {**values, "amount": 10}}],
                    "when": {command: values},
                    "then": {
                        "events": [{event: expected}],
                        "state": {"total": 10 + amount, "entries": 2},
                    },
                }
            )
        on[event] = {"set": {"total": "= row.total + event.amount"}}
    aggregate = {
        "description": f"A synthetic {name}.",
        "id": key,
        "state": {
            "owner": "str",
            "limit": {"type": "decimal", "default": 0},
            "priority": "Priority",
            "total": {"type": "decimal", "default": 0},
            "entries": {"type": "int", "default": 0},
            "closed": {"type": "bool", "default": False},
        },
        "errors": errors,
        "events": events,
        "commands": commands,
        "scenarios": scenarios,
    }
    read_model = {
        "description": f"Totals per {name}.",
        "key": key,
        "fields": {"owner": "str", "total": "decimal"},
        "on": on,
    }
    return aggregate, read_model


def add_command(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of `data` with one more command (and its event and scenario) on the first aggregate:
    the one-command change of the benchmark."""
    data = json.loads(json.dumps(data))
    name, aggregate = next(iter(data["aggregates"].items()))
    command, event = f"Extra{name}Entry", f"Extra{name}EntryRecorded"
    aggregate["events"][event] = {
        "fields": {"amount": "decimal"},
        "apply": {"total": "= state.total + event.amount"},
    }
    aggregate["commands"][command] = {
        "fields": {"amount": "decimal"},
        "rejects": [{"if": "command.amount <= 0", "error": f"{name}InvalidAmount"}],
        "emits": [event],
    }
    opened = next(iter(aggregate["events"]))
    given = {opened: {"owner": "Ada", "limit": 100, "priority": "high"}}
    aggregate["scenarios"].append(
        {
            "name": f"{command} adds up",
            "given": [given],
            "when": {command: {"amount": 3}},
            "then": [{event: {"amount": 3}}],
        }
    )
    return data


def dump(data: dict[str, Any]) -> str:
    """YAML text in the style people write specs: block style, flow style for small mappings."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(
        data,
        Dumper=Dumper,
        sort_keys=False,
        default_flow_style=None,
        width=100,
        allow_unicode=True,
    )


def write_spec(path: Path, commands: int, seed: int = 1, *, extra: bool = False) -> Path:
    data = make_spec(commands, seed)
    if extra:
        data = add_command(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("eventforge.yaml"))
    args = parser.parse_args()
    write_spec(args.out, args.commands, args.seed)
    print(f"wrote {args.out} ({args.commands} commands, seed {args.seed})")


if __name__ == "__main__":
    main()
