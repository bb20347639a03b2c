"""The files a generate produced, where a file the disk holds already need not be read.

After a one-command edit of a large spec, nearly every produced file is what the last generate
wrote, and nobody touched it since. Reading and hashing thousands of such files to find that out
cost more than formatting the few that changed. The generate memo (cache.GenerateMemo) records
each generated file's hash and its fingerprint (size, modification and change times, device,
inode: what git's index records) as the last generate left it; a file whose fingerprint is still
that one, and not too close to the memo's own time to tell (see cache._TICK_NS), holds that
hash's text. When the format cache says that the file's formatted text has that hash too, the
file is `settled`: it is identical on disk, and its text is read only if something asks for it.

A hand edit changes the fingerprint (no program can set the change time back), and the file is
read and compared as before; `check` never uses any of this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping


class ChangedWhileGeneratingError(OSError):
    """A settled file that, read after all, is not the text its fingerprint promised: it was
    changed while eventforge ran."""


class _InOrder(Mapping[str, str]):
    """Text by path, iterated in the order the files were planned."""

    _order: list[str]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


class Produced(_InOrder):
    """Text by path, in the order produced; a settled file is read from disk on first use."""

    def __init__(
        self,
        order: Iterable[str],
        texts: dict[str, str],
        settled: Mapping[str, tuple[str, list[int]]],
        read: Callable[[str], str | None],
    ) -> None:
        self._order = list(order)
        self._texts = texts
        self.settled = dict(settled)  # path -> (sha256 of its text, its fingerprint)
        self._read = read
        missing = set(self._order) - texts.keys() - self.settled.keys()
        assert not missing, sorted(missing)[:3]

    def __getitem__(self, path: str) -> str:
        text = self._texts.get(path)
        if text is not None:
            return text
        if path not in self.settled:
            raise KeyError(path)
        text = self._read(path)
        if text is None or sha256(text) != self.settled[path][0]:
            raise ChangedWhileGeneratingError(f"{path} was changed while eventforge ran")
        self._texts[path] = text
        return text

    def __contains__(self, path: object) -> bool:
        return path in self._texts or path in self.settled


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(files: Mapping[str, str], path: str) -> str:
    """The sha256 of a produced file's text, without reading a settled file."""
    if isinstance(files, Produced) and path in files.settled:
        return files.settled[path][0]
    return sha256(files[path])


def settled(files: Mapping[str, str]) -> Mapping[str, tuple[str, list[int]]]:
    """The settled files of `files` (none for a plain dict)."""
    return files.settled if isinstance(files, Produced) else {}


class Rendered(_InOrder):
    """Rendered text by path, in the order planned; a file the render cache knows is rendered
    only when its text is asked for (its hash is known: the format cache may know the rest)."""

    def __init__(
        self,
        order: Iterable[str],
        texts: dict[str, str],
        deferred: dict[str, tuple[str, Callable[[], str]]],
    ) -> None:
        self._order = list(order)
        self._texts = texts
        self._deferred = deferred  # path -> (sha256 of the text, how to render it)

    def __getitem__(self, path: str) -> str:
        text = self._texts.get(path)
        if text is None:
            text = self._texts[path] = self._deferred[path][1]()
        return text

    def __contains__(self, path: object) -> bool:
        return path in self._texts or path in self._deferred

    def digest(self, path: str) -> str:
        if path not in self._texts and path in self._deferred:
            return self._deferred[path][0]
        return sha256(self[path])


def rendered_digest(files: Mapping[str, str], path: str) -> str:
    """The sha256 of a rendered file's text, without rendering a file the render cache knows."""
    return files.digest(path) if isinstance(files, Rendered) else sha256(files[path])
