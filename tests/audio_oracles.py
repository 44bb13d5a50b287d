"""Reference computations the tests check the audio code against (plain, slow, obvious)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from voiceguide.audio.loudness import LoudnessMeter, gated_loudness, moving_average, running_min


def integrated(meter: LoudnessMeter) -> float:
    """Gated integrated loudness in LUFS of what ``meter`` was given (``-inf`` for silence
    or under 400 ms)."""
    return gated_loudness(meter.hop_energies(), meter.frames, meter.rate)


def smooth_gain(needed: npt.NDArray[np.floating], width: int) -> npt.NDArray[np.float64]:
    """The limiter's gain curve worked out from the gain each sample needs: the minimum
    over ±``width`` samples, then a moving average over ``width + 1``."""
    padded = np.pad(np.asarray(needed, dtype=np.float64), width, mode="edge")
    return moving_average(running_min(padded, 2 * width + 1), width)


def gain_to_db(gain: float) -> float:
    return 20 * math.log10(gain) if gain > 0 else -math.inf


def speech_like(seconds: float, channels: int, rate: int) -> npt.NDArray[np.float32]:
    """A gliding tone that comes and goes, with silence between, the channels at
    different levels: frames × channels, for the encoders' tests."""
    t = np.arange(round(seconds * rate)) / rate
    voice = 0.3 * np.sin(2 * np.pi * (180 + 120 * np.sin(2 * np.pi * 0.7 * t)) * t)
    voice *= np.sin(2 * np.pi * 0.5 * t) > 0  # half of it silent
    sides = [voice * (1.0 - 0.4 * side) for side in range(channels)]
    return np.stack(sides, axis=1).astype(np.float32)
