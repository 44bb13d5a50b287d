"""Speech clips as the renderer needs them, made from an engine's recordings.

A speech engine returns its own recording at its own rate (see
:class:`voiceguide.ports.Recording`); making the clip that is mixed is a render step:
:func:`finish` resamples it to the session's rate and trims its silence. numpy,
soundfile and soxr are imported inside the functions, so importing this is light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.errors import AudioError, one_line, quote
from voiceguide.ports import Recording

if TYPE_CHECKING:
    from voiceguide.ports import Samples

TRIM_PAD_SECONDS = 0.03
"""Silence kept before the first and after the last audible sample of an utterance."""

EDGE_FADE_SECONDS = 0.005
"""Raised-cosine fade at both ends of a trimmed utterance, so it starts and ends at 0."""

SILENCE_DB = -50.0
"""Samples quieter than this, relative to the utterance's peak, count as silence."""


def read_recording(path: Path, text: str) -> Recording:
    """Decode what the engine wrote for ``text`` (a WAV file read as the clip cache
    reads its own; any other format soundfile reads: macOS writes AIFF), as mono float
    samples at the rate it was written at; ``file`` is ``path``."""
    import numpy as np

    from voiceguide.speech.clipfile import Damaged, decode

    try:
        data = path.read_bytes() if path.is_file() else b""
    except OSError as exc:
        raise AudioError(
            f"cannot read the speech engine's audio for {quote(text)}: {one_line(exc)}"
        ) from None
    if not data:
        raise AudioError(f"the speech engine wrote no audio for {quote(text)}")
    try:
        mono, rate = decode(data)
    except Damaged:
        mono, rate = _read_other(path, text)
    if mono.size == 0:
        raise AudioError(f"the speech engine wrote no audio for {quote(text)}")
    return Recording(np.ascontiguousarray(mono, dtype=np.float32), int(rate), path)


def _read_other(path: Path, text: str) -> tuple[Samples, int]:
    """A recording in a format other than WAV, by soundfile."""
    import numpy as np
    import soundfile

    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, ValueError) as exc:
        raise AudioError(
            f"cannot decode the speech engine's audio for {quote(text)}: {one_line(exc)}"
        ) from None
    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    return mono, int(rate)


def finish(recording: Recording, sample_rate: int) -> Samples:
    """The clip mixed for a recording: resampled to ``sample_rate`` and trimmed to
    :data:`TRIM_PAD_SECONDS` of silence at each end. (The clip cache keeps recordings,
    which are four times smaller than clips and serve every sample rate.)"""
    from voiceguide.audio.tones import resample

    samples = resample(recording.samples, recording.sample_rate, sample_rate)
    return trim_silence(samples, sample_rate)


def trim_silence(samples: Samples, sample_rate: int, pad: float = TRIM_PAD_SECONDS) -> Samples:
    """``samples`` with leading and trailing silence cut to ``pad`` seconds, ends faded to 0.

    Silence is anything :data:`SILENCE_DB` below the peak.  All-silent input becomes
    ``2 * pad`` seconds of silence.
    """
    import numpy as np

    keep = round(pad * sample_rate)
    magnitude = np.abs(samples)
    peak = float(magnitude.max()) if samples.size else 0.0
    if peak == 0.0:
        return np.zeros(min(2 * keep, samples.size), dtype=np.float32)
    loud = magnitude > peak * 10 ** (SILENCE_DB / 20)
    start = max(int(loud.argmax()) - keep, 0)  # the first loud sample, less the pad
    end = min(samples.size - int(loud[::-1].argmax()) + keep, samples.size)
    trimmed = np.array(samples[start:end], dtype=np.float32)
    fade = min(round(EDGE_FADE_SECONDS * sample_rate), trimmed.size // 2)
    if fade > 0:
        ramp = (0.5 * (1.0 - np.cos(np.pi * np.arange(fade) / fade))).astype(np.float32)
        trimmed[:fade] *= ramp
        trimmed[-fade:] *= ramp[::-1]
    return trimmed
