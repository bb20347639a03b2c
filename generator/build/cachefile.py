"""One cache file of an output folder (`.eventforge/cache/`): signed, written whole, never committed.

What a cache holds ends up in generated files: formatted text (format.json), the files of the
last generate (generate.json), parsed pieces of the spec (load.bin), units of the analysis
(analysis.bin). An output folder may come from anywhere: a cache committed to a repository by
force, a crafted folder. So a cache is trusted only when this user's eventforge wrote it: each
file starts with a line holding the HMAC-SHA256 of its name and content, under a key made once in
the user's cache folder (readable by the user only). A file without a valid line is ignored, as a
missing or broken one is: the generate works from scratch. No user cache folder (or
`EVENTFORGE_NO_TEMPLATE_CACHE` set) means no key, and then no cache is read or written.

A crafted folder may also hold links or special files where caches go. A cache file is reached
without following any link below the output folder (`.eventforge`, the cache folder and the file
itself must be what they seem), must be a regular file of bounded size, and is replaced, never
written through: so a cache cannot be made to read or overwrite another file, or to hang a
generate on a pipe. Caches may be lost: they are replaced atomically but without fsync (a file
cut short by a crash fails its signature and is ignored).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import stat
from pathlib import Path

from generator.build.toolkey import user_cache

CACHE_DIR = ".eventforge/cache"
_IGNORE = b"# eventforge's caches (safe to delete): never commit them.\n*\n"
_KEY_FILE = "cache.key"
_KEY_BYTES = 32
_HEADER = 64  # hex digits of the signature, then a newline, then the content
_LIMIT = 256 << 20  # bytes: larger than the caches of a 5,000-command spec by far
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC


def read(out: Path, name: str) -> bytes | None:
    """The content of the cache file `name` in `out`, when this user's eventforge wrote it;
    None when it is missing, unreadable, not a plain file, unsigned or signed otherwise (or
    there is no key)."""
    key = signing_key()
    if key is None:
        return None
    folder = _open_folder(out, create=False)
    if folder is None:
        return None
    try:
        signed = _read_regular(folder, _base(name))
    finally:
        os.close(folder)
    if signed is None or signed[_HEADER : _HEADER + 1] != b"\n":
        return None
    signature, content = signed[:_HEADER], signed[_HEADER + 1 :]
    if not hmac.compare_digest(signature, _signature(key, name, content)):
        return None
    return content


def write(out: Path, name: str, content: bytes) -> None:
    """Sign and write the cache file `name` in `out` (and the cache folder's .gitignore); does
    nothing without a key, and never fails a generate."""
    key = signing_key()
    if key is None:
        return
    folder = _open_folder(out, create=True)
    if folder is None:
        return
    try:
        try:
            os.stat(".gitignore", dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            _replace(folder, ".gitignore", _IGNORE)
        _replace(folder, _base(name), signed(key, name, content))
    except OSError:
        return
    finally:
        os.close(folder)


def signed(key: bytes, name: str, content: bytes) -> bytes:
    """The bytes of the cache file `name` holding `content`, signed with `key`."""
    return _signature(key, name, content) + b"\n" + content


def _signature(key: bytes, name: str, content: bytes) -> bytes:
    # The name too, so that one cache file cannot stand in for another.
    mac = hmac.new(key, name.encode("utf-8") + b"\0", hashlib.sha256)
    mac.update(content)
    return mac.hexdigest().encode("ascii")


def _base(name: str) -> str:
    folder, _, base = name.rpartition("/")
    assert folder == CACHE_DIR and base and base != ".gitignore", name
    return base


def _open_folder(out: Path, *, create: bool) -> int | None:
    """A descriptor of `out`'s cache folder (made if `create`), reached without following a
    link below `out`; None when there is none, or when `.eventforge` or the cache folder is not
    a plain folder (a link, a file), or the system cannot open files relative to a folder."""
    if not (_NOFOLLOW and os.open in os.supports_dir_fd and os.mkdir in os.supports_dir_fd):
        return None
    try:
        current = os.open(out, os.O_RDONLY | _CLOEXEC)
    except OSError:
        return None
    for part in CACHE_DIR.split("/"):
        try:
            try:
                inner = os.open(part, _DIRECTORY, dir_fd=current)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o777, dir_fd=current)
                inner = os.open(part, _DIRECTORY, dir_fd=current)
        except OSError:
            os.close(current)
            return None
        os.close(current)
        current = inner
    return current


def _read_regular(folder: int, name: str) -> bytes | None:
    """The bytes of `name` in `folder` if it is a regular file (not a link) of at most `_LIMIT`
    bytes; None otherwise. Opened without blocking, so a pipe there cannot hang a generate."""
    try:
        descriptor = os.open(
            name, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC, dir_fd=folder
        )
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > _LIMIT:
            return None
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(descriptor, 1 << 20):
            size += len(chunk)
            if size > _LIMIT:  # it grew since
                return None
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _replace(folder: int, name: str, data: bytes) -> None:
    """Put `data` at `name` in `folder` whole: written under a new name, then renamed over it,
    so that a link or file there is replaced, never written through."""
    temporary = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    descriptor = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666, dir_fd=folder
    )
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


def signing_key() -> bytes | None:
    """This user's key for signing caches (32 random bytes in eventforge's folder of the user's
    cache, a regular file readable by the user only), made when there is none or what is there
    is no such key; None when there is no user cache folder, or no key can be made."""
    folder = user_cache("keys")
    if folder is None:
        return None
    path = folder / _KEY_FILE
    return _own_key(path) or _new_key(folder, path)


def _own_key(path: Path) -> bytes | None:
    """The key at `path` if it is one: a regular file (not a link) of this user's, that nobody
    else may read, of exactly the key's length."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if (
            not stat.S_ISREG(status.st_mode)
            or status.st_uid != os.getuid()
            or status.st_mode & 0o077
            or status.st_size != _KEY_BYTES
        ):
            return None
        key = os.read(descriptor, _KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return key if len(key) == _KEY_BYTES else None


def _new_key(folder: Path, path: Path) -> bytes | None:
    """A new key, written whole and durably under another name, then put at `path`: linked
    when there is no key yet, so that of two generates making one at once both use the first;
    replacing what is there when it is no key (cut short by a crash, a link, readable by
    others), or when the file system has no hard links."""
    key = os.urandom(_KEY_BYTES)
    temporary = folder / f".{_KEY_FILE}.{os.getpid()}.{key.hex()[:8]}"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        try:
            os.write(descriptor, key)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(temporary, path)
        except FileExistsError:
            first = _own_key(path)
            if first is not None:
                return first  # another generate made it first
            os.replace(temporary, path)
        except OSError:
            os.replace(temporary, path)
        return _own_key(path)  # this key, or one another generate put there since
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
