"""Every cache of an output folder is signed by this user's eventforge (cachefile.py): a cache
file it did not write (committed by force, copied from someone else, crafted) is ignored, so
that nothing but the spec decides what a generate writes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import cli, copy_example, read_cache, tree, write_cache

from generator.build import cachefile
from generator.build.analysis_cache import ANALYSIS_FILE, AnalysisCache
from generator.build.cache import CACHE_FILE, MEMO_FILE, RENDER_FILE, FormatCache, RenderCache
from generator.build.cache import GenerateMemo as Memo
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
    write_cache(tmp_path, "a.bin", b"content")
    assert cachefile.read(tmp_path, "a.bin") == b"content"
    signed = (tmp_path / "a.bin").read_bytes()
    for at in range(len(signed)):  # any one byte changed, the header's too
        changed = bytearray(signed)
        changed[at] ^= 0x01
        (tmp_path / "a.bin").write_bytes(bytes(changed))
        assert cachefile.read(tmp_path, "a.bin") is None, at
    (tmp_path / "b.bin").write_bytes(signed)  # one cache file standing in for another
    assert cachefile.read(tmp_path, "b.bin") is None
    for cut in (b"", signed[:64], signed[:-1]):
        (tmp_path / "a.bin").write_bytes(cut)
        assert cachefile.read(tmp_path, "a.bin") is None


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
    made.write_bytes(b"short")  # a key cut short is no key
    assert cachefile.signing_key() is None


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
