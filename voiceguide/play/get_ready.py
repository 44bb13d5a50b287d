"""What plays on resume, before the guide goes on: "get ready" and a ticked countdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from voiceguide.audio.render import Renderer
    from voiceguide.audio.store import ClipStore
    from voiceguide.ports import Samples


def get_ready_audio(renderer: Renderer, clips: ClipStore, phrase: str, count: int = 3) -> Samples:
    """What plays on resume: the "get ready" phrase, then a ticked countdown."""
    from voiceguide.audio.loudness import db_to_gain
    from voiceguide.audio.render import TONE_GAIN_DB

    rate = renderer.settings.sample_rate
    parts: list[tuple[float, Samples]] = []
    start = 0.2
    if phrase:
        parts.append((start, clips.clip(phrase)))
        start += len(parts[0][1]) / rate + 0.4
    tick = clips.sound_clip("tick") * np.float32(db_to_gain(TONE_GAIN_DB))
    for number in range(count, 0, -1):
        parts.append((start, tick))
        parts.append((start, clips.clip(str(number))))
        start += 1.0
    length = round(start * rate)
    out = np.zeros(length, dtype=np.float32)
    for at, samples in parts:
        first = round(at * rate)
        piece = samples[: max(length - first, 0)]
        out[first : first + len(piece)] += piece
    out *= np.float32(renderer.gain)
    np.clip(out, -0.98, 0.98, out=out)
    if renderer.settings.channels == 2:
        return np.repeat(out[:, None], 2, axis=1)
    return out
