"""Fields named like Python keywords, in expressions: `command.from` is the spec's name, but not
Python that `ast` can parse. Before parsing, each keyword right after a dot is spelled as the
generated code spells the field (`command.from_`), found with `tokenize` so that text inside
string literals stays as written; the checker maps those attributes back to the spec's names.
"""

from __future__ import annotations

import io
import keyword
import re
import tokenize

# A keyword after a dot, anywhere: when there is none (nearly always), nothing is tokenized.
_MAYBE = re.compile(r"\.\s*(?:" + "|".join(keyword.kwlist) + r")\b")


def respell_keywords(text: str) -> tuple[str, frozenset[tuple[int, int]]]:
    """`text` with `.<keyword>` spelled `.<keyword>_`, and where each respelled attribute ends
    in the new text, as `ast` reports it (line, UTF-8 byte column)."""
    if not _MAYBE.search(text):
        return text, frozenset()
    found: list[tuple[int, int]] = []  # (line, character column) of each keyword's end
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NL, tokenize.COMMENT):
                continue
            if token.type == tokenize.NAME and previous == "." and keyword.iskeyword(token.string):
                found.append(token.end)
            previous = token.string if token.type == tokenize.OP else ""
    except (tokenize.TokenError, SyntaxError):
        return text, frozenset()  # ast.parse reports what is wrong
    lines = text.splitlines(keepends=True)
    ends: set[tuple[int, int]] = set()
    for row, column in reversed(found):  # from the end, so earlier columns stay valid
        line = lines[row - 1]
        lines[row - 1] = line[:column] + "_" + line[column:]
    shift: dict[int, int] = {}
    for row, column in found:
        shift[row] = shift.get(row, 0) + 1
        end = column + shift[row]  # this and every earlier underscore on the line
        ends.add((row, len(lines[row - 1][:end].encode("utf-8"))))
    return "".join(lines), frozenset(ends)
