"""Loudness and peak measurement, checked against pyloudnorm (the reference)."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.audio_oracles import integrated, smooth_gain
from voiceguide.audio.loudness import (
    FILTER_FFT_FRAMES,
    LoudnessMeter,
    limiter_gain,
    peak_hold,
    running_min,
    true_peak,
)


def speech_like(rate: int, seconds: float, seed: int) -> np.ndarray:
    """Bursts of band-limited noise with pauses, like speech with gaps."""
    rng = np.random.default_rng(seed)
    frames = int(rate * seconds)
    noise = rng.normal(0, 0.1, frames)
    envelope = (np.sin(np.arange(frames) * 2 * np.pi * 0.7 / rate) > -0.2).astype(float)
    result: np.ndarray = noise * envelope * np.linspace(0.3, 1.0, frames)
    return result


@pytest.mark.parametrize("rate", [16_000, 22_050, 44_100, 48_000])
@pytest.mark.parametrize("block", [999, 8192, 65_536])
def test_streaming_loudness_equals_pyloudnorm(rate: int, block: int) -> None:
    """Fed in blocks of any size, the meter gives pyloudnorm's integrated loudness."""
    signal = speech_like(rate, 7.3, seed=rate)
    meter = LoudnessMeter(rate, 1)
    for start in range(0, len(signal), block):
        meter.add(signal[start : start + block, None])
    expected = pyloudnorm.Meter(rate).integrated_loudness(signal)
    assert integrated(meter) == pytest.approx(expected, abs=0.001)


@pytest.mark.parametrize("rate", [8_000, 44_100, 96_000])
def test_long_blocks_filtered_in_pieces_weigh_each_hop_the_same(rate: int) -> None:
    """A block longer than one FFT is filtered in pieces; every hop's K-weighted energy
    is what feeding the signal in short blocks gives."""
    signal = speech_like(rate, 3 * FILTER_FFT_FRAMES / rate + 0.77, seed=3)
    whole, short = LoudnessMeter(rate, 1), LoudnessMeter(rate, 1)
    whole.add(signal[:, None])
    for start in range(0, len(signal), 1000):
        short.add(signal[start : start + 1000, None])
    assert whole.frames == short.frames == len(signal)
    expected = short.hop_energies()
    np.testing.assert_allclose(
        whole.hop_energies(), expected, rtol=1e-9, atol=1e-12 * expected.max()
    )


def test_stereo_loudness_equals_pyloudnorm() -> None:
    """Two channels are summed as BS.1770 says."""
    left = speech_like(44_100, 5.0, seed=1)
    stereo = np.stack([left, 0.5 * left], axis=1)
    meter = LoudnessMeter(44_100, 2)
    meter.add(stereo)
    expected = pyloudnorm.Meter(44_100).integrated_loudness(stereo)
    assert integrated(meter) == pytest.approx(expected, abs=0.001)


def test_silence_and_short_signals_have_no_loudness() -> None:
    """Silence, and anything under one 400 ms block, measures -inf."""
    meter = LoudnessMeter(44_100, 1)
    meter.add(np.zeros((44_100, 1)))
    assert integrated(meter) == -np.inf
    short = LoudnessMeter(44_100, 1)
    short.add(np.ones((1000, 1)) * 0.5)
    assert integrated(short) == -np.inf


def test_true_peak_finds_the_peak_between_samples() -> None:
    """A sine at a quarter of the rate sampled 45° off its peaks: samples reach 0.707,
    the true peak is 1."""
    n = np.arange(4096)
    signal = np.sin(2 * np.pi * n / 4 + np.pi / 4)
    assert np.abs(signal).max() == pytest.approx(0.7071, abs=1e-3)
    assert true_peak(signal) == pytest.approx(1.0, abs=0.01)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=300),
    window=st.integers(1, 40),
)
def test_running_min_is_the_sliding_minimum(values: list[float], window: int) -> None:
    """The linear-time running minimum equals the naive one."""
    data = np.array(values)
    if window > len(data):
        assert len(running_min(data, window)) == 0
        return
    expected = np.lib.stride_tricks.sliding_window_view(data, window).min(axis=1)
    assert np.array_equal(running_min(data, window), expected)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(0.01, 1.0), min_size=1, max_size=300),
    width=st.integers(1, 30),
)
def test_limiter_gain_never_exceeds_what_a_sample_needs(values: list[float], width: int) -> None:
    """The smoothed gain is at most the gain each sample needs, so no peak gets through."""
    needed = np.array(values)
    gain = smooth_gain(needed, width)
    assert gain.shape == needed.shape
    assert np.all(gain <= needed + 1e-12)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=300),
    width=st.integers(1, 30),
)
def test_peak_hold_is_the_sliding_maximum(values: list[float], width: int) -> None:
    """Each sample's hold is the largest value within ``width`` of it."""
    data = np.array(values)
    expected = [data[max(i - width, 0) : i + width + 1].max() for i in range(len(data))]
    assert np.array_equal(peak_hold(data, width), expected)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 2.0), min_size=1, max_size=300),
    width=st.integers(1, 30),
    ceiling=st.floats(0.1, 1.0),
)
def test_limiter_gain_from_the_held_peaks_is_the_smoothed_needed_gain(
    values: list[float], width: int, ceiling: float
) -> None:
    """Working from the held peaks gives the curve smooth_gain gives from the gain each
    sample needs."""
    magnitude = np.array(values)
    needed = np.minimum(1.0, ceiling / np.maximum(magnitude, 1e-12))
    np.testing.assert_allclose(
        limiter_gain(peak_hold(magnitude, width), ceiling, width),
        smooth_gain(needed, width),
        rtol=1e-12,
    )
