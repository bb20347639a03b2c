"""Durations as a spec writes them (`24h`, `30m`, `7d`, `90s`, `1d12h`, or ISO 8601 `PT24H`,
`P1DT2H`, `PT0.5S`) and as the generated package stores them (ISO 8601, exact to the
microsecond: hours, minutes and seconds with a fraction, `PT168H` for 7d; `-PT1H` for a negative
one; days are read too).

A day is 24 hours here, as it is for Python's `timedelta`; years, months and weeks are not
durations of a fixed length (or not written in specs), so they are refused.
"""

from __future__ import annotations

import datetime as dt
import re

# Units a spec writes compactly, largest first; each at most once and in this order.
_SHORT = re.compile(
    r"(?P<sign>-)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+(?:\.\d+)?)s)?\Z"
)
_ISO = re.compile(
    r"(?P<sign>-)?P(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?\Z"
)
_MICROSECONDS = {"d": 86_400_000_000, "h": 3_600_000_000, "m": 60_000_000}
MAX_DAYS = 999_999_999  # the largest timedelta

HOW = "write a duration like 24h, 30m, 7d, 90s, 1d12h, or ISO 8601 like PT24H, P1DT2H or PT0.5S"


class DurationError(ValueError):
    """Text that is not a duration; the message says why."""


def parse_duration(text: str) -> dt.timedelta:
    """The duration `text` stands for. Raises DurationError."""
    stripped = text.strip()
    match = _SHORT.match(stripped) if not stripped.upper().startswith(("P", "-P")) else None
    if match is None:
        match = _ISO.match(stripped)
        if match is not None and stripped.endswith(("P", "T")):
            match = None  # `P` or `P1DT` name no amount
    if match is None or not any(match.group(unit) for unit in "dhms"):
        raise DurationError(f"{text!r} is not a duration ({HOW})")
    micro = sum(int(match.group(u) or 0) * size for u, size in _MICROSECONDS.items())
    seconds = (match.group("s") or "0").replace(",", ".")
    whole, _, fraction = seconds.partition(".")
    if len(fraction.rstrip("0")) > 6:
        raise DurationError(f"{text!r} is finer than a microsecond, the finest a duration keeps")
    micro += int(whole) * 1_000_000 + int((fraction + "000000")[:6])
    if micro // _MICROSECONDS["d"] > MAX_DAYS:
        raise DurationError(f"{text!r} is longer than a duration can be ({MAX_DAYS:,} days)")
    return dt.timedelta(microseconds=-micro if match.group("sign") else micro)


def iso_duration(value: dt.timedelta) -> str:
    """`value` in ISO 8601 as the generated package stores it: `PT24H`, `PT26H30M`, `-PT0.5S`.
    Days are written as 24 hours: that is what they are here, while an ISO day may be a
    calendar day (23 or 25 hours across a clock change)."""
    micro = abs(value) // dt.timedelta(microseconds=1)
    hours, micro = divmod(micro, _MICROSECONDS["h"])
    minutes, micro = divmod(micro, _MICROSECONDS["m"])
    seconds, micro = divmod(micro, 1_000_000)
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or micro or not time:
        time += str(seconds) + (f".{micro:06d}".rstrip("0") if micro else "") + "S"
    return ("-PT" if value < dt.timedelta(0) else "PT") + time


def duration_code(value: dt.timedelta) -> str:
    """Python source for `value`: `timedelta(hours=24)`, `timedelta(days=-1, hours=-2)`."""
    sign = -1 if value < dt.timedelta(0) else 1
    micro = abs(value) // dt.timedelta(microseconds=1)
    parts = []
    for name, size in (("days", _MICROSECONDS["d"]), ("hours", _MICROSECONDS["h"])):
        amount, micro = divmod(micro, size)
        parts.append((name, amount))
    minutes, micro = divmod(micro, _MICROSECONDS["m"])
    seconds, micro = divmod(micro, 1_000_000)
    parts += [("minutes", minutes), ("seconds", seconds), ("microseconds", micro)]
    given = [f"{name}={sign * amount}" for name, amount in parts if amount]
    return f"timedelta({', '.join(given)})" if given else "timedelta(0)"
