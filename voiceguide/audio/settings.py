"""How a guide is rendered: its sample rate, channels and level."""

from __future__ import annotations

from dataclasses import dataclass

from voiceguide.audio.rates import DEFAULT_SAMPLE_RATE, sample_rate_problem
from voiceguide.errors import AudioError

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
