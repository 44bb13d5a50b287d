"""Render a script into one sample timeline: speech clips and cue sounds, mixed.

The timeline is produced block by block on a fixed grid of :data:`BLOCK_FRAMES` frames
counted from the start of the session, so memory stays flat however long the session is
and every sample has the same value whoever asks for it: the exporter writing a file, or
the player starting in the middle.

Level: the whole guide gets one gain that brings its integrated loudness (BS.1770) to a
spoken-word target, measured in a first pass; a look-ahead limiter then keeps every peak
under the true-peak ceiling. The limiter is a local function of the samples around each
one, so it gives the same result block by block as on the whole signal.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from voiceguide.audio.level import Level
from voiceguide.audio.loudness import (
    HOP_SECONDS,
    LIMITER_MARGIN_DB,
    LIMITER_WIDTH_SECONDS,
    db_to_gain,
    indices_near,
    limiter_gain,
    peak_hold,
)
from voiceguide.audio.settings import RenderSettings
from voiceguide.model.script import Script, Speech

if TYPE_CHECKING:
    from voiceguide.audio.store import ClipStore
    from voiceguide.ports import Samples

BLOCK_FRAMES = 32768
TONE_GAIN_DB = -4.0
"""Cue sounds sit a little under the speech."""
FADE_SECONDS = 0.03
"""Fade applied where speech is cut at a stage's end."""


@dataclass(frozen=True)
class _Placed:
    """An event on the sample grid: speech (fetched by text when mixed) or fixed samples."""

    start: int
    length: int
    text: str | None = None
    samples: Samples | None = None

    @property
    def end(self) -> int:
        return self.start + self.length


class Renderer:
    """Blocks of float32 frames for a compiled script (shape: frames × channels)."""

    def __init__(
        self,
        script: Script,
        clips: ClipStore,
        settings: RenderSettings,
    ) -> None:
        self.script = script
        self.settings = settings
        rate = settings.sample_rate
        self.total_frames = round(script.duration * rate)
        tone_gain = db_to_gain(TONE_GAIN_DB)
        tones: dict[str, Samples] = {}
        placed: list[_Placed] = []
        room = self.total_frames
        for event in script.events:
            start = round(event.time * rate)
            if start >= room:
                continue
            if isinstance(event, Speech):
                length = min(clips.length(event.text), room - start)
                if event.truncated:
                    cut = min(round(event.duration * rate), length)
                    samples = _faded(clips.clip(event.text)[:cut], rate)
                    placed.append(_Placed(start, len(samples), samples=samples))
                elif length:
                    placed.append(_Placed(start, length, text=event.text))
            else:
                if event.sound not in tones:
                    scaled = clips.sound_clip(event.sound) * np.float32(tone_gain)
                    tones[event.sound] = scaled.astype(np.float32)
                samples = tones[event.sound][: room - start]
                placed.append(_Placed(start, len(samples), samples=samples))
        placed.sort(key=lambda p: p.start)
        self.placed = placed
        self.starts = [p.start for p in placed]
        self.longest = max((p.length for p in placed), default=0)
        self.clips = clips
        self.width = max(int(rate * LIMITER_WIDTH_SECONDS), 1)
        self.context = 2 * self.width + 2
        self.hop = round(rate * HOP_SECONDS)
        """Frames in one 100 ms hop of the loudness measurement."""
        self.level = Level()
        """The gain the loudness pass found (see :meth:`at_level`; 1 until then)."""

    @property
    def sounds(self) -> list[tuple[int, int]]:
        """Where each speech clip and cue sound plays: (first frame, frame after its end),
        in order; the timeline is silence everywhere else."""
        return [(item.start, item.end) for item in self.placed]

    # -- mixing

    def mix(self, first: int, last: int) -> Samples:
        """The raw mono mix of frames [first, last), before gain and limiting."""
        out = np.zeros(max(last - first, 0), dtype=np.float32)
        for item in self._playing(first, last):
            a, b = max(first, item.start), min(last, item.end)
            samples = item.samples if item.samples is not None else self.clips.clip(item.text or "")
            out[a - first : b - first] += samples[a - item.start : b - item.start]
        return out

    def _playing(self, first: int, last: int) -> Iterator[_Placed]:
        """The sounds that play in frames [first, last)."""
        low = bisect.bisect_left(self.starts, first - self.longest)
        high = bisect.bisect_left(self.starts, last)
        return (item for item in self.placed[low:high] if item.end > first)

    def _limited(self, first: int, last: int) -> Samples:
        """Frames [first, last) with the gain and the limiter applied."""
        pad = self.context
        lo, hi = max(first - pad, 0), min(last + pad, self.total_frames)
        if next(self._playing(lo, hi), None) is None:  # most of a guide: nothing to mix
            return np.zeros(max(last - first, 0), dtype=np.float32)
        raw = self.mix(lo, hi) * np.float32(self.gain)
        ceiling = db_to_gain(self.settings.true_peak - LIMITER_MARGIN_DB)
        magnitude = np.abs(raw)
        over = np.flatnonzero(magnitude > ceiling)
        if len(over):
            around = indices_near(over, pad, len(raw))
            held = peak_hold(magnitude[around], self.width)
            raw[around] *= limiter_gain(held, ceiling, self.width).astype(np.float32)
        return raw[first - lo : first - lo + (last - first)]

    def blocks(
        self, start_frame: int = 0, end_frame: int | None = None, size: int = BLOCK_FRAMES
    ) -> Iterator[Samples]:
        """Frames from ``start_frame`` to the end, in blocks on the fixed grid of ``size``
        frames. The samples do not depend on the grid, nor on where they start."""
        end = self.total_frames if end_frame is None else min(end_frame, self.total_frames)
        position = max(start_frame, 0)
        while position < end:
            boundary = min((position // size + 1) * size, end)
            mono = self._limited(position, boundary)
            if self.settings.channels == 2:
                yield np.repeat(mono[:, None], 2, axis=1)
            else:
                yield mono[:, None]
            position = boundary

    def at_level(self, level: Level) -> Renderer:
        """This guide at ``level`` (the gain of the loudness pass; see
        :func:`voiceguide.audio.level.measure_level`)."""
        leveled = copy.copy(self)
        leveled.level = level
        return leveled

    @property
    def gain(self) -> float:
        return self.level.gain


def _faded(samples: Samples, rate: int) -> Samples:
    fade = min(len(samples), int(rate * FADE_SECONDS))
    if not fade:
        return samples
    out = samples.copy()
    out[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out


__all__ = ["BLOCK_FRAMES", "TONE_GAIN_DB", "Renderer"]
