"""Which types meet: what fits where (with the conversions the rewriter then writes), the common
type of several values (list items, a conditional's branches, min/max), and which values may be
compared for equality or ordered.

Besides the spec's types, the checker gives these kinds to values that only live inside an
expression: `null` (None), `empty` (the items of `[]` or `{}`: any type fits there), `view`
(a map's keys(), values() or items(), and generator expressions: iterable, not a list), and
`pair` (an item of items(), taken apart by `for k, v in ...`).
"""

from __future__ import annotations

from generator.spec.types import MAP_KEYS, TypeRef

NUMERIC = ("int", "float", "decimal")
BOOL = TypeRef("bool")
NULL = TypeRef("null")
EMPTY = TypeRef("empty")
INT = TypeRef("int")
DURATION = TypeRef("duration")


def list_of(item: TypeRef) -> TypeRef:
    return TypeRef("list", item=item)


def map_of(key: TypeRef, item: TypeRef) -> TypeRef:
    return TypeRef("map", key=key, item=item)


def view(name: str, item: TypeRef) -> TypeRef:
    """keys(), values(), items() of a map, or a generator expression (name "generator")."""
    return TypeRef("view", name=name, item=item)


def describe(typ: TypeRef) -> str:
    """How a type reads in a message: the spec's spelling, and words for the inner kinds."""
    mark = "?" if typ.optional else ""
    if typ.kind == "list" and typ.item is not None:
        return "empty list" if typ.item == EMPTY else f"list[{describe(typ.item)}]{mark}"
    if typ.kind == "map" and typ.key is not None and typ.item is not None:
        if typ.key == EMPTY:
            return "empty map"
        return f"map[{describe(typ.key)}, {describe(typ.item)}]{mark}"
    if typ.kind == "view" and typ.item is not None:
        if typ.name == "generator":
            return f"generator of {describe(typ.item)}"
        return f"{typ.name}() view of a map"
    if typ.kind == "pair" and typ.key is not None and typ.item is not None:
        return f"pair ({describe(typ.key)}, {describe(typ.item)})"
    if typ.kind == "null":
        return "None"
    return typ.spec


def a(typ: TypeRef) -> str:
    """`describe` with its article: 'an int', 'a decimal', 'None'."""
    text = describe(typ)
    if typ.kind == "null":
        return text
    return f"an {text}" if text[0] in "aeiou" else f"a {text}"


def fits(actual: TypeRef, expected: TypeRef) -> bool:
    """Whether a value of `actual` may stand where `expected` goes, as mypy sees the generated
    code once an int is converted (Decimal(...), float(...)); literals are judged by fit_node."""
    if actual.kind == "null":
        return expected.optional
    if actual.optional and not expected.optional:
        return False
    act, exp = actual.required(), expected.required()
    if act == exp or act.kind == "empty":
        return True
    if act.kind == "int" and exp.kind in ("decimal", "float"):
        return True
    return _contained(act, exp)


def _contained(act: TypeRef, exp: TypeRef) -> bool:
    """Whether a list or map of `act` may stand for one of `exp` as it is, with no conversion
    written: the generated tuples are covariant in their items and Mappings in their values (a
    list[int] is a list[int?]; `[{}, {}]` sliced is a list of any maps), a Mapping's keys are
    invariant, and an int inside a container stays an int, so it is no decimal."""
    if act.kind == exp.kind == "list":
        assert act.item is not None and exp.item is not None
        return _item_fits(act.item, exp.item)
    if act.kind == exp.kind == "map":
        assert act.key is not None and act.item is not None and exp.item is not None
        return act.key == EMPTY or (act.key == exp.key and _item_fits(act.item, exp.item))
    return False


def _item_fits(act: TypeRef, exp: TypeRef) -> bool:
    if act.kind == "empty" or act == exp:
        return True
    if act.kind == "null":
        return exp.optional
    if act.optional and not exp.optional:
        return False
    return act.required() == exp.required() or _contained(act.required(), exp.required())


def is_map_key(typ: TypeRef) -> bool:
    return not typ.optional and (typ.kind in MAP_KEYS or typ.kind == "enum")


def common(types: list[TypeRef], literal_floats: bool = False) -> TypeRef | None:
    """The type several values share once ints widen and empty literals take a type (None when
    they share none). `literal_floats`: the floats are literals, which beside a decimal are
    decimals. Whether each value then fits is fit_node's to say."""
    optional = any(t.optional or t.kind == "null" for t in types)
    known = [t.required() for t in types if t.kind != "null"]
    if not known:
        return NULL
    found = _common(known, literal_floats)
    if found is None:
        return None
    return TypeRef(found.kind, found.name, found.item, optional=optional, key=found.key)


def _common(types: list[TypeRef], literal_floats: bool) -> TypeRef | None:
    kinds = {t.kind for t in types}
    if "empty" in kinds and len(kinds) > 1:  # `[]` beside a list of ints is a list of ints
        types = [t for t in types if t.kind != "empty"]
        kinds.discard("empty")
    if kinds <= set(NUMERIC):
        if "decimal" in kinds:
            return None if "float" in kinds and not literal_floats else TypeRef("decimal")
        return TypeRef("float") if "float" in kinds else INT
    if kinds == {"empty"}:
        return EMPTY
    if kinds <= {"enum", "str"} and "enum" in kinds:
        names = {t.name for t in types if t.kind == "enum"}
        return types[[t.kind for t in types].index("enum")] if len(names) == 1 else None
    if kinds == {"list"}:
        item = common([t.item for t in types if t.item is not None])
        return None if item is None else list_of(item.required() if item == NULL else item)
    if kinds == {"map"}:
        keys = common([t.key for t in types if t.key is not None])
        items = common([t.item for t in types if t.item is not None])
        if keys is None or items is None or items == NULL or keys.optional:
            return None
        return map_of(keys, items)
    first = types[0]
    return first if all(t == first for t in types) else None


def comparable(left: TypeRef, right: TypeRef) -> bool:
    """Whether `==` between the two can be true (mypy --strict refuses some that cannot)."""
    if left.kind == "null" or right.kind == "null":
        return True
    left, right = left.required(), right.required()
    if left == right or "empty" in (left.kind, right.kind):
        return True
    kinds = {left.kind, right.kind}
    if kinds <= set(NUMERIC):
        return kinds != {"decimal", "float"}
    if kinds == {"enum", "str"}:
        return True
    if left.kind == right.kind == "list":
        assert left.item is not None and right.item is not None
        return comparable(left.item, right.item)
    if left.kind == right.kind == "map":
        assert left.key is not None and right.key is not None
        assert left.item is not None and right.item is not None
        return comparable(left.key, right.key) and comparable(left.item, right.item)
    return False


_ORDERED = ("str", "date", "datetime", "duration", "uuid", "bool", "enum")


def orderable(left: TypeRef, right: TypeRef) -> bool:
    """Whether `<` works on two required values: numbers, or two values of one ordered kind
    (an enum with its own values or text), or lists of such; not records, maps, or a date
    with a datetime (Python refuses that, though mypy would not)."""
    kinds = {left.kind, right.kind}
    if kinds <= set(NUMERIC):
        return True
    if kinds == {"enum", "str"}:
        return True
    if left.kind != right.kind:
        return False
    if left.kind == "enum":
        return left.name == right.name
    if left.kind == "list":
        assert left.item is not None and right.item is not None
        if EMPTY in (left.item, right.item):
            return True
        return (
            not left.item.optional
            and not right.item.optional
            and left.item.kind == right.item.kind
            and orderable(left.item, right.item)
        )
    return left.kind in _ORDERED
