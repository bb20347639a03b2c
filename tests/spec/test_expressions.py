"""The expression forms of issue 13 (section 4 of the design page): each compiles to exact,
typed Python, or is refused with its located code, its message and the hint for its kind of
problem. The compiled forms are also written into one module that must pass mypy --strict and
ruff, as the generated packages do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator.spec.expressions import Scope, compile_expression
from generator.spec.expressions.scope import ValueObject
from generator.spec.hints import hint_for
from generator.spec.types import TypeRef, parse_type


def T(text: str) -> TypeRef:
    return parse_type(text, {"Size"}, {"CartItem", "Product"})


CART_ITEM = ValueObject(
    {"product_id": T("str"), "price": T("decimal"), "quantity": T("int"), "note": T("str?")},
    defaults=frozenset({"quantity", "note"}),
)
SCOPE = Scope(
    names={
        "state": {
            "items": T("list[CartItem]"),
            "ids": T("list[str]"),
            "stock": T("map[str, int]"),
            "prices": T("map[str, decimal]"),
            "sizes": T("map[Size, int]"),
            "coupon": T("str?"),
            "total": T("decimal"),
            "starts_at": T("datetime"),
            "day": T("date"),
            "grace": T("duration"),
            "ratio": T("float"),
        },
        "event": {
            "product_id": T("str"),
            "price": T("decimal"),
            "quantity": T("int"),
            "code": T("str"),
        },
    },
    records={"CartItem": CART_ITEM, "Product": {"name": T("str"), "price": T("decimal")}},
    enums={"Size": {"small": "SMALL", "large": "LARGE"}},
    values={"product": T("Product?")},
)

COMPILED = [
    (
        "event.code if state.coupon is None else state.coupon",
        "str",
        "event.code if state.coupon is None else state.coupon",
    ),
    (
        "product.price if product is not None else 0",
        "decimal",
        "product.price if product is not None else Decimal('0')",
    ),
    ("1 if state.coupon is None else 2.5", "float", "1.0 if state.coupon is None else 2.5"),
    ("True if event.quantity > 0 else False", "bool", "event.quantity > 0"),
    (
        "state.total if not state.ids else 0",
        "decimal",
        "Decimal('0') if state.ids else state.total",
    ),
    ("state.items[0].price", "decimal", "state.items[0].price"),
    ("state.items[-1]", "CartItem", "state.items[-1]"),
    ("state.ids[1:]", "list[str]", "state.ids[1:]"),
    ("state.stock[event.product_id]", "int", "state.stock[event.product_id]"),
    ("state.sizes['large']", "int", "state.sizes[Size.LARGE]"),
    (
        "[i for i in state.items if i.product_id != event.product_id]",
        "list[CartItem]",
        "tuple(i for i in state.items if i.product_id != event.product_id)",
    ),
    ("[i.price for i in state.items]", "list[decimal]", "tuple(i.price for i in state.items)"),
    ("[1, event.quantity]", "list[decimal]", "(Decimal('1'), Decimal(event.quantity))"),
    (
        "{k: v for k, v in state.stock.items() if v > 0}",
        "map[str, int]",
        "{k: v for k, v in state.stock.items() if v > 0}",
    ),
    ("{k: 0 for k in state.stock}", "map[str, int]", "{k: 0 for k in state.stock}"),
    (
        "any(i.quantity > 3 for i in state.items)",
        "bool",
        "any(i.quantity > 3 for i in state.items)",
    ),
    (
        "all(v > 0 for v in state.stock.values())",
        "bool",
        "all(v > 0 for v in state.stock.values())",
    ),
    (
        "sum(i.price * i.quantity for i in state.items)",
        "decimal",
        "sum((i.price * i.quantity for i in state.items), Decimal(0))",
    ),
    ("sum(state.stock.values())", "int", "sum(state.stock.values())"),
    ("sum([state.ratio, 1.5])", "float", "sum((state.ratio, 1.5), 0.0)"),
    (
        "sum([state.grace, hours(1)])",
        "duration",
        "sum((state.grace, timedelta(hours=1)), timedelta())",
    ),
    (
        "state.stock | {event.product_id: 1}",
        "map[str, int]",
        "{**state.stock, event.product_id: 1}",
    ),
    (
        "state.prices | {event.product_id: 1}",
        "map[str, decimal]",
        "{**state.prices, event.product_id: Decimal('1')}",
    ),
    ("state.sizes | {'small': 2}", "map[Size, int]", "{**state.sizes, Size.SMALL: 2}"),
    ("state.stock | state.stock", "map[str, int]", "{**state.stock, **state.stock}"),
    (
        "{event.product_id: event.quantity}",
        "map[str, decimal]",
        "{event.product_id: Decimal(event.quantity)}",
    ),
    ("{}", "map[str, int]", "{}"),
    ("[]", "list[str]", "()"),
    ("state.ids + []", "list[str]", "(*state.ids,)"),
    ("state.stock.get(event.product_id)", "int?", "state.stock.get(event.product_id)"),
    ("state.stock.get(event.product_id, 0) + 1", "int", "state.stock.get(event.product_id, 0) + 1"),
    (
        "state.prices.get(event.product_id, 0)",
        "decimal",
        "state.prices.get(event.product_id, Decimal('0'))",
    ),
    ("event.product_id in state.stock.keys()", "bool", "event.product_id in state.stock"),
    ("len(state.stock.values())", "int", "len(state.stock.values())"),
    ("sorted(state.stock.keys())", "list[str]", "tuple(sorted(state.stock.keys()))"),
    (
        "sorted(i.price for i in state.items)",
        "list[decimal]",
        "tuple(sorted(i.price for i in state.items))",
    ),
    ("round(state.total, 2)", "decimal", "round(state.total, 2)"),
    ("round(state.total)", "int", "round(state.total)"),
    ("round(state.ratio, 1)", "float", "round(state.ratio, 1)"),
    ("min(state.total, 0)", "decimal", "min(state.total, Decimal('0'))"),
    ("max(event.quantity, state.ratio)", "float", "max(float(event.quantity), state.ratio)"),
    (
        "CartItem(product_id=event.product_id, price=event.price)",
        "CartItem",
        "CartItem(product_id=event.product_id, price=event.price)",
    ),
    (
        "CartItem(product_id=event.product_id, price=1, quantity=event.quantity)",
        "CartItem",
        "CartItem(product_id=event.product_id, price=Decimal('1'), quantity=event.quantity)",
    ),
    (
        "state.items + [CartItem(product_id=event.code, price=event.price)]",
        "list[CartItem]",
        "(*state.items, CartItem(product_id=event.code, price=event.price))",
    ),
    (
        "state.starts_at - state.starts_at < hours(24)",
        "bool",
        "state.starts_at - state.starts_at < timedelta(hours=24)",
    ),
    ("state.starts_at + days(2)", "datetime", "state.starts_at + timedelta(days=2)"),
    ("state.day - days(1)", "date", "state.day - timedelta(days=1)"),
    ("state.starts_at.date() - state.day", "duration", "state.starts_at.date() - state.day"),
    ("state.grace * 2 + minutes(30)", "duration", "state.grace * 2 + timedelta(minutes=30)"),
    ("state.grace / hours(1)", "float", "state.grace / timedelta(hours=1)"),
    ("-state.grace", "duration", "-state.grace"),
    ("abs(state.grace)", "duration", "abs(state.grace)"),
    ("state.grace > hours(1.5)", "bool", "state.grace > timedelta(hours=1.5)"),
    ("state.ids.index(event.code)", "int", "state.ids.index(event.code)"),
    (
        "[i.product_id for i in state.items].index(event.product_id)",
        "int",
        "tuple(i.product_id for i in state.items).index(event.product_id)",
    ),
    (
        "state.items[:state.ids.index(event.code)] + state.items[state.ids.index(event.code) + 1:]",
        "list[CartItem]",
        "state.items[:state.ids.index(event.code)] + state.items[state.ids.index(event.code) + 1:]",
    ),
]


def _expected(text: str) -> TypeRef | None:
    return T(text) if text else None


@pytest.mark.parametrize(("text", "expected", "code"), COMPILED)
def test_each_form_compiles_to_exact_python(text: str, expected: str, code: str) -> None:
    compiled = compile_expression(text, SCOPE, expected=_expected(expected))
    assert (compiled.errors, compiled.code) == ([], code)


def test_durations_and_value_objects_say_what_the_module_imports() -> None:
    assert compile_expression("hours(24)", SCOPE).uses == {"timedelta"}
    built = compile_expression("CartItem(product_id='a', price=event.price)", SCOPE)
    assert built.uses == {"CartItem"}
    assert compile_expression("sum(i.price for i in state.items)", SCOPE).uses == {"Decimal"}


REFUSED = [
    (
        "1 == 2",
        "",
        "E504",
        "1 == 2 compares literals that always differ, so it never changes; leave it out",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "[event.code, 'a'] != ['b']",
        "",
        "E504",
        "[event.code, 'a'] != ['b'] compares literals that always differ, so it never changes; "
        "leave it out",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "1 if state.coupon else 2",
        "",
        "E504",
        "the condition of `... if state.coupon else ...` must be a bool, not a str?",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "1 if state.total > 0 else 'x'",
        "",
        "E504",
        "the branches of `... if ... else ...` have no common type (int, str)",
        "give every branch or item the same type (an int mixes with decimals or floats; nothing else does)",
    ),
    (
        "state.ids[event.code]",
        "",
        "E504",
        "state.ids is a list, indexed by an int, not by a str",
        "a map's key has the map's key type; a list's index is an int",
    ),
    (
        "state.ids[1:2:3]",
        "",
        "E501",
        "a slice with a step is not allowed in expressions (items[a:b] is)",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "state.stock[1]",
        "",
        "E504",
        "an int value does not fit a key of state.stock (map[str, int])",
        "a map's key has the map's key type; a list's index is an int",
    ),
    (
        "state.sizes['medium']",
        "",
        "E504",
        "'medium' is not a value of Size (one of 'small', 'large')",
        "use one of the enum's values (the message lists them)",
    ),
    (
        "state.coupon[0]",
        "",
        "E504",
        "state.coupon may be None here, so it cannot be subscripted; check `state.coupon is not None` first",
        "check it first: `x.price if x is not None else 0`, or a rule before that stops when it is None",
    ),
    (
        "event.code[0]",
        "",
        "E504",
        "event.code is a str, which cannot be subscripted (lists and maps can)",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "[i for i in event.quantity]",
        "",
        "E504",
        "cannot go over event.quantity, an int: a comprehension goes over a list, a map, or a map's keys(), values() or items()",
        "go over a list, a map (its keys), or a map's keys(), values() or items()",
    ),
    (
        "[i for i in state.ids for j in state.ids]",
        "",
        "E501",
        "a comprehension takes one `for`, not 2; use two steps: compute the inner collection into a field first (an `apply:` or `set:` rule), then go over that field",
        "use two steps: one rule computes the inner collection into a field, a later rule goes over that field",
    ),
    (
        "[[j for j in state.ids] for i in state.ids]",
        "",
        "E501",
        "a comprehension inside a comprehension is not allowed; use two steps: compute the inner collection into a field first (an `apply:` or `set:` rule), then go over that field",
        "use two steps: one rule computes the inner collection into a field, a later rule goes over that field",
    ),
    (
        "{i for i in state.ids}",
        "",
        "E501",
        "a set comprehension (use a list: [x for x in ...]) is not allowed in expressions",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "[k for k, v in state.ids]",
        "",
        "E504",
        "state.ids gives single values, not pairs (pairs come from items())",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "[kv for kv in state.stock.items()]",
        "",
        "E501",
        "state.stock.items() gives pairs: take them apart (for k, v in state.stock.items())",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "[sum for sum in state.ids]",
        "",
        "E501",
        "the comprehension variable 'sum' cannot be used: the generated code uses that name",
        "name the variable in snake_case, unlike the context's names, reads, types and Python's builtins (like `item` or `line`)",
    ),
    (
        "[i for i in state.ids if i]",
        "",
        "E504",
        "a comprehension's `if` must be a bool, not a str",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "state.ids - [event.code]",
        "",
        "E504",
        "cannot subtract lists (list - list); keep the items not in the other with a comprehension: [i for i in a if i not in b]",
        "remove items with a comprehension: `[i for i in state.items if i != event.item]`",
    ),
    (
        "state.stock | [event.code]",
        "",
        "E504",
        "cannot apply | to map[str, int] and list[str]: | merges two maps",
        "use the operator on values it works on: numbers for arithmetic, text + text, list + list",
    ),
    (
        "{event.code: 1, event.code: 2}",
        "",
        "E504",
        "the key event.code is given twice in a map literal",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "{1.5: 1}",
        "",
        "E504",
        "a map's keys share one type, one of str, int, uuid, date or an enum, and are not None (here: float)",
        "a map's key has the map's key type; a list's index is an int",
    ),
    (
        "{**state.stock}",
        "",
        "E501",
        "unpacking (**) is not allowed in expressions; merge maps with |",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "event.code * 2",
        "",
        "E504",
        "cannot apply * to str and int",
        "use the operator on values it works on: numbers for arithmetic, text + text, list + list",
    ),
    (
        "state.items < state.items",
        "",
        "E504",
        "cannot compare a list[CartItem] with a list[CartItem] using <",
        "compare values of the same type: numbers with numbers, text with text, dates with dates, an enum with one of its values",
    ),
    (
        "state.stock < state.stock",
        "",
        "E504",
        "cannot compare a map[str, int] with a map[str, int] using <",
        "compare values of the same type: numbers with numbers, text with text, dates with dates, an enum with one of its values",
    ),
    (
        "state.starts_at < state.day",
        "",
        "E504",
        "cannot compare a datetime with a date using <",
        "compare values of the same type: numbers with numbers, text with text, dates with dates, an enum with one of its values",
    ),
    (
        "state.starts_at - state.day",
        "",
        "E504",
        "cannot apply - to datetime and date",
        "use the operator on values it works on: numbers for arithmetic, text + text, list + list",
    ),
    (
        "state.coupon < 'x'",
        "",
        "E504",
        "state.coupon may be None here, so it cannot be compared with <; check `state.coupon is not None` first",
        "check it first: `x.price if x is not None else 0`, or a rule before that stops when it is None",
    ),
    (
        "state.coupon + 'x'",
        "",
        "E504",
        "state.coupon may be None here, so it cannot be used with +; check `state.coupon is not None` first",
        "check it first: `x.price if x is not None else 0`, or a rule before that stops when it is None",
    ),
    (
        "-event.code",
        "",
        "E504",
        "cannot apply unary - to a str",
        "use the operator on values it works on: numbers for arithmetic, text + text, list + list",
    ),
    (
        "event.quantity == event.code",
        "",
        "E504",
        "cannot compare an int with a str using ==",
        "compare values of the same type: numbers with numbers, text with text, dates with dates, an enum with one of its values",
    ),
    (
        "event.quantity in state.ids",
        "",
        "E504",
        "cannot look for an int in a list[str]",
        "look for a value of the collection's item type (a map's key type) in it",
    ),
    (
        "sum(state.ids)",
        "",
        "E504",
        "sum() adds numbers or durations, not str values",
        "give the function values it works on (the message says which)",
    ),
    (
        "sum(state.items)",
        "",
        "E504",
        "sum() adds numbers or durations, not CartItem values",
        "give the function values it works on (the message says which)",
    ),
    (
        "sorted(state.items)",
        "",
        "E504",
        "sorted() cannot order CartItem values",
        "give the function values it works on (the message says which)",
    ),
    (
        "round('a')",
        "",
        "E504",
        "round() takes a number, not a str",
        "give the function values it works on (the message says which)",
    ),
    (
        "round(state.total, 1.5)",
        "",
        "E504",
        "round()'s second argument (the digits) is an int, not a float",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "any(state.ids)",
        "",
        "E504",
        "any() takes bools (like any(i.paid for i in ...)), not str values",
        "give the function values it works on (the message says which)",
    ),
    (
        "len(state.total)",
        "",
        "E504",
        "len() takes a list, a map or a str, not a decimal",
        "give the function values it works on (the message says which)",
    ),
    (
        "abs(event.code)",
        "",
        "E504",
        "abs() takes a number or a duration, not a str",
        "give the function values it works on (the message says which)",
    ),
    (
        "hours(state.total)",
        "",
        "E504",
        "hours() takes an int or a float, not a decimal",
        "give the function values it works on (the message says which)",
    ),
    (
        "min(state.items[0], state.items[0])",
        "",
        "E504",
        "min() cannot order CartItem values",
        "give the function values it works on (the message says which)",
    ),
    (
        "max(state.total, state.ratio)",
        "",
        "E504",
        "the arguments of max() have no common type (decimal, float)",
        "give every branch or item the same type (an int mixes with decimals or floats; nothing else does)",
    ),
    (
        "state.stock.pop(event.code)",
        "",
        "E501",
        "calling state.stock.pop() is not allowed: state.stock is a map[str, int] (its methods here: get, keys, values, items)",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "state.stock.get(1)",
        "",
        "E504",
        "an int value does not fit a key of state.stock",
        "a map's key has the map's key type; a list's index is an int",
    ),
    (
        "state.prices.get(event.code, 'none')",
        "",
        "E504",
        "a str value does not fit the default of state.prices.get()",
        "give a value of the field's type, or change the field's type (an int fits a decimal or float field; nothing else converts by itself)",
    ),
    (
        "state.total.date()",
        "",
        "E501",
        "calling state.total.date() is not allowed: state.total is a decimal (its methods here: none)",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "state.ids.count('a')",
        "",
        "E501",
        "calling state.ids.count() is not allowed: state.ids is a list[str] (its methods here: index)",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "state.ids.index(event.quantity)",
        "",
        "E504",
        "an int value does not fit a value of state.ids",
        "give a value of the field's type, or change the field's type (an int fits a decimal or float field; nothing else converts by itself)",
    ),
    (
        "state.ids.index('a', 1)",
        "",
        "E501",
        "state.ids.index() takes the value to look for, got 2 argument(s)",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "CartItem(event.code)",
        "",
        "E501",
        "CartItem(...) takes its fields by keyword: CartItem(field=..., ...)",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "CartItem(price=1)",
        "",
        "E504",
        "CartItem(...) needs product_id: every field without a default is given",
        "give each field of the value object that has no default: `CartItem(product_id=..., price=...)`",
    ),
    (
        "CartItem(product_id='a', price=1, size=2)",
        "",
        "E503",
        "CartItem has no field 'size' (fields: note, price, product_id, quantity)",
        "use a field that the spec declares on that type",
    ),
    (
        "CartItem(product_id=1, price=1)",
        "",
        "E504",
        "an int value does not fit CartItem.product_id (str)",
        "give a value of the field's type, or change the field's type (an int fits a decimal or float field; nothing else converts by itself)",
    ),
    (
        "Product(name='a', price=1)",
        "",
        "E501",
        "calling 'Product' is not allowed (allowed: len, abs, min, max, now, sum, any, all, sorted, round, days, hours, minutes, and the value objects of `types:` by keyword)",
        "call only len, abs, min, max, now, sum, any, all, sorted, round, days, hours, minutes, or a value object by keyword (`CartItem(product_id=..., price=...)`)",
    ),
    (
        "state.items.__len__()",
        "",
        "E501",
        "attributes starting with '_' ('__len__') are not allowed",
        "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    ),
    (
        "state.items",
        "list[decimal]",
        "E504",
        "a list[CartItem] value does not fit a list[decimal] field",
        "give a value of the field's type, or change the field's type (an int fits a decimal or float field; nothing else converts by itself)",
    ),
    (
        "[i.price for i in state.items]",
        "list[int]",
        "E504",
        "a decimal value does not fit a list[int] item",
        "give a value of the field's type, or change the field's type (an int fits a decimal or float field; nothing else converts by itself)",
    ),
    (
        "(i for i in state.ids)",
        "list[str]",
        "E504",
        "a generator of str is not a list; make one with [x for x in ...] or sorted(...)",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "state.stock.keys()",
        "list[str]",
        "E504",
        "a keys() view of a map is not a list; make one with [x for x in ...] or sorted(...)",
        "change the expression so that its value has the type needed here (the message says which)",
    ),
    (
        "{event.code: 1}",
        "map[str, str]",
        "E504",
        "an int value does not fit a map[str, str] value",
        "give a value of the field's type, or change the field's type (an int fits a decimal or float field; nothing else converts by itself)",
    ),
    (
        "state.ratio if state.ids == [] else state.total",
        "",
        "E504",
        "the branches of `... if ... else ...` have no common type (float, decimal)",
        "give every branch or item the same type (an int mixes with decimals or floats; nothing else does)",
    ),
]


@pytest.mark.parametrize(("text", "expected", "code", "message", "hint"), REFUSED)
def test_each_ill_typed_form_is_refused_with_its_message_and_hint(
    text: str, expected: str, code: str, message: str, hint: str
) -> None:
    compiled = compile_expression(text, SCOPE, expected=_expected(expected))
    assert compiled.code == ""
    assert compiled.errors == [(code, message)]
    assert hint_for(code, message) == hint


_MODULE = """\
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class Size(StrEnum):
    SMALL = "small"
    LARGE = "large"


@dataclass(frozen=True, kw_only=True)
class CartItem:
    product_id: str
    price: Decimal
    quantity: int = 1
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Product:
    name: str
    price: Decimal


@dataclass(frozen=True, kw_only=True)
class State:
    items: tuple[CartItem, ...]
    ids: tuple[str, ...]
    stock: Mapping[str, int]
    prices: Mapping[str, Decimal]
    sizes: Mapping[Size, int]
    coupon: str | None
    total: Decimal
    starts_at: datetime
    day: date
    grace: timedelta
    ratio: float


@dataclass(frozen=True, kw_only=True)
class Event:
    product_id: str
    price: Decimal
    quantity: int
    code: str
"""


def test_the_compiled_forms_pass_mypy_strict_and_ruff(tmp_path: Path) -> None:
    functions = []
    for index, (text, expected, _) in enumerate(COMPILED):
        compiled = compile_expression(text, SCOPE, expected=_expected(expected))
        annotation = _expected(expected).python if expected else "object"  # type: ignore[union-attr]
        functions.append(
            f"\n\ndef case_{index}(state: State, event: Event, product: Product | None) "
            f"-> {annotation}:\n    return {compiled.code}\n"
        )
    module = tmp_path / "forms.py"
    module.write_text(_MODULE + "".join(functions))
    subprocess.run([find_ruff_bin(), "format", "-q", str(module)], check=True)
    linted = subprocess.run(
        [
            find_ruff_bin(),
            "check",
            "--select",
            "E,F,W,UP,B,SIM,RUF",
            "--ignore",
            "E501",
            str(module),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(module)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "MYPY_CACHE_DIR": os.devnull},
    )
    assert typed.returncode == 0, typed.stdout
