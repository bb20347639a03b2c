"""A generate after an edit need not read the files the last generate left untouched.

generator/build/produced.py: a generated file whose fingerprint is the one the generate memo
recorded, and whose formatted text has the recorded hash, is identical on disk without being read.
What must hold: a hand edit is still found (refused, never overwritten), a file whose times are
too close to the memo's own is read, and the output is what a clean generate writes
(tests/build/test_format_cache.py, tests/build/test_render_cache_property.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from conftest import (
    add_bank_command,
    cli,
    copy_example,
    read_cache,
    tree,
    write_cache,
    write_stubs,
)

from generator.build import cache as cache_step
from generator.build import pipeline as pipeline_step
from generator.build import write as write_step
from generator.build.cache import MEMO_FILE
from generator.cli import main as main_step

UNRELATED = "src/bank/account/deposit_money.py"  # rendered the same with or without ChargeFee


def _settled_bank(tmp_path: Path) -> Path:
    spec = copy_example("bank", tmp_path / "bank")
    assert cli("generate", spec).exit_code == 0
    memo = read_cache(spec.parent, MEMO_FILE)
    assert memo["stat"] is not None  # every file as generated: fingerprints recorded
    return spec


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = write_step.SafeTargets.read

    def counting(self: write_step.SafeTargets, relative: str) -> str | None:
        read.append(relative)
        return real(self, relative)

    monkeypatch.setattr(write_step.SafeTargets, "read", counting)
    return read


def test_a_one_command_generate_reads_only_the_files_that_changed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = _settled_bank(tmp_path)
    monkeypatch.setattr(cache_step, "_TICK_NS", 0)  # no file counts as racy
    read = _count_reads(monkeypatch)
    add_bank_command(spec)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    python = [path for path in tree(spec.parent) if path.endswith(".py")]
    assert UNRELATED not in read
    assert len(read) < len(python) / 3, (len(read), len(python))
    write_stubs(spec.parent)
    assert cli("check", spec).exit_code == 0


@pytest.mark.parametrize("racy", [False, True])
def test_a_hand_edit_is_found_by_a_one_command_generate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, racy: bool
) -> None:
    spec = _settled_bank(tmp_path)
    target = spec.parent / UNRELATED
    text = target.read_text()
    edited = text.replace("Deposit", "Depos1t", 1)
    assert len(edited) == len(text)
    stat = target.stat()
    with target.open("r+", encoding="utf-8") as handle:  # in place: the same inode
        handle.write(edited)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # size and times as they were
    if racy:
        # Forge the recorded fingerprint to match the edit, as an edit within the same clock
        # tick as the memo would: only reading the file can tell, and a racy file is read.
        monkeypatch.setattr(cache_step, "_TICK_NS", 10**18)
        memo = read_cache(spec.parent, MEMO_FILE)
        now = target.stat()
        memo["stat"]["files"][UNRELATED] = [
            now.st_size,
            now.st_mtime_ns,
            now.st_ctime_ns,
            now.st_dev,
            now.st_ino,
        ]
        write_cache(spec.parent, MEMO_FILE, memo)
    else:
        # No file counts as racy, whatever its times: the fingerprint (the change time) alone
        # must tell.
        monkeypatch.setattr(cache_step, "_TICK_NS", -(10**18))
    add_bank_command(spec)
    result = cli("generate", spec)
    assert result.exit_code == 1, result.stderr
    assert f"conflict  {UNRELATED}  (edited by hand)" in result.stdout
    assert target.read_text() == edited  # refused, not overwritten


def test_a_settled_file_changed_during_the_generate_is_not_trusted(tmp_path: Path) -> None:
    spec = _settled_bank(tmp_path)
    from generator.build.produced import ChangedWhileGeneratingError, Produced

    target = spec.parent / UNRELATED
    digest = write_step.sha256(target.read_text())
    files = Produced(
        [UNRELATED], {}, {UNRELATED: (digest, [])}, write_step.SafeTargets(spec.parent).read
    )
    target.write_text(target.read_text() + "# edited\n")
    with pytest.raises(ChangedWhileGeneratingError):
        files[UNRELATED]


def test_a_generate_that_removed_files_leaves_them_settled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = _settled_bank(tmp_path)
    original, lock = spec.read_text(), (spec.parent / "eventforge.lock").read_text()
    add_bank_command(spec)
    assert cli("generate", spec).exit_code == 0
    spec.write_text(original)
    (spec.parent / "eventforge.lock").write_text(lock)
    removed = cli("generate", spec)
    assert removed.exit_code == 0 and "remove" in removed.stdout
    monkeypatch.setattr(cache_step, "_TICK_NS", 0)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compared the files again")

    monkeypatch.setattr(write_step, "plan_writes", refuse)
    monkeypatch.setattr(pipeline_step, "plan_writes", refuse)
    assert cli("generate", spec).exit_code == 0  # recalled, every file known by fingerprint


def test_a_folder_moved_out_and_linked_back_is_refused_as_before(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The files keep their inodes and times (a rename), so their fingerprints still match; the
    # link leads out of the output folder, which generate refuses to read or write through.
    spec = _settled_bank(tmp_path)
    monkeypatch.setattr(cache_step, "_TICK_NS", -(10**18))  # no file counts as racy
    outside = tmp_path / "outside"
    folder = spec.parent / "src/bank/read_models"  # the edit changes none of its files
    folder.rename(outside)
    folder.symlink_to(outside, target_is_directory=True)
    add_bank_command(spec)
    result = cli("generate", spec)
    assert result.exit_code == 2
    assert "outside the output directory" in result.stderr


@pytest.mark.parametrize(
    "relative",
    [
        "src/bank/account/charge_fee.py",  # created by the generate
        "src/bank/runtime.py",  # only read by it (and found as generated)
    ],
)
def test_a_file_edited_while_the_generate_ran_is_found_by_the_next(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, relative: str
) -> None:
    """A generated file edited after the generate wrote or read it, but well before the
    generate ended, is not as generated: the next generate must find the edit, not trust the
    fingerprint of the edited file at the end (the memo records the one the generate saw)."""
    spec = _settled_bank(tmp_path)
    target = spec.parent / relative
    if target.exists():  # touched, so that the generate reads it instead of trusting it
        os.utime(target, ns=(time.time_ns(), time.time_ns()))
    real = pipeline_step._write_lock

    def editing(output: pipeline_step.Output) -> None:  # after the files, before the memo
        real(output)
        with target.open("a", encoding="utf-8") as handle:
            handle.write("# edited by hand while eventforge ran\n")
        time.sleep(3 * cache_step._TICK_NS / 1e9)  # the rest of a long generate

    monkeypatch.setattr(pipeline_step, "_write_lock", editing)
    add_bank_command(spec)
    assert cli("generate", spec).exit_code == 0
    monkeypatch.setattr(pipeline_step, "_write_lock", real)
    edited = target.read_text(encoding="utf-8")
    assert edited.endswith("# edited by hand while eventforge ran\n")
    result = cli("generate", spec)
    assert result.exit_code == 1, result.stdout
    assert f"conflict  {relative}  (edited by hand)" in result.stdout
    assert target.read_text(encoding="utf-8") == edited


def test_the_manifest_names_the_spec_generated_not_one_saved_during_the_generate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A save of the spec after it was read (while the files are compared and written) is the
    next generate's input: the manifest's `spec_sha256` is the hash of the spec generated."""
    spec = _settled_bank(tmp_path)
    add_bank_command(spec)
    generated = spec.read_bytes()
    real = main_step.compare

    def saving(output: pipeline_step.Output, target: Path) -> list[write_step.FileState]:
        states = real(output, target)
        spec.write_bytes(generated + b"# saved while eventforge ran\n")
        return states

    monkeypatch.setattr(main_step, "compare", saving)
    assert cli("generate", spec).exit_code == 0
    manifest = json.loads((spec.parent / ".eventforge/manifest.json").read_text())
    assert manifest["spec_sha256"] == hashlib.sha256(generated).hexdigest()
