"""Loudness (ITU-R BS.1770-4) and peak control for the rendered guide.

- :class:`LoudnessMeter` measures integrated loudness block by block, so a two-hour guide
  never has to be held in memory; on a whole signal it agrees with pyloudnorm.
- :func:`true_peak` estimates the true peak by 4x oversampling.
- :func:`limit` is a look-ahead peak limiter for a clip: gain only comes down around the
  peaks, smoothly, and the result's true peak stays under the ceiling.

numpy is imported here; scipy (slow to import) only by the functions that need it.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
BLOCK_SECONDS = 0.4
HOP_SECONDS = 0.1  # 75 % overlap of the 400 ms gating blocks

# The K-weighting of BS.1770-4: a high shelf and a high pass, with the constants
# pyloudnorm's Meter uses, so the two measurements agree.
_SHELF = {"G": 4.0, "Q": 1 / math.sqrt(2), "fc": 1500.0}
_HIGH_PASS = {"G": 0.0, "Q": 0.5, "fc": 38.0}


def _k_weighting(rate: int) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    from pyloudnorm.iirfilter import IIRfilter

    shelf = IIRfilter(_SHELF["G"], _SHELF["Q"], _SHELF["fc"], rate, "high_shelf")
    high_pass = IIRfilter(_HIGH_PASS["G"], _HIGH_PASS["Q"], _HIGH_PASS["fc"], rate, "high_pass")
    return [(np.asarray(f.b), np.asarray(f.a)) for f in (shelf, high_pass)]


class LoudnessMeter:
    """Integrated loudness of a signal fed in blocks of shape (frames, channels)."""

    def __init__(self, rate: int, channels: int) -> None:
        if round(rate * HOP_SECONDS) != rate * HOP_SECONDS:
            raise ValueError(f"sample rate {rate} is not a multiple of 10 Hz")
        self.rate = rate
        self.channels = channels
        self.hop = int(rate * HOP_SECONDS)
        self.filters = _k_weighting(rate)
        self.states = [np.zeros((max(len(a), len(b)) - 1, channels)) for b, a in self.filters]
        self.energies: list[npt.NDArray[np.float64]] = []  # sum of squares per hop, per channel
        self.partial = np.zeros(channels)
        self.partial_frames = 0
        self.frames = 0

    def add(self, block: npt.NDArray[np.floating]) -> None:
        from scipy import signal

        data = np.asarray(block, dtype=np.float64).reshape(len(block), self.channels)
        for number, (b, a) in enumerate(self.filters):
            data, self.states[number] = signal.lfilter(b, a, data, axis=0, zi=self.states[number])
        self.frames += len(data)
        squares = data * data
        start = 0
        if self.partial_frames:
            take = min(self.hop - self.partial_frames, len(squares))
            self.partial += squares[:take].sum(axis=0)
            self.partial_frames += take
            start = take
            if self.partial_frames == self.hop:
                self.energies.append(self.partial.copy())
                self.partial[:] = 0
                self.partial_frames = 0
        whole = (len(squares) - start) // self.hop
        if whole:
            chunk = squares[start : start + whole * self.hop].reshape(
                whole, self.hop, self.channels
            )
            self.energies.extend(chunk.sum(axis=1))
            start += whole * self.hop
        rest = squares[start:]
        if len(rest):
            self.partial += rest.sum(axis=0)
            self.partial_frames += len(rest)

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS (``-inf`` for silence or under 400 ms)."""
        seconds = self.frames / self.rate
        if seconds < BLOCK_SECONDS:
            return -math.inf
        hops = list(self.energies)
        if self.partial_frames:
            hops.append(self.partial.copy())
        energy = np.array(hops)  # (hops, channels)
        count = round((seconds - BLOCK_SECONDS) / (BLOCK_SECONDS * 0.25)) + 1
        padded = np.vstack([energy, np.zeros((count + 3, self.channels))])
        window = (
            padded[0:count] + padded[1 : count + 1] + padded[2 : count + 2] + padded[3 : count + 3]
        )
        z = window / (BLOCK_SECONDS * self.rate)  # mean square per block and channel
        power = z.sum(axis=1)
        with np.errstate(divide="ignore"):
            block_loudness = -0.691 + 10 * np.log10(power)
        above = block_loudness > ABSOLUTE_GATE
        if not above.any():
            return -math.inf
        relative = -0.691 + 10 * math.log10(power[above].mean()) + RELATIVE_GATE
        gated = above & (block_loudness > relative)
        if not gated.any():
            return -math.inf
        return float(-0.691 + 10 * math.log10(power[gated].mean()))


def true_peak(samples: npt.NDArray[np.floating]) -> float:
    """The true peak (linear) of a clip, estimated by 4x oversampling."""
    from scipy import signal

    data = np.asarray(samples, dtype=np.float64)
    if data.size == 0:
        return 0.0
    upsampled = signal.resample_poly(data, 4, 1, axis=0)
    return float(max(np.abs(upsampled).max(), np.abs(data).max()))


def running_min(values: npt.NDArray[np.float64], window: int) -> npt.NDArray[np.float64]:
    """``out[i] = min(values[i : i + window])`` in linear time (van Herk / Gil-Werman)."""
    count = len(values) - window + 1
    if count <= 0:
        return np.empty(0)
    rows = -(-len(values) // window)
    padded = np.full(rows * window, np.inf)
    padded[: len(values)] = values
    blocks = padded.reshape(rows, window)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[:count], prefix[window - 1 : window - 1 + count])


def smooth_gain(needed: npt.NDArray[np.floating], width: int) -> npt.NDArray[np.float64]:
    """The limiter's gain curve from the gain each sample needs: the minimum over
    ±``width`` samples, then a moving average over ``width + 1``.  Every sample's gain is
    at most what it needs, since each average covers only minima that include it."""
    padded = np.pad(np.asarray(needed, dtype=np.float64), width, mode="edge")
    spread = running_min(padded, 2 * width + 1)
    half = width // 2
    edged = np.pad(spread, (half, width - half), mode="edge")
    sums = np.concatenate(([0.0], np.cumsum(edged)))
    return (sums[width + 1 :] - sums[: -width - 1]) / (width + 1)


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def gain_to_db(gain: float) -> float:
    return 20 * math.log10(gain) if gain > 0 else -math.inf


def limit(samples: Samples, rate: int, ceiling_db: float, lookahead: float = 0.005) -> Samples:
    """Bring every peak of a mono clip under ``ceiling_db`` (true peak) smoothly.

    The gain needed at each sample is spread over ``lookahead`` seconds before and after
    the peak (a minimum filter, then a moving average, which never undoes the reduction
    at the peak itself), so there is no distortion from hard clipping.
    """
    ceiling = db_to_gain(ceiling_db)
    result = np.asarray(samples, dtype=np.float32)
    width = max(int(rate * lookahead), 1)
    for margin_db in (0.3, 0.6, 1.0, 2.0):
        if true_peak(result) <= ceiling:
            return result
        target = ceiling * db_to_gain(-margin_db)
        magnitude = np.maximum(np.abs(result), 1e-12)
        needed = np.minimum(1.0, target / magnitude)
        result = (result * smooth_gain(needed, width)).astype(np.float32)
    peak = true_peak(result)
    if peak > ceiling:  # pathological input: scale the whole clip
        result = (result * (ceiling / peak)).astype(np.float32)
    return result
