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

from voiceguide.audio.loudness import (
    HOP_SECONDS,
    LoudnessMeter,
    db_to_gain,
    gated_loudness,
    k_weighting_response,
    limiter_gain,
    peak_hold,
)
from voiceguide.audio.tones import load_sound_file, synthesize
from voiceguide.compiler import DEFAULT_RATE, compile_routine, spoken_texts
from voiceguide.errors import AudioError
from voiceguide.model.routine import Routine
from voiceguide.model.script import Script, Speech
from voiceguide.model.sounds import SOUNDS
from voiceguide.speech.engine import DEFAULT_SAMPLE_RATE, Clip, Synthesizer

Samples = npt.NDArray[np.float32]

BLOCK_FRAMES = 32768
MEASURE_FRAMES = 65_536
"""Frames measured at a time in the loudness pass (its FFT buffers scale with it)."""
LIMITER_ROUNDS = 4
"""At most this many rounds of making up for what the limiter takes."""
LIMITER_STEP_DB = 1.0
"""Each round tries two gains this far apart."""
LIMITER_REACH_DB = 0.5
"""A gain found this close to a point tried is taken without another round."""
LIMITER_MIN_SLOPE = 0.1
"""The least loudness a dB of gain is assumed to add, however hard the limiter works."""
LIMITER_MAKEUP_DB = 6.0
"""At most this much gain makes up for what the limiter takes."""
PEAK_FRAMES = 1024
"""The loudness pass notes the peak of every this many frames, to find where the
limiter will act."""
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


CLIP_MEMORY_BYTES = 32 << 20
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
        return self.keep(text, self.synthesizer.synthesize(text))

    def keep(self, text: str, synthesized: Clip) -> Samples:
        """Take ``text``'s clip, made elsewhere (by this oracle's synthesizer or as it
        would make it), into memory."""
        if synthesized.sample_rate != self.sample_rate:
            raise AudioError(
                f"the synthesizer gave {synthesized.sample_rate} Hz, not {self.sample_rate} Hz"
            )
        clip = np.asarray(synthesized.samples, dtype=np.float32)
        self.frames[text] = len(clip)
        replaced = self._recent.pop(text, None)
        if replaced is not None:
            self._bytes -= replaced.nbytes
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
        self.hop = round(rate * HOP_SECONDS)
        """Frames in one 100 ms hop of the loudness measurement."""
        self.gain = 1.0
        self.shortfall = 0.0
        """How far (LU) the normalized guide stays under the loudness target, when making
        up for the limiter would take more than :data:`LIMITER_MAKEUP_DB`."""

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
            around = _around(over, pad, len(raw))
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
        rate, hop = self.settings.sample_rate, self.hop
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
        if (peaks * self.gain > ceiling).any():
            self._make_up(target - loudness, energy, peaks, ceiling)

    def _make_up(
        self,
        start: float,
        energy: npt.NDArray[np.float64],
        peaks: npt.NDArray[np.float32],
        ceiling: float,
    ) -> None:
        """Find the gain (in dB, from ``start``) at which the limited guide meets the
        target, and set it.

        Each round estimates the limited loudness at two gains in one pass (the mix and
        its peaks are shared); the secant through the two points nearest the target,
        which brackets it or lies close by, gives the gain. Loudness grows by less than
        a dB per dB of gain once the limiter acts, and smoothly: between points a dB
        apart the secant is within a few thousandths of a LU. At most
        :data:`LIMITER_MAKEUP_DB` is made up; past that the guide stays under the target
        (see :attr:`shortfall`) rather than be squashed flat.
        """
        target = self.settings.loudness
        assert target is not None
        cap = start + LIMITER_MAKEUP_DB
        points: dict[float, float] = {}
        trying = [start, start + LIMITER_STEP_DB]
        best = start
        for _ in range(LIMITER_ROUNDS):
            trying = sorted({min(x, cap) for x in trying} - points.keys())
            if trying:
                gains = [db_to_gain(x) for x in trying]
                levels = self._limited_loudness(energy, peaks, gains, ceiling)
                points.update(zip(trying, levels, strict=True))
            under = sorted(x for x, level in points.items() if level <= target)
            over = sorted(x for x, level in points.items() if level > target)
            pair = [under[-1], over[0]] if under and over else (under[-2:] or over[:2])
            near = min(pair, key=lambda x: abs(target - points[x]))
            slope = 1.0
            if len(pair) == 2:
                slope = (points[pair[1]] - points[pair[0]]) / (pair[1] - pair[0])
                slope = min(max(slope, LIMITER_MIN_SLOPE), 1.0)
            best = min(near + (target - points[near]) / slope, cap)
            bracketed = bool(under and over) and pair[1] - pair[0] <= LIMITER_STEP_DB
            if bracketed or abs(best - near) <= LIMITER_REACH_DB or cap in points:
                break
            trying = [best, best + LIMITER_STEP_DB]
        self.gain = db_to_gain(best)
        if best == cap and cap in points:
            self.shortfall = max(target - points[cap], 0.0)

    def _limited_loudness(
        self,
        energy: npt.NDArray[np.float64],
        peaks: npt.NDArray[np.float32],
        gains: list[float],
        ceiling: float,
    ) -> list[float]:
        """The loudness of the limited guide at each of ``gains``, estimated from the
        raw mix's K-weighted hop energies: where the limiter acts (found from the peaks
        of every :data:`PEAK_FRAMES` frames), each hop keeps the share of its energy
        that the limiter leaves."""
        rate, hop = self.settings.sample_rate, self.hop
        step = MEASURE_FRAMES // hop * hop
        shares = np.ones((len(gains), len(energy)))
        limited = np.flatnonzero(peaks * max(gains) > ceiling) * PEAK_FRAMES
        reach = self.context + PEAK_FRAMES
        spans = _merged(
            ((int(a) - self.context, int(a) + reach) for a in limited), hop, self.total_frames
        )
        for first, last in spans:
            for chunk in range(first, last, step):
                kept = self._limiter_shares(chunk, min(chunk + step, last), gains, ceiling)
                shares[:, chunk // hop : chunk // hop + kept.shape[1]] = kept
        channels = self.settings.channels
        return [
            gated_loudness(
                energy * (gain * gain * channels) * share[:, None], self.total_frames, rate
            )
            for gain, share in zip(gains, shares, strict=True)
        ]

    def _limiter_shares(
        self, first: int, last: int, gains: list[float], ceiling: float
    ) -> npt.NDArray[np.float64]:
        """For each of ``gains`` and each hop in [first, last): the share of the hop's
        energy the limiter keeps at that gain.

        Applied to the hop's K-weighted energy this estimates the limited signal's, with
        no filtering: the limiter takes broadband energy from the loudest moments, which
        carry most of a hop's energy anyway (on the built-in routines the estimate is
        within 0.01 LU of measuring the limited guide again). The gain curve at each
        gain is the one :meth:`blocks` applies (the peak hold does not depend on it)."""
        hop, pad = self.hop, self.context
        lo, hi = max(first - pad, 0), min(last + pad, self.total_frames)
        raw = self.mix(lo, hi)
        hops = -(-(last - first) // hop)
        shares = np.ones((len(gains), hops))
        magnitude = np.abs(raw)
        over = np.flatnonzero(magnitude > ceiling / max(gains))
        if not len(over):
            return shares
        around = _around(over, pad, len(raw))
        held = peak_hold(magnitude[around], self.width)
        position = around + (lo - first)
        inside = (position >= 0) & (position < last - first)
        held, where = held[inside], position[inside] // hop
        squares = np.square(raw[around][inside], dtype=np.float64)
        window = np.zeros(hops * hop)
        window[: last - first] = raw[first - lo : last - lo]
        total = np.square(window).reshape(hops, hop).sum(axis=1)
        for row, gain in enumerate(gains):
            curve = limiter_gain(held * gain, ceiling, self.width)
            lost = np.bincount(where, weights=squares * (1.0 - curve * curve), minlength=hops)
            np.divide(total - lost, total, out=shares[row], where=total > 0)
        return shares

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


def _around(over: npt.NDArray[np.intp], pad: int, size: int) -> npt.NDArray[np.intp]:
    """The indices within ``pad`` of any index in ``over`` (sorted), in order, each once.

    The limiter's gain curve is 1 farther than ``pad`` from any sample over the ceiling,
    so it is worked out only there. Each stretch kept starts and ends with ``pad``
    samples that need no limiting, which keeps the curve of one stretch from reaching
    into the next: working them all out in one array gives the curve each would give.
    """
    breaks = np.flatnonzero(np.diff(over) > 2 * pad)
    starts = np.maximum(over[np.r_[0, breaks + 1]] - pad, 0)
    ends = np.minimum(over[np.r_[breaks, len(over) - 1]] + pad + 1, size)
    lengths = ends - starts
    # arange over all stretches at once: each stretch's indices, counted from its start
    steps = np.ones(int(lengths.sum()), dtype=np.intp)
    steps[0] = starts[0]
    heads = np.cumsum(lengths)[:-1]
    steps[heads] = starts[1:] - ends[:-1] + 1
    return np.cumsum(steps)


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
