"""JSON laid out like `json.dumps(value, indent=2)`, several times faster.

The manifest and the lock are committed, so they are indented for diffs; but with `indent` the
standard library encodes in pure Python, which on a 1,000-command spec costs a large part of a
no-op regenerate. Here every scalar (and every empty container) is encoded by the C encoder and
only the layout is done in Python. tests/support/test_jsontext.py checks the output is identical.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

_CONSTANTS = {None: "null", True: "true", False: "false"}


def indented(value: Any, *, ensure_ascii: bool = True) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=ensure_ascii)`, for JSON-compatible values."""
    general = json.JSONEncoder(ensure_ascii=ensure_ascii, check_circular=False).encode
    string = encode_basestring_ascii if ensure_ascii else encode_basestring

    def encode(value: Any) -> str:
        # The C string encoder and int/float's own repr, which is what json writes for them:
        # JSONEncoder.encode builds a new C encoder for every value that is not a string.
        if isinstance(value, str):
            return string(value)
        if value is None or value is True or value is False:
            return _CONSTANTS[value]
        if isinstance(value, int):
            return int.__repr__(value)
        if isinstance(value, float) and math.isfinite(value):
            return float.__repr__(value)
        return general(value)

    parts: list[str] = []
    try:
        _write(value, encode, parts, "\n")
    except _NotPlain:
        return json.dumps(value, indent=2, ensure_ascii=ensure_ascii)
    return "".join(parts)


class _NotPlain(Exception):
    """A key that is not a string: json.dumps converts those, and does it its own way."""


def _write(value: Any, encode: Any, parts: list[str], newline: str) -> None:
    if isinstance(value, dict) and value:
        inner = newline + "  "
        separator = "{"
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotPlain
            parts.append(f"{separator}{inner}{encode(key)}: ")
            _write(item, encode, parts, inner)
            separator = ","
        parts.append(newline + "}")
    elif isinstance(value, list | tuple) and value:
        inner = newline + "  "
        separator = "["
        for item in value:
            parts.append(separator + inner)
            _write(item, encode, parts, inner)
            separator = ","
        parts.append(newline + "]")
    else:
        parts.append(encode(value))
