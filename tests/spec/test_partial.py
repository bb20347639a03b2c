"""One validate reports every problem: a shape error in one item leaves the meaning checks of the
rest running (generator/spec/partial.py), and adds nothing that only follows from it."""

from __future__ import annotations

import json
from collections import Counter
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, cli, write_spec
from corpus import CORPUS

from generator.spec.diagnostics import Level
from generator.spec.load import load_text
from generator.spec.partial import _UNITS
from generator.spec.validate import validate_file, validate_loaded

SHAPE_CODES = {"E200", "E201", "E202", "E204", "E205"}


def reported(spec: Path) -> list[dict[str, Any]]:
    run = cli("validate", spec, "--format", "json")
    assert run.exit_code == 1, run.stdout + run.stderr
    document: list[dict[str, Any]] = json.loads(run.stdout)
    return [d for d in document if d["level"] == "error"]


def test_one_run_reports_a_shape_error_and_the_meaning_errors_elsewhere() -> None:
    found = reported(CORPUS / "e200_shape_error_beside_meaning_errors.yaml")
    places = Counter((d["code"], d["line"], d["column"], d["path"]) for d in found)
    assert places == Counter(
        {
            ("E200", 10, 16, "aggregates.Order.errors.Refused"): 1,  # shape, in Order
            ("E401", 27, 17, "aggregates.Cart.commands.OpenCart.emits[0]"): 1,  # unknown event
            ("E500", 37, 18, "aggregates.Product.commands.ListProduct.rejects[0].if"): 1,
            ("E408", 41, 37, "aggregates.Product.scenarios[0].when.ListProduct.price"): 1,
        }
    )
    # Order's rule names the error whose declaration is malformed: not reported as unknown.
    assert not any("Refused" in d["message"] for d in found if d["code"] != "E200")


def test_what_only_follows_from_a_pruned_item_is_not_reported() -> None:
    found = reported(CORPUS / "e202_what_only_follows_from_a_shape_error_is_not_reported.yaml")
    assert all(d["code"] in SHAPE_CODES for d in found if d["code"] != "E408"), found
    (meaning,) = [d for d in found if d["code"] == "E408"]
    # The first scenario was left out: the fourth keeps its place and its path in the text.
    assert (meaning["line"], meaning["column"]) == (52, 34)
    assert meaning["path"] == "aggregates.Account.scenarios[3].when.Deposit.amount"
    assert "'oops'" in meaning["message"]


def test_a_problem_in_the_frame_of_the_spec_is_reported_alone(tmp_path: Path) -> None:
    # Without a domain there is no package name: nothing can be checked for meaning.
    spec = write_spec(tmp_path, _BANK.replace("domain: Bank", "domain: [Bank]"))
    assert [d["code"] for d in reported(spec)] == ["E200"]


def test_an_unknown_top_level_key_hides_nothing(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _BANK + "\nnotes: {anything: at all}\n")
    assert sorted(d["code"] for d in reported(spec)) == ["E202", "E401"]


def test_a_misspelled_section_hides_the_meaning_checks(tmp_path: Path) -> None:
    # Every use of the read models (or types...) it holds would be reported as unknown.
    spec = write_spec(tmp_path, _BANK + "\nread_model: {}\n")
    assert [d["code"] for d in reported(spec)] == ["E202"]


def test_the_only_aggregate_malformed_reports_the_shape_alone(tmp_path: Path) -> None:
    # Left out, it would leave `aggregates:` empty, itself a shape error: the rounds stop there.
    spec = write_spec(tmp_path, _BANK.replace("    events:", "    colour: red\n    events:"))
    assert [d["code"] for d in reported(spec)] == ["E202"]


_BANK = """
eventforge: 1
domain: Bank
aggregates:
  Account:
    events:
      Opened: {fields: {owner: str}}
    commands:
      Open:
        creates: true
        fields: {owner: str}
        emits: [Opend]
"""


# -- every kind of item, in the examples: a shape error there adds no other error ---------------


def _items(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """The paths of the named items in `data`, the first and the last of each kind."""
    found: list[tuple[str | int, ...]] = []
    for pattern in _UNITS:
        paths: list[tuple[str | int, ...]] = [()]
        for part in pattern:
            following: list[tuple[str | int, ...]] = []
            for path in paths:
                node = _at(data, path)
                if part == "<name>" and isinstance(node, dict):
                    following += [(*path, key) for key in node]
                elif part == "<index>" and isinstance(node, list):
                    following += [(*path, i) for i in range(len(node))]
                elif isinstance(node, dict) and part in node:
                    following.append((*path, part))
            paths = following
        found += dict.fromkeys(paths[:1] + paths[-1:])
    return found


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _broken(data: dict[str, Any], path: tuple[str | int, ...], how: str) -> str:
    copy = deepcopy(data)
    parent = _at(copy, path[:-1])
    value = parent[path[-1]]
    if how == "unknown key" and isinstance(value, dict):
        parent[path[-1]] = {**value, "colour": "red"}
    elif how == "number":
        parent[path[-1]] = 12345
    else:
        parent[path[-1]] = [value]
    return yaml.safe_dump(copy, sort_keys=False, allow_unicode=True)


@pytest.mark.parametrize(
    "example", ["bank", "library", "orders", "cart", "shopvertical", "emmett_cart"]
)
@pytest.mark.parametrize("how", ["unknown key", "number"])
def test_a_shape_error_in_any_item_of_a_valid_spec_adds_no_other_error(
    example: str, how: str
) -> None:
    spec = EXAMPLES / example / "eventforge.yaml"
    assert validate_file(spec)[0] is not None
    data = load_text(spec.read_text(encoding="utf-8"), str(spec)).data
    for path in _items(data):
        if how == "number" and len(path) == 2 and path[0] == "aggregates":
            continue  # its events and commands would be gone from the text: unknown for real
        _, diagnostics = validate_loaded(load_text(_broken(data, path, how), "spec.yaml"))
        errors = [d for d in diagnostics if d.level is Level.ERROR]
        assert errors, path
        others = [d.as_text() for d in errors if d.code not in SHAPE_CODES]
        assert not others, (path, others)
