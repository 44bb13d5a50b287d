"""The loudness pass: the one gain that brings a guide to its spoken-word loudness target,
making up for what the true-peak limiter takes (BS.1770 integrated loudness).

Measured on the renderer's raw mix, only where something sounds; the result is a
:class:`Level`, which the renderer is then given (:meth:`Renderer.at_level`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from voiceguide.audio.halves import can_fork, shared
from voiceguide.audio.loudness import (
    LIMITER_MARGIN_DB,
    LoudnessMeter,
    db_to_gain,
    gated_loudness,
    indices_near,
    k_weighting_response,
    limiter_gain,
    peak_hold,
)
from voiceguide.model.script import Speech

if TYPE_CHECKING:
    from voiceguide.audio.render import Renderer
    from voiceguide.ports import Progress

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
SHARED_SECONDS = 20.0
"""A pass over more sound than this is shared with a forked copy of the process
(:mod:`voiceguide.audio.halves`): a fork costs 4-7 ms, the pass about 2 ms a second."""
PEAK_FRAMES = 1024
"""The loudness pass notes the peak of every this many frames, to find where the
limiter will act."""


@dataclass(frozen=True)
class Level:
    """The guide's gain, and how far (LU) it stays under the loudness target when making
    up for the limiter would take more than :data:`LIMITER_MAKEUP_DB`."""

    gain: float = 1.0
    shortfall: float = 0.0


def measure_level(renderer: Renderer, progress: Progress | None = None) -> Level:
    """Measure the guide's loudness: the gain that meets the target.

    Only what sounds is measured: the K-weighting is a finite filter, so outside the
    stretches where something plays (each with the filter's ringing after it) the
    weighted signal is exactly zero, and so is the energy of those 100 ms hops.
    The first pass measures the raw mix. Where the limiter will then act (found to
    the nearest 1024 frames) it takes some loudness away: each hop there keeps the
    share of its energy that the limiter leaves, and the gain makes up the loss; as
    the higher gain limits a little more, this is repeated until it settles.
    Each pass over a long guide is shared with a forked copy of the process
    (:func:`~voiceguide.audio.halves.shared`): the same result in about half the time.
    """
    target = renderer.settings.loudness
    if target is None:
        return Level()
    rate, hop = renderer.settings.sample_rate, renderer.hop
    taps = k_weighting_response(rate).size
    energy = np.zeros((-(-renderer.total_frames // hop), 1))
    peaks = np.zeros(-(-renderer.total_frames // PEAK_FRAMES), dtype=np.float32)
    spans = _merged(((p.start, p.end + taps) for p in renderer.placed), hop, renderer.total_frames)

    sounding = sum(map(_length, spans))
    done = 0

    def measure(span: tuple[int, int], here: bool) -> _Raw:
        nonlocal done
        measured = _measure_raw(renderer, *span)
        if progress and here:  # (with a copy at work, this process's share)
            done += _length(span)
            progress(done, sounding)
        return measured

    fork = sounding >= SHARED_SECONDS * rate
    if fork and can_fork():
        renderer.clips.write_out()  # for the copy to read back what it pushes out
    measured = shared(measure, spans, fork=fork, cost=_length)
    for (first, _), (fresh, found) in zip(spans, measured, strict=True):
        energy[first // hop : first // hop + len(fresh)] = fresh
        chunk = first // PEAK_FRAMES
        np.maximum(peaks[chunk : chunk + len(found)], found, out=peaks[chunk : chunk + len(found)])
    if progress:
        progress(sounding, sounding)
    loudness = gated_loudness(energy * renderer.settings.channels, renderer.total_frames, rate)
    if not math.isfinite(loudness):
        return Level()
    gain = db_to_gain(target - loudness)
    ceiling = db_to_gain(renderer.settings.true_peak - LIMITER_MARGIN_DB)
    if (peaks * gain > ceiling).any():
        return _make_up(renderer, target - loudness, energy, peaks, ceiling)
    return Level(gain)


def _make_up(
    renderer: Renderer,
    start: float,
    energy: npt.NDArray[np.float64],
    peaks: npt.NDArray[np.float32],
    ceiling: float,
) -> Level:
    """The gain (in dB, from ``start``) at which the limited guide meets the target.

    Each round estimates the limited loudness at two gains in one pass (the mix and
    its peaks are shared); the secant through the two points nearest the target,
    which brackets it or lies close by, gives the gain. Loudness grows by less than
    a dB per dB of gain once the limiter acts, and smoothly: between points a dB
    apart the secant is within a few thousandths of a LU. At most
    :data:`LIMITER_MAKEUP_DB` is made up; past that the guide stays under the target
    (see :attr:`Level.shortfall`) rather than be squashed flat.
    """
    target = renderer.settings.loudness
    assert target is not None
    cap = start + LIMITER_MAKEUP_DB
    points: dict[float, float] = {}
    trying = [start, start + LIMITER_STEP_DB]
    best = start
    for _ in range(LIMITER_ROUNDS):
        trying = sorted({min(x, cap) for x in trying} - points.keys())
        if trying:
            gains = [db_to_gain(x) for x in trying]
            levels = _limited_loudness(renderer, energy, peaks, gains, ceiling)
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
    shortfall = max(target - points[cap], 0.0) if best == cap and cap in points else 0.0
    return Level(db_to_gain(best), shortfall)


def _limited_loudness(
    renderer: Renderer,
    energy: npt.NDArray[np.float64],
    peaks: npt.NDArray[np.float32],
    gains: list[float],
    ceiling: float,
) -> list[float]:
    """The loudness of the limited guide at each of ``gains``, estimated from the
    raw mix's K-weighted hop energies: where the limiter acts (found from the peaks
    of every :data:`PEAK_FRAMES` frames), each hop keeps the share of its energy
    that the limiter leaves."""
    rate, hop = renderer.settings.sample_rate, renderer.hop
    step = MEASURE_FRAMES // hop * hop
    shares = np.ones((len(gains), len(energy)))
    limited = np.flatnonzero(peaks * max(gains) > ceiling) * PEAK_FRAMES
    reach = renderer.context + PEAK_FRAMES
    spans = _merged(
        ((int(a) - renderer.context, int(a) + reach) for a in limited), hop, renderer.total_frames
    )
    chunks = [(a, min(a + step, last)) for first, last in spans for a in range(first, last, step)]

    def share_out(chunk: tuple[int, int], _: bool) -> npt.NDArray[np.float64]:
        return _limiter_shares(renderer, *chunk, gains, ceiling)

    fork = sum(map(_length, chunks)) >= SHARED_SECONDS * rate
    kept = shared(share_out, chunks, fork=fork, cost=_length)
    for (a, _), share in zip(chunks, kept, strict=True):
        shares[:, a // hop : a // hop + share.shape[1]] = share
    channels = renderer.settings.channels
    return [
        gated_loudness(
            energy * (gain * gain * channels) * share[:, None], renderer.total_frames, rate
        )
        for gain, share in zip(gains, shares, strict=True)
    ]


def _limiter_shares(
    renderer: Renderer, first: int, last: int, gains: list[float], ceiling: float
) -> npt.NDArray[np.float64]:
    """For each of ``gains`` and each hop in [first, last): the share of the hop's
    energy the limiter keeps at that gain.

    Applied to the hop's K-weighted energy this estimates the limited signal's, with
    no filtering: the limiter takes broadband energy from the loudest moments, which
    carry most of a hop's energy anyway (on the built-in routines the estimate is
    within 0.01 LU of measuring the limited guide again). The gain curve at each
    gain is the one :meth:`blocks` applies (the peak hold does not depend on it)."""
    hop, pad = renderer.hop, renderer.context
    lo, hi = max(first - pad, 0), min(last + pad, renderer.total_frames)
    raw = renderer.mix(lo, hi)
    hops = -(-(last - first) // hop)
    shares = np.ones((len(gains), hops))
    magnitude = np.abs(raw)
    over = np.flatnonzero(magnitude > ceiling / max(gains))
    if not len(over):
        return shares
    around = indices_near(over, pad, len(raw))
    held = peak_hold(magnitude[around], renderer.width)
    position = around + (lo - first)
    inside = (position >= 0) & (position < last - first)
    held, where = held[inside], position[inside] // hop
    squares = np.square(raw[around][inside], dtype=np.float64)
    window = np.zeros(hops * hop)
    window[: last - first] = raw[first - lo : last - lo]
    total = np.square(window).reshape(hops, hop).sum(axis=1)
    for row, gain in enumerate(gains):
        curve = limiter_gain(held * gain, ceiling, renderer.width)
        lost = np.bincount(where, weights=squares * (1.0 - curve * curve), minlength=hops)
        np.divide(total - lost, total, out=shares[row], where=total > 0)
    return shares


_Raw = tuple[npt.NDArray[np.float64], npt.NDArray[np.float32]]
"""A span's K-weighted hop energies and its peaks (see :func:`_measure_raw`)."""


def _length(span: tuple[int, int]) -> int:
    return span[1] - span[0]


def _measure_raw(renderer: Renderer, first: int, last: int) -> _Raw:
    """The K-weighted energy of the hops in frames [first, last) (``first`` on a hop)
    of the raw mix, fed in chunks so memory stays flat (from silence, the filter
    starts at rest), and its peak in every :data:`PEAK_FRAMES` frames from the one
    ``first`` falls in."""
    meter = LoudnessMeter(renderer.settings.sample_rate, 1)
    magnitudes = [np.zeros(first % PEAK_FRAMES, dtype=np.float32)]
    for chunk in range(first, last, MEASURE_FRAMES):
        signal = renderer.mix(chunk, min(chunk + MEASURE_FRAMES, last))
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


LEVEL_FORMAT = 1
"""Bumped whenever the loudness pass changes, so levels measured before are not reused."""


class LevelCache:
    """The measured level of each guide, so a second export or play skips the loudness
    pass; one small JSON file per guide, beside the clip cache."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(renderer: Renderer, voice_key: str) -> str:
        """What decides a guide's level: the voice, the settings and every event."""
        settings = renderer.settings
        events = [
            [e.time, e.duration, e.text if isinstance(e, Speech) else e.sound]
            for e in renderer.script.events
        ]
        material = [
            LEVEL_FORMAT,
            voice_key,
            settings.sample_rate,
            settings.channels,
            settings.loudness,
            settings.true_peak,
            renderer.script.duration,
            events,
        ]
        return hashlib.sha256(json.dumps(material).encode("utf-8")).hexdigest()

    def get(self, key: str) -> Level | None:
        """The level measured before, or None."""
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return Level(float(data["gain"]), float(data.get("shortfall", 0.0)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, level: Level) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{os.getpid()}.tmp"
            data = {"gain": level.gain, "shortfall": level.shortfall}
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, self.folder / f"{key}.json")
        except OSError:
            pass  # a cache that cannot be written only costs time
