"""eventforge's own key (generator/build/toolkey.py): remembered between processes in the user's
cache folder by the fingerprints of its sources and libraries, never trusted past an edit."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator.build import pipeline, toolkey
from generator.support.resources import templates_dir


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of eventforge's code and templates that the tool key is computed from."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("EVENTFORGE_NO_TEMPLATE_CACHE", raising=False)
    code = tmp_path / "generator"
    shutil.copytree(pipeline._PACKAGE, code, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(templates_dir(), tmp_path / "templates")
    monkeypatch.setattr(pipeline, "_PACKAGE", code)
    monkeypatch.setattr(pipeline, "templates_dir", lambda: tmp_path / "templates")
    monkeypatch.setattr(pipeline, "_TOOL", [])
    return tmp_path


def _key() -> str:
    pipeline._TOOL.clear()
    return pipeline._tool_key()


def test_the_remembered_key_is_the_computed_one_and_an_edit_changes_it(
    sources: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _key()
    assert list((sources / "xdg" / "eventforge" / "stamps").glob("tool-*.json"))
    with monkeypatch.context() as patched:

        def refuse(self: Path) -> bytes:
            raise AssertionError(f"read {self}")

        patched.setattr(Path, "read_bytes", refuse)
        assert _key() == first  # remembered: no source read
    # An edit that keeps the size and the modification time: the change time still tells.
    template = sources / "templates" / "package" / "application.py.jinja"
    stat = template.stat()
    text = template.read_text()
    template.write_text(text.replace("commands in", "commands In", 1))
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert template.stat().st_size == stat.st_size
    edited = _key()
    assert edited != first
    monkeypatch.setenv("EVENTFORGE_NO_TEMPLATE_CACHE", "1")  # nothing remembered: computed
    assert _key() == edited
    template.write_text(text)
    assert _key() == first


def test_library_versions_are_asked_again_after_a_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("EVENTFORGE_NO_TEMPLATE_CACHE", raising=False)
    package = tmp_path / "jinja2" / "__init__.py"
    package.parent.mkdir()
    package.write_text("# version 1\n")
    monkeypatch.setattr(toolkey, "find_spec", lambda name: SimpleNamespace(origin=str(package)))
    asked: list[int] = []

    def versions() -> dict[str, str]:
        asked.append(1)
        return {name: str(len(asked)) for name, _ in toolkey.LIBRARIES}

    monkeypatch.setattr(toolkey, "_versions", versions)
    monkeypatch.setattr(toolkey, "_VERSIONS", {})
    assert toolkey.library_versions()["Jinja2"] == "1"
    toolkey._VERSIONS.clear()
    assert toolkey.library_versions()["Jinja2"] == "1" and len(asked) == 1  # remembered
    package.unlink()
    package.write_text("# version 2\n")  # reinstalled: a new file
    toolkey._VERSIONS.clear()
    assert toolkey.library_versions()["Jinja2"] == "2"
