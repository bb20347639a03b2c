"""Collections in expressions: list and dict literals, subscripts and slices, and comprehensions
(list, dict, generator) with one `for` and an optional `if`."""

from __future__ import annotations

import ast
import builtins
import re
from typing import TYPE_CHECKING

from generator.spec.expressions.fitting import (
    BOOL,
    EMPTY,
    INT,
    a,
    common,
    describe,
    is_map_key,
    list_of,
    map_of,
    view,
)
from generator.spec.expressions.narrowing import not_none_when
from generator.spec.expressions.rewrite import signed_number
from generator.spec.types import MAP_KEYS, TypeRef

if TYPE_CHECKING:
    from generator.spec.expressions.typecheck import Checker

_VARIABLE = re.compile(r"^[a-z][a-z0-9_]*$")
# Names the generated modules use around an expression: a comprehension's variable may not
# hide them inside it.
_TAKEN = frozenset(dir(builtins)) | {
    "dt",
    "datetime",
    "date",
    "timedelta",
    "UTC",
    "Decimal",
    "UUID",
    "Mapping",
    "Sequence",
    "replace",
    "field",
    "dataclass",
    "runtime",
    "projections",
    "reader",
    "command",
    "state",
    "event",
    "row",
    "self",
    "cls",
}
_TWO_STEPS = (
    "use two steps: compute the inner collection into a field first (an `apply:` or `set:` "
    "rule), then go over that field"
)


def items_of(typ: TypeRef) -> TypeRef | None:
    """What iterating a value gives: a list's items, a map's keys, a view's items."""
    if typ.kind in ("list", "view"):
        return typ.item
    if typ.kind == "map":
        return typ.key
    return None


def untyped(typ: TypeRef) -> bool:
    """Whether a value comes from empty literals only (`[]`, `{}`, `[{}]`): its type says
    nothing of what it would hold, and Python's type checkers cannot infer one."""
    if typ.kind == "empty":
        return True
    parts = [t for t in (typ.key, typ.item) if t is not None]
    return typ.kind in ("list", "map") and any(untyped(t) for t in parts)


def sequence(ck: Checker, node: ast.List | ast.Tuple | ast.Set) -> TypeRef | None:
    """A list literal (a tuple or, right of `in`, a set too): its items share one type; they
    are converted to it where the list goes (fit), not here (`x in [0.5, 1]` keeps its 1)."""
    for element in node.elts:
        if isinstance(element, ast.Starred):
            ck.fail("E501", "unpacking (*) is not allowed in expressions")
            return None
    types = [ck.check(e) for e in node.elts]
    if not node.elts:
        return list_of(EMPTY)
    known = [t for t in types if t is not None]
    if len(known) < len(types):
        return None
    item = common(known, literal_floats=_literal_floats(node.elts, known))
    if item is None:
        kinds = ", ".join(dict.fromkeys(describe(t) for t in known))
        ck.fail("E504", f"the items of a list have no common type ({kinds})")
        return None
    return list_of(item)


def dictionary(ck: Checker, node: ast.Dict) -> TypeRef | None:
    """A dict literal: a map whose keys share a key type and whose values share one type."""
    if any(k is None for k in node.keys):
        ck.fail("E501", "unpacking (**) is not allowed in expressions; merge maps with |")
        return None
    keys = [k for k in node.keys if k is not None]
    seen: set[str] = set()
    for written in keys:
        text = ast.dump(written)
        if text in seen:
            ck.fail("E504", f"the key {ast.unparse(written)} is given twice in a map literal")
            return None
        seen.add(text)
    key_types = [ck.check(k) for k in keys]
    value_types = [ck.check(v) for v in node.values]
    if not keys:
        return map_of(EMPTY, EMPTY)
    known_keys = [t for t in key_types if t is not None]
    known_values = [t for t in value_types if t is not None]
    if len(known_keys) < len(keys) or len(known_values) < len(keys):
        return None
    key = common(known_keys)
    if key is None or not is_map_key(key):
        kinds = ", ".join(dict.fromkeys(describe(t) for t in known_keys))
        ck.fail(
            "E504",
            f"a map's keys share one type, one of {', '.join(MAP_KEYS)} or an enum, and are "
            f"not None (here: {kinds})",
        )
        return None
    item = common(known_values, literal_floats=_literal_floats(node.values, known_values))
    if item is None or item.kind == "null":
        kinds = ", ".join(dict.fromkeys(describe(t) for t in known_values))
        ck.fail("E504", f"the values of a map have no common type ({kinds})")
        return None
    return map_of(key, item)


def subscript(ck: Checker, node: ast.Subscript) -> TypeRef | None:
    """`items[0]` (an int index), `items[1:]` (a slice, int bounds, no step), `stock[key]`."""
    base = ck.check(node.value)
    index = node.slice
    if _written_out(node.value) and _constant_position(index):
        # mypy knows such a list's length and items, so `[a, b][3]` fails to type-check and
        # `[5][0:-8]` is an empty tuple whose sum is Any: the result is known, so it is refused.
        ck.fail(
            "E504",
            f"{ast.unparse(node)} takes a constant position of a list written out in the "
            "expression; write the item itself (or index a field's list)",
        )
        return None
    if isinstance(index, ast.Slice):
        return _slice(ck, node, base, index)
    key = ck.check(index)
    if base is None or key is None:
        return None
    if base.optional or base.kind == "null":
        ck.none_error(node.value, "subscripted")
        return None
    subject = ast.unparse(node.value)
    if base.kind == "list":
        if key != INT:
            ck.fail("E504", f"{subject} is a list, indexed by an int, not by {a(key)}")
            return None
        assert base.item is not None
        return base.item
    if base.kind == "map":
        assert base.key is not None and base.item is not None
        if not ck.fit(index, base.key, where=f"a key of {subject} ({describe(base)})"):
            return None
        return base.item
    ck.fail("E504", f"{subject} is {a(base)}, which cannot be subscripted (lists and maps can)")
    return None


def _written_out(node: ast.expr) -> bool:
    """A list whose length the expression fixes: a literal, a slice of one, literals added,
    or a conditional that may give one."""
    if isinstance(node, ast.List | ast.Tuple):
        return True
    if isinstance(node, ast.Subscript):
        return _written_out(node.value)
    if isinstance(node, ast.IfExp):
        return _written_out(node.body) or _written_out(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _written_out(node.left) and _written_out(node.right)
    return False


def _constant_position(index: ast.expr) -> bool:
    """An index, or a slice's bounds, written as numbers."""
    if isinstance(index, ast.Slice):
        return all(b is None or signed_number(b) is not None for b in (index.lower, index.upper))
    return signed_number(index) is not None


def _slice(
    ck: Checker, node: ast.Subscript, base: TypeRef | None, index: ast.Slice
) -> TypeRef | None:
    if index.step is not None:
        ck.fail("E501", "a slice with a step is not allowed in expressions (items[a:b] is)")
        return None
    bounds = [b for b in (index.lower, index.upper) if b is not None]
    types = [ck.check(b) for b in bounds]
    if base is None or None in types:
        return None
    if base.optional or base.kind == "null":
        ck.none_error(node.value, "sliced")
        return None
    if base.kind != "list":
        ck.fail("E504", f"{ast.unparse(node.value)} is {a(base)}: only lists can be sliced")
        return None
    for bound, typ in zip(bounds, types, strict=True):
        if typ != INT:
            ck.fail(
                "E504", f"a slice's bounds are ints, not {a(typ or INT)} ({ast.unparse(bound)})"
            )
            return None
    return base


def comprehension(
    ck: Checker, node: ast.ListComp | ast.DictComp | ast.GeneratorExp
) -> TypeRef | None:
    """One `for` (a name, or `k, v` over items()) and at most one `if`."""
    if ck.depth:
        ck.fail("E501", f"a comprehension inside a comprehension is not allowed; {_TWO_STEPS}")
        return None
    if len(node.generators) != 1:
        ck.fail(
            "E501", f"a comprehension takes one `for`, not {len(node.generators)}; {_TWO_STEPS}"
        )
        return None
    loop = node.generators[0]
    if loop.is_async:
        ck.fail("E501", "async comprehensions are not allowed in expressions")
        return None
    if len(loop.ifs) > 1:
        ck.fail("E501", "a comprehension takes one `if`; join the conditions with `and`")
        return None
    ck.depth += 1
    try:
        source = ck.check(loop.iter)
        names = _bind(ck, loop.target, loop.iter, source)
        if names is None:
            return None
        outer, before = ck.locals, ck.not_none
        ck.locals = {**outer, **names}
        try:
            return _body(ck, node, loop.ifs)
        finally:
            ck.locals, ck.not_none = outer, before
    finally:
        ck.depth -= 1


def _body(
    ck: Checker, node: ast.ListComp | ast.DictComp | ast.GeneratorExp, ifs: list[ast.expr]
) -> TypeRef | None:
    for condition in ifs:
        typ = ck.check(condition)
        if typ is not None and typ != BOOL:
            ck.fail("E504", f"a comprehension's `if` must be a bool, not {a(typ)}")
            return None
        ck.changing(condition, "a comprehension's `if`")
        ck.not_none = ck.not_none | not_none_when(condition, holds=True)
    if isinstance(node, ast.DictComp):
        key, value = ck.check(node.key), ck.check(node.value)
        if key is None or value is None:
            return None
        if not is_map_key(key):
            ck.fail(
                "E504",
                f"a map's key is one of {', '.join(MAP_KEYS)} or an enum, not {describe(key)}",
            )
            return None
        if value.kind == "null":
            ck.fail("E504", "a map's values cannot all be None")
            return None
        return map_of(key, value)
    item = ck.check(node.elt)
    if item is None:
        return None
    if item.kind == "null":
        ck.fail("E504", "a list's items cannot all be None")
        return None
    return list_of(item) if isinstance(node, ast.ListComp) else view("generator", item)


def _bind(
    ck: Checker, target: ast.expr, source_node: ast.expr, source: TypeRef | None
) -> dict[str, TypeRef] | None:
    """The comprehension's variables and their types; None (reported) when it cannot go over
    `source` that way."""
    if isinstance(target, ast.Name):
        names = [target]
    elif isinstance(target, ast.Tuple) and all(isinstance(t, ast.Name) for t in target.elts):
        names = [t for t in target.elts if isinstance(t, ast.Name)]
    else:
        ck.fail("E501", "a comprehension's variable is a name, or a pair (for k, v in m.items())")
        return None
    for name in names:
        if not _free(ck, name.id):
            return None
    if len({n.id for n in names}) < len(names):
        ck.fail("E501", "the two variables of a pair need two names")
        return None
    if source is None:
        return None
    subject = ast.unparse(source_node)
    if source.optional or source.kind == "null":
        ck.none_error(source_node, "gone over")
        return None
    item = items_of(source)
    if item is None:
        ck.fail(
            "E504",
            f"cannot go over {subject}, {a(source)}: a comprehension goes over a list, a map, "
            "or a map's keys(), values() or items()",
        )
        return None
    if untyped(item):
        ck.fail(
            "E504",
            f"cannot go over {subject}: it is made of empty literals, so its items have no "
            "type; write the result instead",
        )
        return None
    if item.kind == "pair":
        if len(names) != 2:
            ck.fail("E501", f"{subject} gives pairs: take them apart (for k, v in {subject})")
            return None
        assert item.key is not None and item.item is not None
        return {names[0].id: item.key, names[1].id: item.item}
    if len(names) != 1:
        ck.fail("E504", f"{subject} gives single values, not pairs (pairs come from items())")
        return None
    return {names[0].id: item}


def _free(ck: Checker, name: str) -> bool:
    reason = ""
    if not _VARIABLE.match(name):
        reason = "write it in snake_case"
    elif name in _TAKEN:
        reason = "the generated code uses that name"
    elif (
        name in ck.scope.names
        or name in ck.scope.values
        or name in ck.scope.records
        or name in ck.scope.enums
        or name in ck.locals
    ):
        reason = "the expression already has something of that name"
    if reason:
        ck.fail("E501", f"the comprehension variable {name!r} cannot be used: {reason}")
        return False
    return True


def _literal_floats(nodes: list[ast.expr], types: list[TypeRef]) -> bool:
    """Whether every float among `nodes` is a literal (beside a decimal, it is a decimal)."""
    return all(
        isinstance(signed_number(n), float)
        for n, t in zip(nodes, types, strict=True)
        if t.kind == "float"
    )
