"""Where templates and the JSON Schema live: inside the package when installed from a wheel,
at the top of the checkout when running from source or an editable install."""

from __future__ import annotations

from pathlib import Path

# generator/, the package root: support/ is one level below it.
_PACKAGE = Path(__file__).resolve().parent.parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"eventforge is installed without its {name}/ folder")


def templates_dir() -> Path:
    return _find("templates")


def schema_path() -> Path:
    return _find("schemas") / "eventforge.schema.json"


def examples_dir() -> Path:
    return _find("examples")


def spec_reference_path() -> Path:
    """docs/spec-language.md: the spec language reference, served by `prompt` and `mcp`."""
    return _find("docs") / "spec-language.md"
