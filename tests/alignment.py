"""A live recording lined up with the exported guide, window by window.

Every sound of the exact timeline (each sentence and each cue) is cut from the export
in windows of up to 250 ms; each window is looked for in the recording near where it
belongs (within a few seconds, so a sentence said twice in the guide is not found at
its other place). A window found, matching well, is heard; its lag against the usual
lag of the recording says whether it came on time. A window not found is looked for in
halves, down to :data:`SMALLEST`: a window a stall cut in two is heard when both sides
of the cut are (the stall's silence between them), and only sound missing from the
recording is lost. The live tests and bench/timing
both read their verdicts from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tests.pulse import RATE, find_offset

WINDOW = RATE // 4
SEARCH = 4 * RATE
"""How far from where it belongs a window is looked for (a stall is made up within it)."""
HEARD_SCORE = 0.98
"""A window matching at least this well (normalized correlation) is in the recording."""
SMALLEST = RATE // 32
"""The shortest piece a window not found whole is split into (31 ms)."""
SOUNDING = 0.02
"""A window of the export whose peak is under this is silence, and not looked for."""

Audio = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Window:
    """One window of the export: where it is in the guide, in what, and how it was
    found in the recording (``lag``: samples late against the recording's usual lag)."""

    time: float
    kind: str
    """"speech" or "tone"."""
    lag: int
    score: float

    @property
    def heard(self) -> bool:
        return self.score >= HEARD_SCORE


def best_match(piece: Audio, recording: Audio, around: int) -> tuple[int, float]:
    """Where ``piece`` best matches the recording within ±:data:`SEARCH` of ``around``
    (normalized cross-correlation by FFT): (lag from ``around``, score). Of several
    places that match well, the one nearest ``around``."""
    first = max(around - SEARCH, 0)
    stretch = recording[first : around + SEARCH + len(piece)].astype(np.float64)
    places = len(stretch) - len(piece) + 1
    if places <= 0:
        return 0, 0.0
    probe = piece.astype(np.float64)
    size = 1 << (len(stretch) + len(probe)).bit_length()
    raw = np.fft.irfft(np.fft.rfft(stretch, size) * np.conj(np.fft.rfft(probe, size)), size)
    squares = np.concatenate(([0.0], np.cumsum(stretch * stretch)))
    energy = squares[len(probe) :] - squares[:places]
    scores = raw[:places] / np.sqrt(np.maximum(energy, 1e-12) * float(np.dot(probe, probe)))
    best = int(np.argmax(scores))
    if scores[best] >= HEARD_SCORE:  # of the places that match well (a phrase said
        good = np.flatnonzero(scores >= HEARD_SCORE)  # twice in 4 s), the nearest peak
        runs = np.split(good, np.flatnonzero(np.diff(good) > 1) + 1)
        peaks = [int(run[np.argmax(scores[run])]) for run in runs]
        best = min(peaks, key=lambda place: abs(first + place - around))
    return first + best - around, float(scores[best])


def line_up(reference: Audio, recording: Audio, timeline: dict[str, Any]) -> list[Window]:
    """Every sounding window of every sound in the export, found in the recording; lags
    are against the lag most windows share."""
    offset = find_offset(reference, recording)
    found: list[tuple[float, str, int, float]] = []

    def look_for(start: int, end: int, kind: str) -> None:
        piece = reference[start:end]
        if np.abs(piece).max() < SOUNDING:
            return
        lag, score = best_match(piece, recording, offset + start)
        if score < HEARD_SCORE and end - start >= 2 * SMALLEST:
            middle = (start + end) // 2
            look_for(start, middle, kind)
            look_for(middle, end, kind)
            return
        found.append((start / RATE, kind, lag, score))

    for event in timeline["events"]:
        first = round(event["time"] * RATE)
        last = min(round((event["time"] + event["duration"]) * RATE), len(reference))
        for start in range(first, last, WINDOW):
            if min(start + WINDOW, last) - start >= RATE // 20:
                look_for(start, min(start + WINDOW, last), str(event["kind"]))
    usual = int(np.median([lag for _, _, lag, score in found if score >= HEARD_SCORE]))
    return [Window(time, kind, lag - usual, score) for time, kind, lag, score in found]


def lost_speech(windows: list[Window]) -> list[Window]:
    """The windows of speech the recording does not have: words lost."""
    return [w for w in windows if w.kind == "speech" and not w.heard]


def describe(windows: list[Window]) -> str:
    """The windows, one per line, for an assertion's message."""
    return "\n".join(
        f"{w.time:8.2f} s {w.kind:6} lag {w.lag / RATE * 1000:+8.2f} ms score {w.score:.3f}"
        for w in windows
    )
