"""How a guide is rendered: its sample rate, channels and level (no numpy here: the CLI
checks options with it before the audio code is imported)."""

from __future__ import annotations

from dataclasses import dataclass

from voiceguide.errors import AudioError

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


DEFAULT_LOUDNESS = -16.0
DEFAULT_TRUE_PEAK = -1.0


@dataclass(frozen=True)
class RenderSettings:
    sample_rate: int = DEFAULT_SAMPLE_RATE
    channels: int = 1
    loudness: float | None = DEFAULT_LOUDNESS
    """Integrated loudness (LUFS) the guide is brought to; None leaves the level alone."""
    true_peak: float = DEFAULT_TRUE_PEAK

    def __post_init__(self) -> None:
        if self.channels not in (1, 2):
            raise AudioError(f"{self.channels} channels: a guide is mono (1) or stereo (2)")
        problem = sample_rate_problem(self.sample_rate)
        if problem:
            raise AudioError(f"cannot make a guide at {problem}")
