"""Test doubles for the pluggable parts, shipped with the package.

They let tests assert exactly what was said without a speech engine or sound card.
"""

from __future__ import annotations

import math

from voiceguide.speech.engine import Clip

FAKE_PITCH = 110.0
"""Frequency (Hz) of the hum a :class:`FakeSynthesizer` "speaks"."""

FAKE_LEVEL = 0.1
"""Peak level of the hum."""


class FakeSynthesizer:
    """A :class:`~voiceguide.speech.Synthesizer` that hums instead of speaking.

    Each clip is a low sine burst, ``words * 60 / words_per_minute`` seconds long (so the
    same text always gives the same samples) that fades in and out; blank text gives an
    empty clip.  Every text asked for is appended to :attr:`spoken`, in order.
    """

    def __init__(self, words_per_minute: int = 150, sample_rate: int = 44100) -> None:
        if words_per_minute <= 0:
            raise ValueError(f"words per minute must be positive, got {words_per_minute!r}")
        if sample_rate <= 0:
            raise ValueError(f"sample rate must be positive, got {sample_rate!r}")
        self.words_per_minute = words_per_minute
        self.sample_rate = sample_rate
        self.spoken: list[str] = []

    @property
    def key(self) -> str:
        return f"fake wpm={self.words_per_minute} samples={self.sample_rate}Hz"

    def duration(self, text: str) -> float:
        """How long the clip for ``text`` is, in seconds."""
        return len(text.split()) * 60.0 / self.words_per_minute

    def synthesize(self, text: str) -> Clip:
        import numpy as np

        self.spoken.append(text)
        length = round(self.duration(text) * self.sample_rate)
        t = np.arange(length, dtype=np.float64) / self.sample_rate
        samples = FAKE_LEVEL * np.sin(2.0 * math.pi * FAKE_PITCH * t)
        fade = min(round(0.01 * self.sample_rate), length // 2)
        if fade > 0:
            ramp = 0.5 * (1.0 - np.cos(math.pi * np.arange(fade) / fade))
            samples[:fade] *= ramp
            samples[length - fade :] *= ramp[::-1]
        return Clip(samples.astype(np.float32), self.sample_rate)
