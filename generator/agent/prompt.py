"""`eventforge prompt`: one self-contained prompt for drafting a spec with any language model.

It carries everything a model needs and nothing it must fetch: the spec language reference, the
decisions eventforge adds to it (reserved names, taken from the code), the JSON Schema, a worked
example, the rules for good names, and the user's description. eventforge makes no network call;
the person pipes the prompt into the model of their choice and the answer into `validate`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from generator.spec.names import EVENT_MEMBERS, RESERVED_CLASSES, RESERVED_MODULES, STATE_MEMBERS
from generator.support.resources import examples_dir, schema_path, spec_reference_path

DEFAULT_EXAMPLE = "library"

NAMING_RULES = """\
- Events are facts that happened, named in the past tense from the business's own words:
  `AccountOpened`, `MoneyDeposited`, `OrderShipped`; not `OpenAccount`, `Deposit` or `ShipOrder`.
- Name the fact, not the data change: `OrderShipped`, not `OrderStatusUpdated`, `OrderChanged` or
  `OrderSaved`. Avoid CRUD words (Created, Updated, Deleted) unless the domain speaks that way.
- One event per meaningful fact, carrying the fields needed to rebuild state and to understand it
  later without the command (stored events are kept forever).
- Commands are requests in the imperative: `OpenAccount`, `ShipOrder`. Errors say what is wrong:
  `AccountIsClosed`, `InsufficientFunds`. Aggregates are nouns: `Account`, `Order`.
- Names are PascalCase and unique across all kinds; fields are snake_case."""

ANSWER_RULES = """\
- Answer with the complete `eventforge.yaml` in one ```yaml block and nothing else.
- Start it with `eventforge: 1`, `domain:` and `aggregates:`; add `read_models:` and `automations:`
  only where the description calls for them.
- Give every command at least one scenario (given events, when the command, then events or an
  error); give every aggregate a command that starts its streams (`creates: true`, or
  `creates: if-missing` for one that may start or continue a stream, like adding to a cart).
- Say choices in the spec, not in hand-written code: `if:` on an `emits` entry for an event emitted
  only sometimes, a `rejects` rule with `emits:` for a failure recorded as an event, and `reads:`
  for a fact from outside the stream (a read model's row, another aggregate's state); give a
  command's scenarios what its reads find under `reads:`.
- Write collection and time logic as expressions, not custom handlers: remove from a list with
  `[i for i in state.items if i.product_id != event.product_id]`, count per key with
  `state.stock | {event.product: state.stock.get(event.product, 0) + 1}`, total lines with
  `sum(i.price * i.quantity for i in state.items)`, keep the first value with
  `event.code if state.coupon is None else state.coupon`, build a value object by keyword
  (`CartItem(product_id=event.product_id, price=event.price)`), and say deadlines with durations
  (`state.starts_at - now() < hours(24)`). One `for` per comprehension; no other calls or methods
  than the documented ones; `list - list` is not an operator.
- Key a read model by the fields that name its rows (`key: [cart_id, product_id]`: one row per
  product in each cart), skip events with `if:` on a handler, and remove the rows of something
  gone with `delete_where: {cart_id: "= event.cart_id"}` (a key or `index:` field), rather than
  a custom update().
- Make scenarios specify exactly: `at: 2024-05-01T10:00:00Z` on a scenario fixes the time `now()`
  reads, so a time the command stamps can be expected (`placed_at: 2024-05-01T10:00:00Z`); an id
  may be a short name (`cart-1`, one id throughout the scenario); `then.state` may check `version`
  and `exists`. Write a story across aggregates, read models and automations (filled, submitted,
  an order opened) as a `timelines:` entry: a `name`, optional `given`, and `steps`, each a `when`
  with its id field, an optional `at`, and a `then` with `events`, `error`, `state`, `rows`
  (`{ReadModel: [...]}`) and `sent` (the commands automations sent).
- Write a process (a step in another aggregate, then another) as automations: `on:` an event, a
  list of events, or `{rejected: Command}` to undo an earlier step when a command an automation
  sent is rejected (`event` then has the command's fields, `error` and `message`); `if:` to
  filter; `send:` a list of commands, an entry with `for: item in items` to send one per item of
  rows it `reads:` or of an event's list field. Declare events that come from other systems under
  `external_events:` (fields only, no aggregate).
- Use `handler: custom` only for a decision the spec's rules and expressions cannot state.
- Leave nothing dangling: every read-model field set by some event, every command field used,
  every event emitted by some command (warnings W440-W442 otherwise).
- The answer is checked with `eventforge validate --format json`. Each error has a `code`, a
  `path` and `line` in the spec, a `message` and a one-line `hint`; when you get such errors, fix
  them and answer again with the whole file. (`eventforge model --html model.html` then draws
  the spec as an event-modeling board for the person to review.)"""


@dataclass(frozen=True)
class Prompt:
    text: str

    @property
    def bytes(self) -> int:
        return len(self.text.encode("utf-8"))

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "prompt": self.text,
            "bytes": self.bytes,
            "tokens_estimate": (self.bytes + 3) // 4,
        }


def example_names() -> list[str]:
    return sorted(p.parent.name for p in examples_dir().glob("*/eventforge.yaml"))


def build_prompt(description: str, *, example: str = DEFAULT_EXAMPLE) -> Prompt:
    reference = spec_reference_path().read_text(encoding="utf-8").strip()
    schema = json.dumps(
        json.loads(schema_path().read_text(encoding="utf-8")), separators=(",", ":")
    )
    worked = (examples_dir() / example / "eventforge.yaml").read_text(encoding="utf-8").strip()
    sections = [
        "You are drafting a domain spec for eventforge, a generator that turns one YAML file, "
        "`eventforge.yaml`, into a tested, event-sourced Python package. The spec holds the "
        "structure (aggregates, commands, events, errors, read models, automations) and "
        "given-when-then scenarios; hand-written Python holds only what the spec cannot say.",
        f"# The domain to model\n\n{description.strip()}",
        f"# How to answer\n\n{ANSWER_RULES}",
        f"# Good names\n\n{NAMING_RULES}",
        f"# The spec language, version 1 (reference)\n\n{_demote(reference)}",
        f"# What eventforge decides within version 1\n\n{_decisions()}",
        f"# A worked example: the {example} domain\n\n```yaml\n{worked}\n```",
        f"# JSON Schema of the spec (its shape only; names, references and expressions are "
        f"checked by `eventforge validate`)\n\n```json\n{schema}\n```",
        f"# Once more, the domain to model\n\n{description.strip()}\n\nAnswer with the whole "
        "`eventforge.yaml` in one ```yaml block.",
    ]
    return Prompt("\n\n".join(sections) + "\n")


def _demote(markdown: str) -> str:
    """The reference's headings one level down, below this prompt's own."""
    return "\n".join("#" + line if line.startswith("#") else line for line in markdown.splitlines())


def _decisions() -> str:
    state = ", ".join(f"`{n}`" for n in STATE_MEMBERS)
    event = ", ".join(f"`{n}`" for n in EVENT_MEMBERS)
    classes = ", ".join(f"`{n}`" for n in sorted(RESERVED_CLASSES))
    modules = ", ".join(f"`{n}`" for n in sorted(RESERVED_MODULES))
    return "\n".join(
        [
            "- `handler: custom` on a command: its `decide()` is hand-written in a user-owned file; "
            "its `rejects:` rules are still generated and checked first.",
            "- `version: N` on an event (default 1), raised when a stored event's fields change, "
            "with one `upcast:` step per older version: `{N: {rename: {old: new}, add: {field: "
            "value}, remove: [field]}}` or `N: custom`.",
            "- Evolve: every event field named like a state field is copied into the state; "
            "`apply:` adds or overrides assignments.",
            "- A state field without a default starts at its type's zero value.",
            "- Fields may have any snake_case name the domain uses (`date`, `type`, `from`, "
            "`class`, `state`, `timestamp`...): generated Python adds `_` only where Python "
            "forbids the name (`from_`), and payloads, JSON and expressions keep the spec's name "
            "(`command.from`). Never write that spelling (`from_`) in the spec.",
            f"- Reserved field names: on a state {state} (every state has them); on an event "
            f"{event}; and the aggregate's own id field, implicit on its commands, events and "
            "state (a read model's key likewise on its rows).",
            f"- Reserved class names: {classes}, and `<Aggregate>State`, `<Aggregate>Error`, "
            "`<Aggregate>Event`, `<ReadModel>Row`, `<Package>Application`.",
            f"- A command's module name (its snake_case) may not be {modules}.",
            "- A command's reads may not be named like a field of the command or the state, "
            "`command`, `state`, `event`, `row`, a Python keyword or builtin (`len`...), "
            "`runtime`, `date` or `datetime`; an aggregate may not declare the built-in errors "
            "`StreamExists` and `StreamNotFound`.",
            "- Aggregate, command, read model and automation names whose module name (their "
            "snake_case) is a Python keyword or soft keyword (`Class`, `Match`) are refused.",
        ]
    )
