"""Cue sounds as samples: the built-in palette synthesized, and user sound files decoded.

The palette's names and lengths are :mod:`voiceguide.model.sounds`; the waveforms are made
by :func:`synthesize` and user files are decoded by :func:`load_sound_file`, both importing
the audio libraries when called, so importing this module does not import numpy.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.errors import AudioError, display_path
from voiceguide.model.sounds import SOUNDS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

ATTACK_SECONDS = 0.006
"""Raised-cosine fade-in of every note: long enough that no onset clicks."""

PARTIALS: tuple[tuple[float, float, float], ...] = (
    (1.0, 1.00, 1.0),
    (2.0, 0.32, 1.8),
    (3.0, 0.12, 2.6),
    (4.2, 0.05, 3.5),
)
"""A note's partials: (multiple of the note, relative level, how much faster it decays).

Upper partials die away faster than the fundamental, as on a struck bell or a
marimba bar, which is what makes a cue pleasant rather than a beep.
"""

DECAY_RATE = 3.5
"""How steep the exponential decay of the fundamental is over a note's ring time."""


def synthesize(name: str, sample_rate: int) -> npt.NDArray[np.float32]:
    """The built-in sound ``name`` as float32 mono samples at ``sample_rate``.

    Exactly ``round(duration * sample_rate)`` samples long; starts and ends at zero (each
    note fades in over a few milliseconds and decays to exactly zero), has no DC offset,
    and peaks at the sound's level.  Raises KeyError for an unknown name.
    """
    import numpy as np

    spec = SOUNDS[name]
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate!r}")
    length = round(spec.duration * sample_rate)
    mix = np.zeros(length, dtype=np.float64)
    for index, frequency in enumerate(spec.notes):
        start = round(index * spec.note_seconds * sample_rate)
        ring = min(round(spec.decay_seconds * sample_rate), length - start)
        if ring > 1:
            mix[start : start + ring] += _note(frequency, ring, sample_rate)
    if length > 2:
        # Remove the DC offset with a window that is zero at both ends, so the ends stay at 0.
        window = np.hanning(length)
        mix -= window * (mix.sum() / window.sum())
    peak = float(np.max(np.abs(mix))) if length else 0.0
    if peak > 0.0:
        mix *= min(spec.level, 1.0) / peak
    return mix.astype(np.float32)


def _note(frequency: float, ring: int, sample_rate: int) -> npt.NDArray[np.float64]:
    """One struck note ``ring`` samples long: harmonic partials under a click-free envelope."""
    import numpy as np

    t = np.arange(ring, dtype=np.float64) / sample_rate
    progress = np.arange(ring, dtype=np.float64) / (ring - 1)  # 0 .. 1 over the ring
    # A raised cosine to exactly zero at the last sample shapes the tail.
    tail = 0.5 * (1.0 + np.cos(math.pi * progress))
    attack = min(max(round(ATTACK_SECONDS * sample_rate), 1), ring // 2)
    onset = np.ones(ring, dtype=np.float64)
    onset[:attack] = 0.5 * (1.0 - np.cos(math.pi * np.arange(attack) / attack))
    note = np.zeros(ring, dtype=np.float64)
    nyquist_guard = 0.45 * sample_rate
    for multiple, level, speed in PARTIALS:
        partial = frequency * multiple
        if partial >= nyquist_guard:
            continue
        decay = np.exp(-DECAY_RATE * speed * progress)
        note += level * decay * np.sin(2.0 * math.pi * partial * t)
    result: npt.NDArray[np.float64] = note * onset * tail
    return result


def load_sound_file(path: str | os.PathLike[str], sample_rate: int) -> npt.NDArray[np.float32]:
    """A user's sound file (WAV, FLAC, OGG...) as float32 mono samples at ``sample_rate``.

    Channels are averaged; the file is resampled when its rate differs.  Raises
    :class:`AudioError` naming the file when it is missing or cannot be decoded.
    """
    import numpy as np
    import soundfile

    shown = display_path(Path(path))
    if not os.path.isfile(path):
        reason = "it is a folder" if os.path.isdir(path) else "no such file"
        raise AudioError(f"cannot read sound file {shown!r}: {reason}")
    try:
        data, rate = soundfile.read(os.fspath(path), dtype="float32", always_2d=True)
    except (
        RuntimeError,
        OSError,
        ValueError,
    ) as exc:  # soundfile.LibsndfileError is a RuntimeError
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise AudioError(f"cannot read sound file {shown!r}: {reason}") from None
    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    return resample(np.ascontiguousarray(mono, dtype=np.float32), int(rate), sample_rate)


def resample(
    samples: npt.NDArray[np.float32], rate: int, sample_rate: int
) -> npt.NDArray[np.float32]:
    """``samples`` at ``rate`` converted to ``sample_rate`` with soxr (high quality)."""
    import numpy as np
    import soxr

    if rate == sample_rate or samples.size == 0:
        return samples
    resampled = soxr.resample(samples, rate, sample_rate, quality="HQ")
    return np.ascontiguousarray(resampled, dtype=np.float32)
