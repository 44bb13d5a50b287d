"""Loudness and peak measurement, checked against pyloudnorm (the reference)."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.loudness import LoudnessMeter, running_min, smooth_gain, true_peak


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
    assert meter.integrated() == pytest.approx(expected, abs=0.001)


def test_stereo_loudness_equals_pyloudnorm() -> None:
    """Two channels are summed as BS.1770 says."""
    left = speech_like(44_100, 5.0, seed=1)
    stereo = np.stack([left, 0.5 * left], axis=1)
    meter = LoudnessMeter(44_100, 2)
    meter.add(stereo)
    expected = pyloudnorm.Meter(44_100).integrated_loudness(stereo)
    assert meter.integrated() == pytest.approx(expected, abs=0.001)


def test_silence_and_short_signals_have_no_loudness() -> None:
    """Silence, and anything under one 400 ms block, measures -inf."""
    meter = LoudnessMeter(44_100, 1)
    meter.add(np.zeros((44_100, 1)))
    assert meter.integrated() == -np.inf
    short = LoudnessMeter(44_100, 1)
    short.add(np.ones((1000, 1)) * 0.5)
    assert short.integrated() == -np.inf


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
