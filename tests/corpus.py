"""The corpus of invalid specs (tests/spec/invalid/) and how a file says what it must report.

Each file starts with `# expect: CODE@LINE:COL ...`: the errors it must report, no more and no
fewer, with 1-based positions (of the offending key or value). The validator's tests and the
end-to-end hardening tests both read it.
"""

from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).parent / "spec" / "invalid"
CASES = sorted(CORPUS.glob("*.yaml"))
EXPECT_LINE = re.compile(r"# expect:((?: [EW]\d{3}@\d+:\d+)+)")
TEXT_LINE = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+): "
    r"(?P<level>error|warning)\[(?P<code>[EW]\d{3})\]: "
)

Position = tuple[str, int, int]


def expected(spec: Path) -> list[Position]:
    first = spec.read_text(encoding="utf-8").partition("\n")[0]
    match = EXPECT_LINE.fullmatch(first)
    assert match, f"{spec.name}: the first line must be `# expect: CODE@LINE:COL ...`"
    found = re.findall(r"([EW]\d{3})@(\d+):(\d+)", match.group(1))
    return sorted((code, int(line), int(column)) for code, line, column in found)
