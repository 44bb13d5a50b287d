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
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from voiceguide.compiler import DEFAULT_RATE, compile_routine
from voiceguide.errors import AudioError
from voiceguide.loudness import (
    HOP_SECONDS,
    LoudnessMeter,
    db_to_gain,
    gated_loudness,
    k_weighting_response,
    smooth_gain,
)
from voiceguide.routine import Routine
from voiceguide.script import Script, Speech
from voiceguide.speech import Synthesizer
from voiceguide.tones import SOUNDS, load_sound_file, synthesize

Samples = npt.NDArray[np.float32]

BLOCK_FRAMES = 32768
MEASURE_FRAMES = 65_536
"""Frames measured at a time in the loudness pass (its FFT buffers scale with it)."""
LIMITER_ROUNDS = 4
"""At most this many rounds of making up for what the limiter takes."""
LIMITER_SETTLED_DB = 0.02
"""The rounds stop once a round changes the gain by less than this."""
PEAK_FRAMES = 1024
"""The loudness pass notes the peak of every this many frames, to find where the
limiter will act."""
DEFAULT_SAMPLE_RATE = 44_100
DEFAULT_LOUDNESS = -16.0
DEFAULT_TRUE_PEAK = -1.0
TONE_GAIN_DB = -4.0
"""Cue sounds sit a little under the speech."""
FADE_SECONDS = 0.03
"""Fade applied where speech is cut at a stage's end."""
LIMITER_WIDTH_SECONDS = 0.004
LIMITER_MARGIN_DB = 0.5
"""Headroom under the ceiling for peaks between samples."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderSettings:
    sample_rate: int = DEFAULT_SAMPLE_RATE
    channels: int = 1
    loudness: float | None = DEFAULT_LOUDNESS
    true_peak: float = DEFAULT_TRUE_PEAK

    def __post_init__(self) -> None:
        if self.channels not in (1, 2):
            raise ValueError("channels must be 1 (mono) or 2 (stereo)")
        if not 8000 <= self.sample_rate <= 192_000 or self.sample_rate % 10:
            raise ValueError(
                f"sample rate {self.sample_rate} is not supported; use a rate such as 44100 or 48000"
            )


CLIP_MEMORY_BYTES = 24 << 20
"""Speech kept in memory while rendering; the rest waits in the clip cache on disk."""


@dataclass
class ClipOracle:
    """A duration oracle backed by real audio: each text is synthesized once and measured.

    The clips themselves are kept in a small in-memory LRU (:data:`CLIP_MEMORY_BYTES`);
    one that was pushed out is fetched again from the synthesizer, which is a read from
    the clip cache on disk, so memory stays flat however much is said.
    """

    synthesizer: Synthesizer
    sample_rate: int
    progress: Progress | None = None
    frames: dict[str, int] = field(default_factory=dict)
    sounds: dict[str, Samples] = field(default_factory=dict)
    _recent: OrderedDict[str, Samples] = field(default_factory=OrderedDict)
    _bytes: int = 0

    def clip(self, text: str) -> Samples:
        clip = self._recent.get(text)
        if clip is not None:
            self._recent.move_to_end(text)
            return clip
        synthesized = self.synthesizer.synthesize(text)
        if synthesized.sample_rate != self.sample_rate:
            raise AudioError(
                f"the synthesizer gave {synthesized.sample_rate} Hz, not {self.sample_rate} Hz"
            )
        clip = np.asarray(synthesized.samples, dtype=np.float32)
        self.frames[text] = len(clip)
        self._recent[text] = clip
        self._bytes += clip.nbytes
        while self._bytes > CLIP_MEMORY_BYTES and len(self._recent) > 1:
            _, evicted = self._recent.popitem(last=False)
            self._bytes -= evicted.nbytes
        return clip

    def length(self, text: str) -> int:
        """Frames of the clip for ``text``."""
        if text not in self.frames:
            self.clip(text)
        return self.frames[text]

    def sound_clip(self, sound: str) -> Samples:
        clip = self.sounds.get(sound)
        if clip is None:
            if sound in SOUNDS:
                clip = synthesize(sound, self.sample_rate)
            else:
                clip = load_sound_file(sound, self.sample_rate)
            self.sounds[sound] = clip
        return clip

    def prepare(self, texts: list[str]) -> None:
        """Synthesize ``texts`` up front, reporting progress (done, total)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self.frames]
        for number, text in enumerate(todo, start=1):
            self.clip(text)
            if self.progress:
                self.progress(number, len(todo))


class _OracleView:
    """Adapts :class:`ClipOracle` to the compiler's ``speech``/``sound`` protocol."""

    def __init__(self, clips: ClipOracle) -> None:
        self.clips = clips

    def speech(self, text: str) -> float:
        return self.clips.length(text) / self.clips.sample_rate

    def sound(self, sound: str) -> float:
        return len(self.clips.sound_clip(sound)) / self.clips.sample_rate


def spoken_texts(routine: Routine) -> list[str]:
    """Everything the routine says, from a quick estimated compile (the words do not
    depend on timing)."""
    return [s.text for s in compile_routine(routine).speech()]


def compile_measured(routine: Routine, clips: ClipOracle, prepared: bool = False) -> Script:
    """Compile with the real lengths of the synthesized clips: every text is synthesized
    first (unless the caller has ``prepared`` them), then laid out with measured lengths."""
    if not prepared:
        clips.prepare(spoken_texts(routine))
    return compile_routine(routine, _OracleView(clips))


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

    def __init__(self, script: Script, clips: ClipOracle, settings: RenderSettings) -> None:
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
        self.gain = 1.0

    # -- mixing

    def mix(self, first: int, last: int) -> Samples:
        """The raw mono mix of frames [first, last), before gain and limiting."""
        out = np.zeros(max(last - first, 0), dtype=np.float32)
        low = bisect.bisect_left(self.starts, first - self.longest)
        high = bisect.bisect_left(self.starts, last)
        for item in self.placed[low:high]:
            if item.end <= first:
                continue
            a, b = max(first, item.start), min(last, item.end)
            samples = item.samples if item.samples is not None else self.clips.clip(item.text or "")
            out[a - first : b - first] += samples[a - item.start : b - item.start]
        return out

    def _limited(self, first: int, last: int) -> Samples:
        """Frames [first, last) with the gain and the limiter applied."""
        return self._limiting(first, last)[1]

    def _limiting(self, first: int, last: int) -> tuple[Samples, Samples]:
        """Frames [first, last) with the gain applied: before and after the limiter."""
        pad = self.context
        lo, hi = max(first - pad, 0), min(last + pad, self.total_frames)
        raw = self.mix(lo, hi) * np.float32(self.gain)
        before = raw[first - lo : first - lo + (last - first)].copy()
        ceiling = db_to_gain(self.settings.true_peak - LIMITER_MARGIN_DB)
        magnitude = np.abs(raw)
        over = np.flatnonzero(magnitude > ceiling)
        # The gain curve is 1 farther than ``pad`` from any sample over the ceiling, so
        # it is worked out only around those, one cluster at a time: the same curve.
        if len(over):
            breaks = np.flatnonzero(np.diff(over) > 2 * pad)
            starts, ends = over[np.r_[0, breaks + 1]], over[np.r_[breaks, len(over) - 1]]
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                a, b = max(start - pad, 0), min(end + pad + 1, len(raw))
                needed = np.minimum(1.0, ceiling / np.maximum(magnitude[a:b], 1e-12))
                raw[a:b] *= smooth_gain(needed, self.width).astype(np.float32)
        return before, raw[first - lo : first - lo + (last - first)]

    def blocks(self, start_frame: int = 0, end_frame: int | None = None) -> Iterator[Samples]:
        """Frames from ``start_frame`` to the end, in blocks on the fixed grid."""
        end = self.total_frames if end_frame is None else min(end_frame, self.total_frames)
        position = max(start_frame, 0)
        while position < end:
            boundary = min((position // BLOCK_FRAMES + 1) * BLOCK_FRAMES, end)
            mono = self._limited(position, boundary)
            if self.settings.channels == 2:
                yield np.repeat(mono[:, None], 2, axis=1)
            else:
                yield mono[:, None]
            position = boundary

    # -- level

    def normalize(self, progress: Progress | None = None) -> None:
        """Measure the guide's loudness and set the gain that meets the target.

        Only what sounds is measured: the K-weighting is a finite filter, so outside the
        stretches where something plays (each with the filter's ringing after it) the
        weighted signal is exactly zero, and so is the energy of those 100 ms hops.
        The first pass measures the raw mix. Where the limiter will then act (found to
        the nearest 1024 frames) it takes some loudness away: each hop there keeps the
        share of its energy that the limiter leaves, and the gain makes up the loss; as
        the higher gain limits a little more, this is repeated until it settles.
        """
        target = self.settings.loudness
        if target is None:
            self.gain = 1.0
            return
        rate = self.settings.sample_rate
        hop = round(rate * HOP_SECONDS)
        taps = k_weighting_response(rate).size
        energy = np.zeros((-(-self.total_frames // hop), 1))
        peaks = np.zeros(-(-self.total_frames // PEAK_FRAMES), dtype=np.float32)
        spans = _merged(((p.start, p.end + taps) for p in self.placed), hop, self.total_frames)
        for first, last in spans:
            fresh, found = self._measure_raw(first, last)
            energy[first // hop : first // hop + len(fresh)] = fresh
            chunk = first // PEAK_FRAMES
            np.maximum(
                peaks[chunk : chunk + len(found)], found, out=peaks[chunk : chunk + len(found)]
            )
            if progress:
                progress(last, self.total_frames)
        loudness = gated_loudness(energy * self.settings.channels, self.total_frames, rate)
        if not math.isfinite(loudness):
            self.gain = 1.0
            return
        self.gain = db_to_gain(target - loudness)
        ceiling = db_to_gain(self.settings.true_peak - LIMITER_MARGIN_DB)
        raw_energy = energy
        reach = self.context + PEAK_FRAMES
        for _ in range(LIMITER_ROUNDS):  # a louder gain limits more: a few rounds settle it
            limited = np.flatnonzero(peaks * self.gain > ceiling) * PEAK_FRAMES
            if not len(limited):
                return
            energy = raw_energy * self.gain**2
            spans = _merged(
                ((int(a) - self.context, int(a) + reach) for a in limited), hop, self.total_frames
            )
            for first, last in spans:
                ratio = self._limiter_share(first, last)
                energy[first // hop : first // hop + len(ratio), 0] *= ratio
            loudness = gated_loudness(energy * self.settings.channels, self.total_frames, rate)
            self.gain *= db_to_gain(target - loudness)
            if abs(target - loudness) < LIMITER_SETTLED_DB:
                return

    def _limiter_share(self, first: int, last: int) -> npt.NDArray[np.float64]:
        """For each hop in [first, last): the share of its energy the limiter keeps.

        Applied to the hop's K-weighted energy this estimates the limited signal's, with
        no filtering: the limiter takes broadband energy from the loudest moments, which
        carry most of a hop's energy anyway (on the built-in routines the estimate is
        within 0.01 LU of measuring the limited guide again)."""
        hop = round(self.settings.sample_rate * HOP_SECONDS)
        shares = []
        for chunk in range(first, last, MEASURE_FRAMES // hop * hop):
            before, after = self._limiting(chunk, min(chunk + MEASURE_FRAMES // hop * hop, last))
            hops = -(-len(before) // hop)
            raw = np.zeros(hops * hop)
            raw[: len(before)] = before
            kept = np.zeros(hops * hop)
            kept[: len(after)] = after
            raw_energy = np.square(raw).reshape(hops, hop).sum(axis=1)
            kept_energy = np.square(kept).reshape(hops, hop).sum(axis=1)
            shares.append(
                np.divide(kept_energy, raw_energy, out=np.ones(hops), where=raw_energy > 0)
            )
        return np.concatenate(shares)

    def _measure_raw(
        self, first: int, last: int
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float32]]:
        """The K-weighted energy of the hops in frames [first, last) (``first`` on a hop)
        of the raw mix, fed in chunks so memory stays flat (from silence, the filter
        starts at rest), and its peak in every :data:`PEAK_FRAMES` frames from the one
        ``first`` falls in."""
        meter = LoudnessMeter(self.settings.sample_rate, 1)
        magnitudes = [np.zeros(first % PEAK_FRAMES, dtype=np.float32)]
        for chunk in range(first, last, MEASURE_FRAMES):
            signal = self.mix(chunk, min(chunk + MEASURE_FRAMES, last))
            magnitudes.append(np.abs(signal))
            meter.add(signal[:, None])
        magnitude = np.concatenate(magnitudes)
        magnitude.resize(-(-len(magnitude) // PEAK_FRAMES) * PEAK_FRAMES, refcheck=False)
        return meter.hop_energies(), magnitude.reshape(-1, PEAK_FRAMES).max(axis=1)


def _merged(spans: Iterable[tuple[int, int]], hop: int, total: int) -> list[tuple[int, int]]:
    """Spans widened to whole hops, within [0, total), sorted, overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        first = max(first, 0) // hop * hop
        last = min(-(-last // hop) * hop, total)
        if first >= last:
            continue
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _faded(samples: Samples, rate: int) -> Samples:
    fade = min(len(samples), int(rate * FADE_SECONDS))
    if not fade:
        return samples
    out = samples.copy()
    out[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out


__all__ = [
    "BLOCK_FRAMES",
    "DEFAULT_RATE",
    "ClipOracle",
    "RenderSettings",
    "Renderer",
    "compile_measured",
]
