"""The speed-ups of generate must not change a byte of what it writes.

The format cache (generator/build/cache.py) and formatting only what changed, the one-pass YAML load with
its depth guard, and the fast shape check (generator/spec/fastcheck.py) are each checked here against
the slow path they replace.
"""

from __future__ import annotations

import copy
import hashlib
import os
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    EXAMPLES,
    ROOT,
    add_bank_command,
    cli,
    copy_example,
    read_cache,
    tree,
    write_cache,
    write_stubs,
)
from spec_strategies.mutations import data_paths

from generator.build import cache as cache_step
from generator.build import format as format_step
from generator.build import pipeline as pipeline_step
from generator.build import write as write_step
from generator.build.cache import CACHE_FILE, MEMO_FILE
from generator.build.pipeline import produce
from generator.build.plan import plan
from generator.build.render import render_all
from generator.evolution.lock import build_lock
from generator.spec import load, schema
from generator.spec import validate as validate_step
from generator.spec.diagnostics import SpecError
from generator.spec.validate import validate_loaded


def _without_cache(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if not path.startswith(".eventforge/cache")}


def test_a_cached_generate_writes_what_a_fresh_one_writes(tmp_path: Path) -> None:
    cached = copy_example("bank", tmp_path / "cached")
    assert cli("generate", cached).exit_code == 0
    assert (cached.parent / CACHE_FILE).is_file()
    assert (cached.parent / ".eventforge/cache/.gitignore").read_text().endswith("*\n")
    add_bank_command(cached)
    assert cli("generate", cached).exit_code == 0
    fresh = copy_example("bank", tmp_path / "fresh")
    add_bank_command(fresh)
    assert cli("generate", fresh).exit_code == 0
    assert _without_cache(tree(cached.parent)) == _without_cache(tree(fresh.parent))
    write_stubs(cached.parent)
    assert cli("check", cached).exit_code == 0


def test_no_change_formats_nothing_and_one_command_formats_a_few_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    assert cli("generate", spec).exit_code == 0
    formatted: list[int] = []
    real = format_step._ruff

    def counting(python: dict[str, str], todo: dict[str, str]) -> dict[str, str]:
        formatted.append(len(todo))
        return real(python, todo)

    monkeypatch.setattr(format_step, "_ruff", counting)
    assert cli("generate", spec).exit_code == 0
    assert formatted == []
    add_bank_command(spec)
    assert cli("generate", spec).exit_code == 0
    python_files = sum(1 for path in tree(spec.parent) if path.endswith(".py"))
    assert formatted and formatted[0] < python_files / 3, (formatted, python_files)
    write_stubs(spec.parent)
    assert cli("check", spec).exit_code == 0


def test_formatting_a_subset_gives_the_same_text_as_formatting_all(tmp_path: Path) -> None:
    spec = copy_example("orders", tmp_path / "orders")
    everything = produce(spec).files
    model, _ = validate_loaded(load.load_file(spec))
    assert model is not None
    lock = build_lock(model, None)
    rendered = render_all(model, plan(model, lock), lock)
    python = {path: text for path, text in rendered.items() if path.endswith(".py")}
    paths = sorted(python)
    for part in (paths[::2], paths[1::2], paths[:1]):
        subset = format_step._ruff(python, {path: python[path] for path in part})
        assert subset == {path: everything[path] for path in part}


def test_a_broken_or_forged_cache_changes_nothing(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    assert cli("generate", spec).exit_code == 0
    caches = [CACHE_FILE, MEMO_FILE]
    before = _without_cache(tree(spec.parent))
    for cache in caches:
        write_cache(spec.parent, cache, b"{not json")  # signed: parsing is what fails
    assert cli("generate", spec).exit_code == 0
    assert _without_cache(tree(spec.parent)) == before
    for cache in caches:
        assert read_cache(spec.parent, cache)["key"]
    # A memo forged to bless a hand edit may fool generate, never check (which reads no cache).
    edited = spec.parent / "src/bank/account/deposit_money.py"
    edited.write_text(edited.read_text() + "# hand edit\n")
    memo = read_cache(spec.parent, MEMO_FILE)
    memo["files"]["src/bank/account/deposit_money.py"][1] = hashlib.sha256(
        edited.read_bytes()
    ).hexdigest()
    write_cache(spec.parent, MEMO_FILE, memo)
    assert cli("check", spec).exit_code == 1


def test_the_cache_is_not_written_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    spec = copy_example("bank", tmp_path / "bank")
    (spec.parent / ".eventforge").mkdir()
    (spec.parent / ".eventforge/cache").symlink_to(outside, target_is_directory=True)
    assert cli("generate", spec).exit_code == 0
    assert cli("generate", spec).exit_code == 0
    assert list(outside.iterdir()) == []


# -- loading: one pass, the same answers -----------------------------------------------------


class _TwoPass(load._DepthGuard, load._Loader):  # type: ignore[misc, valid-type]
    """Makes load take its fallback: the nesting check over the whole text, then composing."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        raise load._TooDeep


def _outcome(text: str) -> Any:
    try:
        loaded = load.load_text(text, "f")
    except SpecError as exc:
        return [d.as_text() for d in exc.diagnostics]
    return loaded.data, loaded.positions, loaded.key_positions


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 150 + "]" * 150,
        "a: " + "[" * 100 + "]" * 100,
        "a: " + "[" * 99 + "x" + "]" * 99,
        "a: " + "[" * 99 + "]" * 99,
        "- " * 120 + "x",
        "- " * 99 + "x",
        "a: *b",
        "a: [1, 2",
        "a: &x [1]\nb: [*x, *x]\n",
        "x: 1\na: " + "[" * 150 + "\n",
        "a: " + "{b: " * 101 + "1" + "}" * 101,
        "a: 1\n---\nb: 2\n",
        "",
    ],
)
def test_the_one_pass_load_reports_what_the_two_pass_load_did(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_pass = _outcome(text)
    monkeypatch.setattr(load, "_GuardedLoader", _TwoPass)
    assert one_pass == _outcome(text)


def test_the_one_pass_load_of_the_examples_is_the_two_pass_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [path.read_text() for path in sorted(EXAMPLES.glob("*/eventforge.yaml"))]
    one_pass = [_outcome(text) for text in texts]
    monkeypatch.setattr(load, "_GuardedLoader", _TwoPass)
    assert one_pass == [_outcome(text) for text in texts]


def test_the_alias_free_builder_builds_what_the_careful_one_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [path.read_text() for path in sorted(EXAMPLES.glob("*/eventforge.yaml"))]
    texts += [path.read_text() for path in sorted((ROOT / "tests/spec/invalid").glob("*.yaml"))]
    texts += ["a: {b: 1, b: 2}\n", "<<: {a: 1}\nb: 2\n", "a: !!python/name:os.system x\n"]
    fast = [_outcome(text) for text in texts]
    assert any(load._ALIAS_LIKE.search(text) is None for text in texts)
    monkeypatch.setattr(load, "_ALIAS_LIKE", re.compile(""))  # every text may hold aliases
    assert fast == [_outcome(text) for text in texts]


def test_remembered_tags_are_the_resolvers() -> None:
    text = (
        "a: [yes, No, on, OFF, ~, null, '', 1, -0, 0x1F, 0o17, 1_000, 1.5, .inf, -.Inf, .nan,"
        " 2001-12-14, 2001-12-14 21:59:43.10 -5, '1', \"yes\", x, 1.5e3]\n"
        "b: [yes, 1, '1', x]\n"
    )
    for _ in range(2):  # the second time from the remembered tags
        data = load.load_text(text, "f").data
        expected = yaml.safe_load(text)
        assert repr(data) == repr(expected)  # repr: nan != nan


# -- the fast shape check is never more lenient than jsonschema -------------------------------

_VALUES: list[Any] = [None, True, False, 0, 1, -1, 1.0, 2.5, "", "x", "delete", "custom", "1"]
_VALUES += [[], {}, [1], ["a", "a"], {"a": 1}, {"type": "str"}, {"set": {}}]


def _mutate(rng: random.Random, data: Any) -> None:
    paths = data_paths(data)[1:]
    if not paths:
        return
    path = rng.choice(paths)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    roll = rng.random()
    if roll < 0.5:
        parent[key] = copy.deepcopy(rng.choice(_VALUES))
    elif roll < 0.7 and isinstance(parent, dict):
        del parent[key]
    elif isinstance(parent, dict):
        extra = rng.choice(["extra", "type", "if", "then", "set", "name", "1", "fields"])
        parent[extra] = copy.deepcopy(rng.choice(_VALUES))
    else:
        parent.append(copy.deepcopy(rng.choice(_VALUES)))


def test_the_fast_shape_check_never_passes_what_jsonschema_rejects() -> None:
    fast = schema._fast_check()
    assert fast is not None, "the schema uses a keyword fastcheck.py does not compile"
    validator = schema._validator()
    specs = [
        *sorted(EXAMPLES.glob("*/eventforge.yaml")),
        *sorted(ROOT.glob("tests/specs/**/*.yaml")),
    ]
    corpus = []
    for path in specs:
        try:
            corpus.append(load.load_file(path).data)
        except SpecError:
            continue
    for data in corpus[:3]:  # the examples
        assert fast(data), "a valid example must take the fast path"
    rng = random.Random(6)
    for _ in range(400):
        data = copy.deepcopy(rng.choice(corpus))
        for _ in range(rng.randint(1, 3)):
            _mutate(rng, data)
        if fast(data):
            assert list(validator.iter_errors(data)) == [], data
    for data in corpus:
        if fast(data):
            assert list(validator.iter_errors(data)) == []


# -- the generate memo: a repeated generate says and writes what a fresh one does -------------

_BREAK = [
    (
        "      MoneyWithdrawn:\n        fields: {amount: decimal}",
        "      MoneyWithdrawn:\n        fields: {}",
    ),
    ('apply: {balance: "= state.balance - event.amount"}', "apply: {balance: 0}"),
    ('- MoneyWithdrawn: {amount: "= command.amount"}', "- MoneyWithdrawn"),
    (
        'MoneyWithdrawn: {set: {balance: "= row.balance - event.amount"}}',
        "MoneyWithdrawn: {set: {}}",
    ),
]


def test_a_recalled_generate_reports_and_writes_what_a_fresh_one_does(tmp_path: Path) -> None:
    cached = copy_example("bank", tmp_path / "cached")
    fresh = copy_example("bank", tmp_path / "fresh")

    def both(*args: str) -> None:
        shutil.rmtree(fresh.parent / ".eventforge/cache", ignore_errors=True)
        one = cli("generate", cached, *args)
        two = cli("generate", fresh, *args)
        assert one.exit_code == two.exit_code
        assert one.stdout == two.stdout
        assert one.stderr.replace("cached", "fresh") == two.stderr
        assert _without_cache(tree(cached.parent)) == _without_cache(tree(fresh.parent))

    both()
    both()  # recalled: nothing changed
    for spec in (cached, fresh):
        text = spec.read_text()
        for old, new in _BREAK:
            assert old in text
            text = text.replace(old, new)
        spec.write_text(text)
    both()  # refused: a breaking change
    both("--allow-breaking")  # warnings, the lock updated
    both("--allow-breaking")  # recalled, against the new lock: no warnings
    both()
    (cached.parent / "src/bank/account/deposit_money.py").unlink()
    (fresh.parent / "src/bank/account/deposit_money.py").unlink()
    both()  # a file gone: produced again


def test_a_recalled_generate_does_not_validate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    assert cli("generate", spec).exit_code == 0

    def refuse(*args: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(validate_step, "validate_loaded", refuse)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    with pytest.raises(AssertionError, match="validated again"):
        cli("check", spec)  # check never uses the caches


# -- the no-change generate that trusts file fingerprints (cache.GenerateMemo._untouched) ---------


def _settle(spec: Path) -> None:
    """Generate, then wait until the files are older than the racy window, then generate again
    so that the memo's fingerprints can be trusted."""
    assert cli("generate", spec).exit_code == 0
    assert cli("generate", spec).exit_code == 0


def test_an_untouched_tree_is_neither_read_nor_compared(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    _settle(spec)
    monkeypatch.setattr(cache_step, "_TICK_NS", 0)  # no file counts as racy

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compared the files again")

    monkeypatch.setattr(write_step, "plan_writes", refuse)
    monkeypatch.setattr(pipeline_step, "plan_writes", refuse)
    before = tree(spec.parent)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    assert "unchanged" in result.stderr and "create" not in result.stdout
    assert tree(spec.parent) == before


@pytest.mark.parametrize("how", ["same size, time set back", "replaced by a copy", "removed"])
def test_an_edit_the_fingerprints_could_hide_is_still_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    _settle(spec)
    monkeypatch.setattr(cache_step, "_TICK_NS", 0)
    target = spec.parent / "src/bank/account/deposit_money.py"
    stat = target.stat()
    text = target.read_text()
    if how == "same size, time set back":
        edited = text.replace("Deposit", "Depos1t", 1)
        assert len(edited) == len(text)
        with target.open("r+", encoding="utf-8") as handle:  # in place: the same inode
            handle.write(edited)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert target.stat().st_mtime_ns == stat.st_mtime_ns
        assert target.stat().st_size == stat.st_size
        assert target.stat().st_ino == stat.st_ino
        result = cli("generate", spec)
        assert result.exit_code == 1 and "edited by hand" in result.stderr
        assert target.read_text() == edited  # refused, not overwritten
    elif how == "replaced by a copy":
        copy = tmp_path / "copy.py"
        shutil.copy2(target, copy)  # same bytes, same times, another inode
        copy.replace(target)
        result = cli("generate", spec)
        assert result.exit_code == 0
        assert target.read_text() == text
    else:
        target.unlink()
        result = cli("generate", spec)
        assert result.exit_code == 0 and "create" in result.stdout
        assert target.read_text() == text
    write_stubs(spec.parent)
    assert cli("check", spec).exit_code == (1 if how == "same size, time set back" else 0)


def test_a_racy_file_is_hashed_not_trusted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    _settle(spec)
    monkeypatch.setattr(cache_step, "_TICK_NS", 10**18)  # every file counts as racy
    # Forge the recorded fingerprint of one file to match an edit that kept size and times:
    # only reading it can tell.
    target = spec.parent / "src/bank/account/deposit_money.py"
    text = target.read_text()
    target.write_text(text.replace("Deposit", "Depos1t", 1))
    memo = read_cache(spec.parent, MEMO_FILE)
    stat = target.stat()
    memo["stat"]["files"]["src/bank/account/deposit_money.py"] = [
        stat.st_size,
        stat.st_mtime_ns,
        stat.st_ctime_ns,
        stat.st_dev,
        stat.st_ino,
    ]
    write_cache(spec.parent, MEMO_FILE, memo)
    result = cli("generate", spec)
    assert result.exit_code == 1 and "edited by hand" in result.stderr


def test_a_tree_with_an_orphan_is_not_trusted(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    assert cli("generate", spec).exit_code == 0
    handler = spec.parent / "src/bank/account/custom/close_account.py"
    text = spec.read_text()
    start = text.index("      CloseAccount:\n        handler: custom")
    end = text.index("    scenarios:", start)
    spec.write_text(text[:start] + text[end:])
    first = cli("generate", spec)
    assert first.exit_code == 0 and "orphan" in first.stdout
    again = cli("generate", spec)  # recalled, but the orphan must still be reported
    assert again.exit_code == 0 and "orphan" in again.stdout
    assert handler.exists()
