"""Every cache of an output folder is signed by this user's eventforge (cachefile.py): a cache
file it did not write (committed by force, copied from someone else, crafted) is ignored, so
that nothing but the spec decides what a generate writes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import cli, copy_example, read_cache, tree, write_cache

from generator.build import cachefile
from generator.build.analysis_cache import ANALYSIS_FILE, AnalysisCache
from generator.build.cache import CACHE_FILE, MEMO_FILE, RENDER_FILE, FormatCache, RenderCache
from generator.build.cache import GenerateMemo as Memo
from generator.build.cachefile import CACHE_DIR
from generator.build.format import format_key
from generator.build.load_cache import LOAD_FILE, LoadCache
from generator.build.pipeline import _memo_key, _tool_key

OTHER_KEY = b"k" * 32  # another user's key, or one made up


def _generated(tmp_path: Path) -> Path:
    spec = copy_example("bank", tmp_path / "bank")
    assert cli("generate", spec).exit_code == 0
    return spec


def _format(out: Path, spec: Path) -> object:
    return FormatCache.open(out, format_key())._entries


def _memo(out: Path, spec: Path) -> object:
    raw = spec.read_bytes()
    lock = (spec.parent / "eventforge.lock").read_bytes()
    return Memo(out).recall(_memo_key(spec, raw, lock, False))


def _render(out: Path, spec: Path) -> object:
    return RenderCache.open(out, _tool_key())._entries


def _load(out: Path, spec: Path) -> object:
    return LoadCache.open(out, _tool_key()).known


def _analysis(out: Path, spec: Path) -> object:
    memo = AnalysisCache.open(out, _tool_key()).memo
    assert memo is not None
    return memo.known


READERS: dict[str, Callable[[Path, Path], object]] = {
    CACHE_FILE: _format,
    MEMO_FILE: _memo,
    RENDER_FILE: _render,
    LOAD_FILE: _load,
    ANALYSIS_FILE: _analysis,
}


@pytest.mark.parametrize("name", list(READERS))
def test_a_cache_file_is_read_only_when_this_user_s_eventforge_signed_it(
    tmp_path: Path, name: str
) -> None:
    spec = _generated(tmp_path)
    out, read = spec.parent, READERS[name]
    content = cachefile.read(out, name)
    assert content is not None, f"{name} was not written, or not signed"
    assert read(out, spec), f"{name} as written is not read back"
    target = out / name
    # The same content, signed with another key: ignored.
    target.write_bytes(cachefile.signed(OTHER_KEY, name, content))
    assert not read(out, spec)
    # Unsigned, as the caches were before they were signed: ignored.
    target.write_bytes(content)
    assert not read(out, spec)
    # Signed by this user again: read (so it is the signature the reader refused).
    target.write_bytes(cachefile.signed(_key(), name, content))
    assert read(out, spec)


def _key() -> bytes:
    key = cachefile.signing_key()
    assert key is not None
    return key


def test_the_signature_covers_every_byte_and_the_file_s_name(tmp_path: Path) -> None:
    a, b = f"{CACHE_DIR}/a.bin", f"{CACHE_DIR}/b.bin"
    write_cache(tmp_path, a, b"content")
    assert cachefile.read(tmp_path, a) == b"content"
    signed = (tmp_path / a).read_bytes()
    for at in range(len(signed)):  # any one byte changed, the header's too
        changed = bytearray(signed)
        changed[at] ^= 0x01
        (tmp_path / a).write_bytes(bytes(changed))
        assert cachefile.read(tmp_path, a) is None, at
    (tmp_path / b).write_bytes(signed)  # one cache file standing in for another
    assert cachefile.read(tmp_path, b) is None
    for cut in (b"", signed[:64], signed[:-1]):
        (tmp_path / a).write_bytes(cut)
        assert cachefile.read(tmp_path, a) is None


def test_a_forged_format_cache_cannot_put_text_into_a_generated_file(tmp_path: Path) -> None:
    """The attack: a folder whose format cache says a file formats to text of its author's
    choosing. Signed by someone else, it changes nothing; signed by this user (which only this
    user's eventforge can do), it would: so the signature is what stops it."""
    spec = _generated(tmp_path)
    out = spec.parent
    path = "src/bank/account/deposit_money.py"
    generated = (out / path).read_text(encoding="utf-8")
    forged = _forged_formats(out, path)
    for key, written in ((OTHER_KEY, generated), (_key(), "TAMPERED = True\n")):
        (out / path).unlink()  # so that generate must produce it
        (out / MEMO_FILE).unlink(missing_ok=True)
        (out / CACHE_FILE).write_bytes(cachefile.signed(key, CACHE_FILE, forged))
        assert cli("generate", spec).exit_code == 0
        assert (out / path).read_text(encoding="utf-8") == written


def _forged_formats(out: Path, path: str) -> bytes:
    """format.json saying that `path` formats to TAMPERED, kept as for a user file."""
    import json

    tampered = "TAMPERED = True\n"
    formats: dict[str, Any] = read_cache(out, CACHE_FILE)
    rendered = formats["files"][path][0]
    formats["files"][path] = [rendered, hashlib.sha256(tampered.encode()).hexdigest(), tampered]
    return json.dumps(formats).encode("utf-8")


def test_without_a_user_cache_folder_no_cache_is_read_or_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _generated(tmp_path)
    monkeypatch.setenv("EVENTFORGE_NO_TEMPLATE_CACHE", "1")
    assert cachefile.signing_key() is None
    for name in READERS:
        assert cachefile.read(spec.parent, name) is None
    fresh = copy_example("bank", tmp_path / "fresh")
    assert cli("generate", fresh).exit_code == 0
    assert not (fresh.parent / ".eventforge" / "cache").exists()
    assert tree(fresh.parent) == tree(spec.parent)  # tree() leaves the caches out


def test_the_signing_key_is_made_once_and_only_the_user_can_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("EVENTFORGE_NO_TEMPLATE_CACHE", raising=False)
    first = cachefile.signing_key()
    assert first is not None and len(first) == 32
    assert cachefile.signing_key() == first
    (made,) = (tmp_path / "eventforge" / "keys").iterdir()  # no temporary file left
    assert made.stat().st_mode & 0o077 == 0


def _key_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("EVENTFORGE_NO_TEMPLATE_CACHE", raising=False)
    assert cachefile.signing_key() is not None
    return tmp_path / "xdg" / "eventforge" / "keys" / "cache.key"


@pytest.mark.parametrize("how", ["cut short", "empty", "readable by others", "a link"])
def test_a_key_file_that_is_no_key_is_replaced_by_a_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A crash while the key was made, or a key others may read or have put there: a new key
    (so the caches signed with the old one are made again), never no key for good."""
    path = _key_in(tmp_path, monkeypatch)
    elsewhere = tmp_path / "elsewhere.key"
    elsewhere.write_bytes(b"x" * 32)
    if how == "cut short":
        path.write_bytes(b"short")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "readable by others":
        path.chmod(0o644)
    else:
        path.unlink()
        path.symlink_to(elsewhere)
    key = cachefile.signing_key()
    assert key is not None and len(key) == 32
    assert path.read_bytes() == key and not path.is_symlink()
    assert path.stat().st_mode & 0o077 == 0
    assert elsewhere.read_bytes() == b"x" * 32  # the link's target is left alone
    assert cachefile.signing_key() == key
    assert [p.name for p in path.parent.iterdir()] == ["cache.key"]


def test_a_user_cache_folder_others_may_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _key_in(tmp_path, monkeypatch)
    path.parent.chmod(0o770)
    assert cachefile.signing_key() is None
    path.parent.chmod(0o700)
    assert cachefile.signing_key() is not None


def _clean(tmp_path: Path) -> dict[str, bytes]:
    fresh = copy_example("bank", tmp_path / "clean")
    assert cli("generate", fresh).exit_code == 0
    return tree(fresh.parent)


def test_a_cache_file_that_is_a_link_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    """A crafted folder whose format cache links to a generated file: writing the cache must
    not overwrite that file, and a link to a valid cache elsewhere is not read."""
    spec = copy_example("bank", tmp_path / "bank")
    out = spec.parent
    (out / CACHE_DIR).mkdir(parents=True)
    (out / CACHE_FILE).symlink_to("../../src/bank/account/deposit_money.py")
    assert cli("generate", spec).exit_code == 0
    assert tree(out) == _clean(tmp_path)
    assert not (out / CACHE_FILE).is_symlink()  # replaced by the cache itself
    copy = tmp_path / "format.json"
    copy.write_bytes((out / CACHE_FILE).read_bytes())
    (out / CACHE_FILE).unlink()
    (out / CACHE_FILE).symlink_to(copy)
    assert cachefile.read(out, CACHE_FILE) is None
    assert cachefile.read(tmp_path / "clean", CACHE_FILE) is not None


@pytest.mark.parametrize("link", [".eventforge", ".eventforge/cache"])
def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path: Path, link: str) -> None:
    """`.eventforge/cache -> ../src` would put the caches, and a .gitignore of `*`, into the
    package: caches are neither read from nor written into a folder reached through a link."""
    spec = copy_example("bank", tmp_path / "bank")
    out = spec.parent
    (out / "src").mkdir()
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    (out / link).symlink_to(out / "src", target_is_directory=True)
    before = sorted(p.name for p in (out / "src").iterdir())
    for name in READERS:
        cachefile.write(out, name, b"x")
        assert cachefile.read(out, name) is None
    assert sorted(p.name for p in (out / "src").iterdir()) == before


def test_a_pipe_a_folder_or_a_loop_where_a_cache_goes_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_DIR
    folder.mkdir(parents=True)
    os.mkfifo(folder / "generate.json")  # reading it would wait for a writer forever
    (folder / "format.json").mkdir()
    (folder / "render.json").symlink_to("render.json")  # a link to itself
    probe = (
        "import sys; from pathlib import Path; from generator.build import cachefile; "
        "print([cachefile.read(Path(sys.argv[1]), n) for n in sys.argv[2:]])"
    )
    names = [MEMO_FILE, CACHE_FILE, RENDER_FILE]
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path), *names],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[None, None, None]"


def test_a_cache_file_larger_than_the_limit_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"{CACHE_DIR}/big.bin"
    write_cache(tmp_path, name, b"y" * 1000)
    assert cachefile.read(tmp_path, name) == b"y" * 1000
    monkeypatch.setattr(cachefile, "_LIMIT", 1000)  # the file holds 65 bytes of signature more
    assert cachefile.read(tmp_path, name) is None


def test_another_user_s_caches_are_made_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project folder handed on with its caches (another key): the next generate ignores
    them, writes the same files, and signs its own caches."""
    spec = _generated(tmp_path)
    before = {name: cachefile.read(spec.parent, name) for name in READERS}
    files = tree(spec.parent)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    assert all(cachefile.read(spec.parent, name) is None for name in READERS)
    os.utime(spec)  # not a change of content: the same files
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    assert tree(spec.parent) == files
    after = {name: cachefile.read(spec.parent, name) for name in READERS}
    assert all(content is not None for content in after.values()), after.keys()
    assert after[LOAD_FILE] == before[LOAD_FILE]
