"""The lock file: the schema of every stored event as of the last generate, and the breaking-change
check against it.

Stored events live forever. `eventforge.lock` (JSON, next to the spec, meant to be committed)
records each event's topic, version and fields, with the field lists of older versions, so a
later spec edit can be checked: a removed event, a removed field, a changed type or a new field
without a default is an error unless the event's version is raised and an `upcast:` step covers it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.spec.diagnostics import Diagnostic, Level, SpecError
from generator.spec.load import LoadedSpec, PathKey, path_text
from generator.support.jsontext import indented

if TYPE_CHECKING:  # annotations only: keeps `lock_path` cheap to import
    from generator.spec.model import Event, Spec

LOCK_FILE = "eventforge.lock"
FORMAT = 1

Lock = dict[str, Any]


def lock_path(spec_path: Path) -> Path:
    return spec_path.parent / LOCK_FILE


def _fields(event: Event) -> dict[str, dict[str, Any]]:
    return {
        f.name: {"type": f.type.spec, "default": f.default_code is not None} for f in event.fields
    }


def build_lock(spec: Spec, previous: Lock | None) -> Lock:
    """The new lock: the spec's events now, plus the field lists of their older versions."""
    old_events = (previous or {}).get("events", {})
    events: dict[str, Any] = {}
    for aggregate in spec.aggregates:
        for event in aggregate.events:
            history = dict(old_events.get(event.name, {}).get("history", {}))
            history = {v: f for v, f in history.items() if int(v) < event.version}
            history[str(event.version)] = _fields(event)
            events[event.name] = {
                "aggregate": aggregate.name,
                "topic": event.topic,
                "version": event.version,
                "history": dict(sorted(history.items(), key=lambda item: int(item[0]))),
            }
    return {
        "eventforge_lock": FORMAT,
        "package": spec.package,
        "events": dict(sorted(events.items())),
    }


def render_lock(lock: Lock) -> str:
    return indented(lock, ensure_ascii=False) + "\n"


def parse_lock(text: str, origin: str) -> Lock:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SpecError(
            [_diag("E807", f"the lock file is not valid JSON: {exc}", origin, 1, 1)]
        ) from None
    if (
        not isinstance(data, dict)
        or data.get("eventforge_lock") != FORMAT
        or not isinstance(data.get("events"), dict)
    ):
        raise SpecError(
            [_diag("E807", "the lock file is not an eventforge lock (version 1)", origin, 1, 1)]
        )
    return data


def read_lock(path: Path) -> Lock | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SpecError(
            [_diag("E100", f"cannot read the lock file: {exc.strerror or exc}", str(path), 1, 1)]
        ) from None
    return parse_lock(text, str(path))


def read_lock_at(spec_path: Path, revision: str) -> Lock | None:
    """The lock file as committed in git revision `revision` (None if it did not exist there)."""
    folder = spec_path.resolve().parent
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        relative = (folder / LOCK_FILE).relative_to(Path(top).resolve()).as_posix()
        shown = subprocess.run(
            ["git", "show", f"{revision}:{relative}"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except (OSError, subprocess.CalledProcessError, ValueError) as exc:
        raise SpecError(
            [_diag("E100", f"cannot read the lock from git: {exc}", str(spec_path), 1, 1)]
        ) from None
    if shown.returncode != 0:
        if "exists on disk, but not in" in shown.stderr or "does not exist in" in shown.stderr:
            return None
        message = shown.stderr.strip() or f"git show {revision} failed"
        raise SpecError(
            [_diag("E100", f"cannot read the lock at {revision}: {message}", str(spec_path), 1, 1)]
        )
    return parse_lock(shown.stdout, f"{revision}:{relative}")


# -- the breaking-change check ------------------------------------------------------------------


def lock_problems(
    spec_path: Path,
    loaded: LoadedSpec,
    spec: Spec | None,
    *,
    against: str | None = None,
    allow_breaking: bool = False,
) -> list[Diagnostic]:
    """What generate reports about the lock for this spec: a lock that cannot be read (E807,
    E100), and for a valid spec the breaking changes against the lock next to it or in git
    revision `against` (warnings with `allow_breaking`)."""
    try:
        on_disk = read_lock(lock_path(spec_path))
        baseline = read_lock_at(spec_path, against) if against else on_disk
    except SpecError as exc:
        return exc.diagnostics
    if baseline is None or spec is None:
        return []
    return judged(breaking_changes(loaded, spec, baseline), allow_breaking=allow_breaking)


def judged(breaking: list[Diagnostic], *, allow_breaking: bool) -> list[Diagnostic]:
    """Breaking changes are errors, unless the user allows them: then warnings."""
    if allow_breaking:
        return [replace(d, level=Level.WARNING) for d in breaking]
    return breaking


def breaking_changes(loaded: LoadedSpec, spec: Spec, lock: Lock) -> list[Diagnostic]:
    """Every change to a locked event that would make stored events unreadable or wrong."""
    found: list[Diagnostic] = []
    current = {e.name: e for a in spec.aggregates for e in a.events}
    for name, locked in lock.get("events", {}).items():
        event = current.get(name)
        if event is None:
            aggregate = locked.get("aggregate", "")
            path: PathKey = (
                ("aggregates", aggregate, "events")
                if aggregate in loaded.data.get("aggregates", {})
                else ()
            )
            found.append(
                _at(
                    loaded,
                    "E800",
                    f"event {name} was removed or renamed, but stored {name} events "
                    "still exist; keep the event (deprecated), or rename it back",
                    path,
                    key=True,
                )
            )
            continue
        found.extend(_compare(loaded, event, locked))
    return found


def _compare(loaded: LoadedSpec, event: Event, locked: Mapping[str, Any]) -> list[Diagnostic]:
    base: PathKey = ("aggregates", event.aggregate, "events", event.name)
    old_version = int(locked.get("version", 1))
    old_fields: dict[str, Any] = dict(locked.get("history", {}).get(str(old_version), {}))
    out: list[Diagnostic] = []
    if locked.get("topic") and locked["topic"] != event.topic:
        out.append(
            _at(
                loaded,
                "E806",
                f"event {event.name} would be stored as {event.topic!r}, but stored events "
                f"use {locked['topic']!r} (was the package renamed?)",
                base,
                key=True,
            )
        )
    if event.version < old_version:
        out.append(
            _at(
                loaded,
                "E801",
                f"event {event.name} is at version {event.version}, but the lock has "
                f"version {old_version}; versions only go up",
                (*base, "version"),
            )
        )
        return out
    new_fields = {f.name: f for f in event.fields}
    locked_types: dict[str, str] = {k: v["type"] for k, v in old_fields.items()}
    simulated: dict[str, str] | None = locked_types
    if event.version > old_version:
        simulated = _simulate(event, old_version, locked_types)
    if simulated is None:
        return out  # a custom upcaster takes responsibility for the payload
    bumped = event.version > old_version
    for field_name, old_type in simulated.items():
        field = new_fields.get(field_name)
        if field is None:
            fix = (
                "list it under `remove:` in the upcast step"
                if bumped
                else ("keep it, or raise `version:` and list it under `remove:` in an upcast step")
            )
            out.append(
                _at(
                    loaded,
                    "E802",
                    f"event {event.name} lost the field {field_name!r} that stored events "
                    f"carry; {fix}",
                    (*base, "fields"),
                    key=True,
                )
            )
        elif field.type.spec != old_type:
            out.append(
                _at(
                    loaded,
                    "E803",
                    f"event {event.name} field {field_name!r} changed type from {old_type} "
                    f"to {field.type.spec}; stored values would not fit"
                    + ("" if bumped else " (raise `version:` and write a custom upcast step)"),
                    (*base, "fields", field_name),
                    key=True,
                )
            )
    for field_name, field in new_fields.items():
        if field_name not in simulated and field.default_code is None:
            out.append(
                _at(
                    loaded,
                    "E804",
                    f"event {event.name} has a new field {field_name!r} without a default, "
                    "which stored events lack; give it a default or make it optional"
                    + (", or `add:` it in an upcast step" if bumped else ""),
                    (*base, "fields", field_name),
                    key=True,
                )
            )
    return out


def _simulate(event: Event, from_version: int, fields: dict[str, str]) -> dict[str, str] | None:
    """The field list after the declarative upcast steps; None once a custom step takes over."""
    types = {f.name: f.type.spec for f in event.fields}
    for step in event.upcasts:
        if step.from_version < from_version:
            continue
        if step.custom:
            return None
        for old, new in step.renames:
            if old in fields:
                fields[new] = fields.pop(old)
        for name in step.removes:
            fields.pop(name, None)
        for add in step.adds:
            fields[add.target] = types[add.target]
    return fields


def _at(
    loaded: LoadedSpec, code: str, message: str, path: PathKey, *, key: bool = False
) -> Diagnostic:
    line, column = loaded.where(path, key=key)
    return Diagnostic(
        code=code, message=message, file=loaded.file, line=line, column=column, path=path_text(path)
    )


def _diag(code: str, message: str, file: str, line: int, column: int) -> Diagnostic:
    return Diagnostic(code=code, message=message, file=file, line=line, column=column)
