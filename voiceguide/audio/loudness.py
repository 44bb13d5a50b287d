"""Loudness (ITU-R BS.1770-4) and peak control for the rendered guide.

- :class:`LoudnessMeter` measures integrated loudness block by block, so a two-hour guide
  never has to be held in memory; on a whole signal it agrees with pyloudnorm.
- :func:`true_peak` estimates the true peak by 4x oversampling.
- :func:`limiter_gain` is the look-ahead limiter's gain curve: gain only comes down
  around the peaks, smoothly, never above what each sample needs.

Only numpy is needed: the guide's loudness is measured as it is rendered.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
BLOCK_SECONDS = 0.4
HOP_SECONDS = 0.1  # 75 % overlap of the 400 ms gating blocks

# The K-weighting of BS.1770-4: a high shelf and a high pass, with the constants
# pyloudnorm's Meter uses, so the two measurements agree.
_SHELF = {"G": 4.0, "Q": 1 / math.sqrt(2), "fc": 1500.0}
_HIGH_PASS = {"Q": 0.5, "fc": 38.0}
FILTER_FFT_FRAMES = 16_384
"""The FFT size the K-weighting filters long blocks with (measured fastest per frame)."""
LIMITER_WIDTH_SECONDS = 0.004
"""The look-ahead limiter acts over this much around each peak."""
LIMITER_MARGIN_DB = 0.5
"""Headroom under the ceiling for peaks between samples."""
_TAIL = 1e-9
"""The impulse response is cut where it has decayed below this (relative to its peak)."""


def _biquads(rate: int) -> list[tuple[list[float], list[float]]]:
    """(b, a) of the two K-weighting sections (the RBJ cookbook forms pyloudnorm uses)."""
    gain = 10 ** (_SHELF["G"] / 40)
    w0 = 2 * math.pi * _SHELF["fc"] / rate
    alpha = math.sin(w0) / (2 * _SHELF["Q"])
    root, cos = math.sqrt(gain), math.cos(w0)
    shelf = (
        [
            gain * ((gain + 1) + (gain - 1) * cos + 2 * root * alpha),
            -2 * gain * ((gain - 1) + (gain + 1) * cos),
            gain * ((gain + 1) + (gain - 1) * cos - 2 * root * alpha),
        ],
        [
            (gain + 1) - (gain - 1) * cos + 2 * root * alpha,
            2 * ((gain - 1) - (gain + 1) * cos),
            (gain + 1) - (gain - 1) * cos - 2 * root * alpha,
        ],
    )
    w0 = 2 * math.pi * _HIGH_PASS["fc"] / rate
    alpha = math.sin(w0) / (2 * _HIGH_PASS["Q"])
    cos = math.cos(w0)
    high_pass = (
        [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2],
        [1 + alpha, -2 * cos, 1 - alpha],
    )
    return [shelf, high_pass]


@functools.cache
def k_weighting_response(rate: int) -> npt.NDArray[np.float64]:
    """The impulse response of the K-weighting filter, cut where it has died away.

    Filtering with it (by FFT) gives what the recursive filter gives, to within about
    ``_TAIL``, without scipy: scipy.signal takes a second and 70 MB just to import.
    """
    length = 1 << 12
    while True:
        signal = [0.0] * length
        signal[0] = 1.0
        for b, a in _biquads(rate):
            b0, b1, b2 = (value / a[0] for value in b)
            a1, a2 = a[1] / a[0], a[2] / a[0]
            x1 = x2 = y1 = y2 = 0.0
            for n, x in enumerate(signal):
                y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
                x2, x1, y2, y1 = x1, x, y1, y
                signal[n] = y
        response = np.array(signal)
        tail = np.abs(response[length // 2 :]).max()
        if tail < _TAIL * np.abs(response).max() or length >= 1 << 18:
            last = int(np.nonzero(np.abs(response) >= _TAIL * np.abs(response).max())[0][-1])
            result = response[: last + 1]
            result.flags.writeable = False  # shared by every meter at this rate
            return result
        length *= 2


@functools.lru_cache(maxsize=16)
def _response_spectrum(rate: int, size: int) -> npt.NDArray[np.complex128]:
    return np.fft.rfft(k_weighting_response(rate), size)


@functools.lru_cache(maxsize=64)
def _fast_size(length: int) -> int:
    """The smallest FFT size of at least ``length`` with no prime factor over 5 (pocketfft
    is about a fifth slower on a size such as 17 x 4096)."""
    best = 1 << max(length - 1, 0).bit_length()
    fives = 1
    while fives < best:
        threes = fives
        while threes < best:
            size = threes
            while size < length:
                size *= 2
            best = min(best, size)
            threes *= 3
        fives *= 5
    return best


class LoudnessMeter:
    """Integrated loudness of a signal fed in blocks of shape (frames, channels)."""

    def __init__(self, rate: int, channels: int) -> None:
        if round(rate * HOP_SECONDS) != rate * HOP_SECONDS:
            raise ValueError(f"sample rate {rate} is not a multiple of 10 Hz")
        self.rate = rate
        self.channels = channels
        self.hop = int(rate * HOP_SECONDS)
        self.response = k_weighting_response(rate)
        self.carry = np.zeros((len(self.response) - 1, channels))
        self.energies: list[npt.NDArray[np.float64]] = []  # sum of squares per hop, per channel
        self.partial = np.zeros(channels)
        self.partial_frames = 0
        self.frames = 0

    def _filter(self, data: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """K-weight a block, carrying the filter's ringing into the next (overlap-add).

        A long block is filtered in pieces of one FFT size (all in one call), since
        transforms that fit the processor's cache are faster per frame."""
        taps = len(self.response)
        size = FILTER_FFT_FRAMES if len(data) + taps - 1 > FILTER_FFT_FRAMES else 0
        piece = size - taps + 1
        if piece < taps:  # a short block, or a filter too long to split for
            size = _fast_size(len(data) + taps - 1)
            piece = len(data)
        count = -(-len(data) // piece)
        spectrum = _response_spectrum(self.rate, size)
        pieces = np.zeros((count, piece, self.channels))
        pieces.reshape(count * piece, self.channels)[: len(data)] = data
        rows = np.fft.irfft(
            np.fft.rfft(pieces, size, axis=1) * spectrum[None, :, None], size, axis=1
        )
        full = np.zeros((count * piece + taps - 1, self.channels))
        full[: count * piece].reshape(count, piece, self.channels)[:] = rows[:, :piece]
        tails = rows[:, piece : piece + taps - 1]  # each piece's ringing, into the next
        for row in range(count):
            start = (row + 1) * piece
            full[start : start + taps - 1] += tails[row]
        full = full[: len(data) + taps - 1]
        full[: taps - 1] += self.carry
        self.carry = full[len(data) :].copy()  # always taps - 1 frames
        return full[: len(data)]

    def add(self, block: npt.NDArray[np.floating]) -> None:
        data = np.asarray(block, dtype=np.float64).reshape(len(block), self.channels)
        if not len(data):
            return
        if not data.any() and not self.carry.any():
            data = np.zeros_like(data)  # silence in, silence out: no filtering needed
        else:
            data = self._filter(data)
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

    def hop_energies(self) -> npt.NDArray[np.float64]:
        """Sum of squares of the K-weighted signal per 100 ms hop: (hops, channels)."""
        hops = list(self.energies)
        if self.partial_frames:
            hops.append(self.partial.copy())
        return np.array(hops).reshape(len(hops), self.channels)


def gated_loudness(energy: npt.NDArray[np.float64], frames: int, rate: int) -> float:
    """BS.1770-4 integrated loudness from the K-weighted energy of each 100 ms hop."""
    seconds = frames / rate
    if seconds < BLOCK_SECONDS:
        return -math.inf
    channels = energy.shape[1]
    count = round((seconds - BLOCK_SECONDS) / (BLOCK_SECONDS * 0.25)) + 1
    padded = np.vstack([energy, np.zeros((count + 3, channels))])
    window = padded[0:count] + padded[1 : count + 1] + padded[2 : count + 2] + padded[3 : count + 3]
    z = window / (BLOCK_SECONDS * rate)  # mean square per block and channel
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
    """The true peak (linear) of a mono signal, estimated by 4x oversampling (FFT)."""
    data = np.asarray(samples, dtype=np.float64).ravel()
    if data.size == 0:
        return 0.0
    spectrum = np.fft.rfft(data)
    upsampled = np.fft.irfft(spectrum, 4 * len(data)) * 4
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


def peak_hold(values: npt.NDArray[np.floating], width: int) -> npt.NDArray[np.float64]:
    """``out[i] = max(values[i - width : i + width + 1])``, the ends held (edge values)."""
    padded = np.pad(np.asarray(values, dtype=np.float64), width, mode="edge")
    return -running_min(-padded, 2 * width + 1)


def moving_average(values: npt.NDArray[np.floating], width: int) -> npt.NDArray[np.float64]:
    """The mean over ``width + 1`` samples around each (``width // 2`` before it), the
    ends held: the smoothing of the limiter's gain curve."""
    half = width // 2
    edged = np.pad(np.asarray(values, dtype=np.float64), (half, width - half), mode="edge")
    sums = np.concatenate(([0.0], np.cumsum(edged)))
    return (sums[width + 1 :] - sums[: -width - 1]) / (width + 1)


def limiter_gain(
    held: npt.NDArray[np.floating], ceiling: float, width: int
) -> npt.NDArray[np.float64]:
    """The limiter's gain curve from ``held``, the :func:`peak_hold` of the signal's
    magnitude over ``width``: the gain each sample needs (``min(1, ceiling / |x|)``),
    its minimum over ±``width`` samples, then a moving average over ``width + 1``. Every
    sample's gain is at most what it needs, since each average covers only minima that
    include it."""
    spread = np.minimum(1.0, ceiling / np.maximum(held, 1e-12))
    return moving_average(spread, width)


def indices_near(over: npt.NDArray[np.intp], pad: int, size: int) -> npt.NDArray[np.intp]:
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


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))
