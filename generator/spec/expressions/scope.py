"""What an expression sees (Scope) and what compiling it gives (Compiled)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from generator.spec.types import TypeRef


class ValueObject(dict[str, TypeRef]):
    """A value object's fields (name -> type), and which of them have a default: an expression
    may build one by keyword (`CartItem(product_id=..., price=...)`) and leave those out. Other
    records an expression sees (a read's row) are plain mappings and cannot be built."""

    def __init__(self, fields: Mapping[str, TypeRef], *, defaults: frozenset[str]) -> None:
        super().__init__(fields)
        self.defaults = defaults


@dataclass(frozen=True)
class Scope:
    """What an expression can see: context names with their fields, and the spec's types."""

    names: Mapping[str, Mapping[str, TypeRef]]
    records: Mapping[str, Mapping[str, TypeRef]]
    enums: Mapping[str, Mapping[str, str]]  # enum -> value -> member name
    # Names that stand for a value themselves (a command's `reads`: a row, a list of rows, a
    # state), with its type; a record type here is one of `records`.
    values: Mapping[str, TypeRef] = field(default_factory=dict)
    # Names declared wrongly (reported where they are declared): their uses are not judged.
    unknown: frozenset[str] = frozenset()

    def narrowed(self, names: set[str]) -> Scope:
        """The scope where each of `names` is known not to be None (a rule before said so)."""
        if not names & set(self.values):
            return self
        values = {n: t.required() if n in names else t for n, t in self.values.items()}
        return Scope(self.names, self.records, self.enums, values, self.unknown)


@dataclass
class Compiled:
    code: str = ""
    type: TypeRef | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    uses: set[str] = field(default_factory=set)  # names the generated module must import
