"""Specs made for the board's tests: a big one (many slices) and a hostile one (markup in text)."""

from __future__ import annotations

AGGREGATES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo")


def big_spec(commands: int = 100) -> str:
    """A valid spec with `commands` commands spread over five aggregates, each emitting its own
    event, one read model per aggregate fed by all its events, and an automation every tenth
    command."""
    per = commands // len(AGGREGATES)
    lines = ["eventforge: 1", "domain: Big", "description: A hundred slices.", "aggregates:"]
    for name in AGGREGATES:
        ident = f"{name.lower()}_id"
        lines += [f"  {name}:", f"    id: {ident}", "    state: {total: {type: int, default: 0}}"]
        lines.append("    events:")
        lines += [f"      {name}Step{i}Recorded: {{fields: {{amount: int}}}}" for i in range(per)]
        lines.append("    commands:")
        for i in range(per):
            creates = "creates: true, " if i == 0 else ""
            lines.append(
                f"      Record{name}Step{i}: {{{creates}fields: {{amount: int}}, "
                f"emits: [{name}Step{i}Recorded]}}"
            )
    lines.append("read_models:")
    for name in AGGREGATES:
        lines += [f"  {name}Totals:", f"    key: {name.lower()}_id", "    fields: {total: int}"]
        lines.append("    on:")
        lines += [
            f'      {name}Step{i}Recorded: {{set: {{total: "= event.amount"}}}}' for i in range(per)
        ]
    lines.append("automations:")
    for name in AGGREGATES:
        ident = f"{name.lower()}_id"
        for i in range(3, per - 1, 10):
            lines += [
                f"  Follow{name}Step{i}:",
                f"    on: {name}Step{i}Recorded",
                f"    send: {{Record{name}Step{i + 1}: "
                f'{{{ident}: "= event.{ident}", amount: "= event.amount"}}}}',
            ]
    return "\n".join(lines) + "\n"


HOSTILE = """\
eventforge: 1
domain: "<script>alert('domain')</script> & Co"
package: hostile
description: "<img src=x onerror=alert(1)> description </main>"
aggregates:
  Door:
    description: "<script>alert('aggregate')</script>"
    state: {open: {type: bool, default: false}}
    events:
      DoorOpened:
        description: "</div><script>alert('event')</script>"
        fields: {note: str}
    commands:
      OpenDoor:
        creates: true
        description: "<b onclick=alert(1)>bold</b>"
        fields: {note: str}
        emits: [DoorOpened]
    scenarios:
      - name: "<script>alert('scenario')</script>"
        when:
          OpenDoor: {note: "<script>alert('value')</script>"}
        then:
          events:
            - DoorOpened: {note: "<script>alert('value')</script>"}
"""
