"""The sample rates a guide can be made at (nothing imported: the CLI checks its options
with this before anything heavy is loaded)."""

from __future__ import annotations

DEFAULT_SAMPLE_RATE = 44_100
"""The rate guides are made at, unless asked otherwise."""

LOWEST_RATE = 8_000
HIGHEST_RATE = 192_000


def sample_rate_problem(rate: int) -> str | None:
    """Why ``rate`` (Hz) cannot be used, or None when it can.

    The loudness pass measures in 100 ms hops, so a rate must give whole hops: a multiple
    of 10 Hz.
    """
    if not LOWEST_RATE <= rate <= HIGHEST_RATE:
        return f"{rate} Hz is not between {LOWEST_RATE} and {HIGHEST_RATE} Hz"
    if rate % 10:
        return f"{rate} Hz is not a multiple of 10 Hz; use a rate such as 44100 or 48000"
    return None
