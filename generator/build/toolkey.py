"""eventforge itself as an input of a generate, known without reading it every time.

Every cache of a generate (the memo, the render and format caches, the compiled templates) is
keyed by eventforge itself: its code, templates and schema, and the versions of Python and of the
libraries whose output it keeps. Hashing every source and asking `importlib.metadata` for the
versions cost a tenth of a small generate. So the results are kept in the user's cache folder
(beside the compiled templates), under a stamp of what they were computed from: the path, size,
times, device and inode of every source file, and of each library's own package file (an
upgrade or reinstall writes that anew). Any edit changes a stamp (no program can set a change
time back), and a stamp not seen before means computing the key as before. The output of a
generate is the same either way; only its caches' keys are remembered.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from importlib.util import find_spec
from pathlib import Path

# Distribution name, and the module whose file stands for it in a stamp.
LIBRARIES = (
    ("Jinja2", "jinja2"),
    ("PyYAML", "yaml"),
    ("jsonschema", "jsonschema"),
    ("ruff", "ruff"),
)
_VERSIONS: dict[str, str] = {}


def user_cache(name: str) -> Path | None:
    """A folder of eventforge's own in the user's cache folder (`$XDG_CACHE_HOME`, else
    `~/.cache`), made if need be; None when there is none that only this user can write
    (what is kept there is trusted), or `EVENTFORGE_NO_TEMPLATE_CACHE` is set."""
    if os.environ.get("EVENTFORGE_NO_TEMPLATE_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "eventforge" / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        status = folder.stat()
        if status.st_uid != os.getuid() or status.st_mode & 0o022 or not os.access(folder, os.W_OK):
            return None  # not this user's, or others may write there too
    except (OSError, AttributeError):
        return None
    return folder


def stamp(*parts: str, files: Iterable[tuple[str, Path]] = ()) -> str:
    """A hash of `parts` and of each file's name and fingerprint (never its content)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    for name, path in files:
        try:
            st = os.stat(path)
            seen = f"{st.st_size},{st.st_mtime_ns},{st.st_ctime_ns},{st.st_dev},{st.st_ino}"
        except OSError:
            seen = "missing"
        digest.update(f"{name}\0{seen}\0".encode())
    return digest.hexdigest()


def remembered(kind: str, key: str, compute: Callable[[], dict[str, str]]) -> dict[str, str]:
    """What `compute` returns, kept in the user's cache folder under `key` (a stamp)."""
    folder = user_cache("stamps")
    target = folder / f"{kind}-{key[:40]}.json" if folder is not None else None
    if target is not None:
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
            if (
                isinstance(data, dict)
                and data.get("stamp") == key
                and isinstance(data.get("value"), dict)
                and all(isinstance(v, str) for v in data["value"].values())
            ):
                return dict(data["value"])
        except (OSError, ValueError):
            pass
    value = compute()
    if target is not None:
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            temp.write_text(json.dumps({"stamp": key, "value": value}), encoding="utf-8")
            os.replace(temp, target)
        except OSError:
            temp.unlink(missing_ok=True)
    return value


def library_versions() -> dict[str, str]:
    """The installed versions of the libraries whose output a generate keeps (once a process)."""
    if not _VERSIONS:
        origins = []
        for _, module in LIBRARIES:
            spec = find_spec(module)
            origin = spec.origin if spec is not None else None
            origins.append((module, Path(origin or "")))
        _VERSIONS.update(remembered("versions", stamp(sys.version, files=origins), _versions))
    return _VERSIONS


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name, _ in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - they are dependencies
            found[name] = "unknown"
    return found
