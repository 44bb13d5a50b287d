"""Durations as people write them: ``45s``, ``1m30s``, ``2 min``, ``1:30``, ``90``."""

from __future__ import annotations

import math
import re

from voiceguide.words import counted

_UNITS = {
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
}  # fmt: skip
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)", re.IGNORECASE)
_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?)$")

EXAMPLES = "45s, 1m30s, 2 min, 1:30 or a number of seconds"


def parse_duration(value: str | int | float) -> float:
    """Seconds in ``value``; raise ValueError with a message a user can act on."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as {EXAMPLES}, got {value!r}")
    if isinstance(value, int | float):
        return _finite(float(value), value)
    text = value.strip()
    if not text:
        raise ValueError(f"empty duration; write one such as {EXAMPLES}")
    if text.startswith("-") and not text.startswith("--"):
        return -parse_duration(text[1:])
    if re.fullmatch(r"\+?(?:\d+(?:\.\d*)?|\.\d+)", text):
        return float(text)
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    total = 0.0
    position = 0
    seen: list[float] = []
    while position < len(text):
        match = _PART.match(text, position)
        if not match or match.group(2).lower() not in _UNITS:
            raise ValueError(f"cannot read {value!r} as a duration; write one such as {EXAMPLES}")
        scale = _UNITS[match.group(2).lower()]
        if seen and scale >= seen[-1]:
            raise ValueError(
                f"units out of order in {value!r}; write hours, then minutes, then seconds"
            )
        seen.append(scale)
        total += float(match.group(1)) * scale
        position = match.end()
    return total


def _finite(seconds: float, value: object) -> float:
    if not math.isfinite(seconds):
        raise ValueError(f"expected a duration such as {EXAMPLES}, got {value!r}")
    return seconds


def format_clock(seconds: float, *, nearest: bool = False) -> str:
    """``MM:SS`` (or ``H:MM:SS``): a time on a timeline, rounded down to whole seconds
    as a clock shows it; with ``nearest``, a span of time (a session's end, the time
    left), rounded to the nearest second as :func:`format_length` rounds lengths."""
    whole = round(seconds) if nearest else int(seconds + 1e-9)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format_length(seconds: float) -> str:
    """A length for people (a stage's, a session's), rounded to the nearest second:
    ``1:00``, ``0:45``, ``1:02:03``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_session_length(seconds: float, *, estimated: bool, language: str = "en") -> str:
    """A session's length (:func:`format_length`), ``about 12:56`` (in ``language``) when
    it is an estimate."""
    if not estimated:
        return format_length(seconds)
    from voiceguide.words import labels_for

    return labels_for(language)["about"].format(length=format_length(seconds))


def format_spoken(seconds: float, language: str = "en") -> str:
    """A short phrase for a span in ``language``: ``1 minute 30 seconds``,
    ``2 хвилини 5 секунд``, ``21 sekunde``."""
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    parts = []
    if minutes:
        parts.append(counted(minutes, "minute", language))
    if secs or not minutes:
        parts.append(counted(secs, "second", language))
    return " ".join(parts)
