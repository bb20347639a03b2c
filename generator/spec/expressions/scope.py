"""What an expression sees (Scope) and what compiling it gives (Compiled)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from generator.spec.types import TypeRef


@dataclass(frozen=True)
class Scope:
    """What an expression can see: context names with their fields, and the spec's types."""

    names: Mapping[str, Mapping[str, TypeRef]]
    records: Mapping[str, Mapping[str, TypeRef]]
    enums: Mapping[str, Mapping[str, str]]  # enum -> value -> member name


@dataclass
class Compiled:
    code: str = ""
    type: TypeRef | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    uses: set[str] = field(default_factory=set)  # names the generated module must import
