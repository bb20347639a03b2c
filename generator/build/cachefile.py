"""One cache file of an output folder (`.eventforge/cache/`): signed, written whole, never committed.

What a cache holds ends up in generated files: formatted text (format.json), the files of the
last generate (generate.json), parsed pieces of the spec (load.bin), units of the analysis
(analysis.bin). An output folder may come from anywhere: a cache committed to a repository by
force, a crafted folder. So a cache is trusted only when this user's eventforge wrote it: each
file starts with a line holding the HMAC-SHA256 of its name and content, under a key made once in
the user's cache folder (readable by the user only). A file without a valid line is ignored, as a
missing or broken one is: the generate works from scratch. No user cache folder (or
`EVENTFORGE_NO_TEMPLATE_CACHE` set) means no key, and then no cache is read or written.

Caches may be lost: they are replaced atomically but without fsync (a file cut short by a crash
fails its signature and is ignored).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from generator.build.toolkey import user_cache
from generator.build.write import UnsafePathError, atomic_write, safe_target

CACHE_DIR = ".eventforge/cache"
_GITIGNORE = f"{CACHE_DIR}/.gitignore"
_KEY_FILE = "cache.key"
_KEY_BYTES = 32
_HEADER = 64  # hex digits of the signature, then a newline, then the content


def read(out: Path, name: str) -> bytes | None:
    """The content of the cache file `name` in `out`, when this user's eventforge wrote it;
    None when it is missing, unreadable, unsigned or signed otherwise (or there is no key)."""
    key = signing_key()
    if key is None:
        return None
    try:
        signed = safe_target(out, name).read_bytes()
    except (OSError, UnsafePathError):
        return None
    signature, content = signed[:_HEADER], signed[_HEADER + 1 :]
    if signed[_HEADER : _HEADER + 1] != b"\n":
        return None
    if not hmac.compare_digest(signature, _signature(key, name, content)):
        return None
    return content


def write(out: Path, name: str, content: bytes) -> None:
    """Sign and write the cache file `name` in `out` (and the cache folder's .gitignore); does
    nothing without a key, and never fails a generate."""
    key = signing_key()
    if key is None:
        return
    try:
        target = safe_target(out, name)
        ignore = safe_target(out, _GITIGNORE)
        if not ignore.is_file():
            atomic_write(ignore, "# eventforge's caches (safe to delete): never commit them.\n*\n")
        atomic_write(target, signed(key, name, content), durable=False)
    except (OSError, UnsafePathError):
        return


def signed(key: bytes, name: str, content: bytes) -> bytes:
    """The bytes of the cache file `name` holding `content`, signed with `key`."""
    return _signature(key, name, content) + b"\n" + content


def _signature(key: bytes, name: str, content: bytes) -> bytes:
    # The name too, so that one cache file cannot stand in for another.
    mac = hmac.new(key, name.encode("utf-8") + b"\0", hashlib.sha256)
    mac.update(content)
    return mac.hexdigest().encode("ascii")


def signing_key() -> bytes | None:
    """This user's key for signing caches, made once (32 random bytes, readable by the user
    only) in eventforge's folder of the user's cache; None when there is none."""
    folder = user_cache("keys")
    if folder is None:
        return None
    path = folder / _KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        # Written whole under another name, then linked into place, which fails if another
        # generate made the key first (that key is then read): never half a key, never two.
        key = os.urandom(_KEY_BYTES)
        temporary = folder / f".{_KEY_FILE}.{os.getpid()}.{key.hex()[:8]}"
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(key)
            try:
                os.link(temporary, path)
            except FileExistsError:
                key = path.read_bytes()
            finally:
                temporary.unlink()
        except OSError:
            return None
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None
