"""The renderer: one sample timeline from a script, the same whoever asks for it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.audio_oracles import gain_to_db, integrated, smooth_gain
from voiceguide.audio.level import LIMITER_MAKEUP_DB, measure_level
from voiceguide.audio.loudness import LIMITER_MARGIN_DB, LoudnessMeter, db_to_gain, true_peak
from voiceguide.audio.render import (
    BLOCK_FRAMES,
    Renderer,
)
from voiceguide.audio.settings import RenderSettings
from voiceguide.audio.store import ClipStore
from voiceguide.audio.tones import synthesize
from voiceguide.compiler import compile_routine
from voiceguide.load import load_routine
from voiceguide.testing import FakeSynthesizer

SHORT = Path(__file__).parent / "data" / "short.yaml"
RATE = 16_000


def renderer_for(path: Path | str = SHORT, **settings: object) -> tuple[Renderer, FakeSynthesizer]:
    fake = FakeSynthesizer(sample_rate=RATE)
    clips = ClipStore(fake, RATE)
    script = compile_routine(load_routine(path), clips)
    return Renderer(script, clips, RenderSettings(sample_rate=RATE, **settings)), fake  # type: ignore[arg-type]


def whole(renderer: Renderer, start: int = 0) -> np.ndarray:
    return np.concatenate(list(renderer.blocks(start)))


def test_measured_compile_uses_the_clip_lengths() -> None:
    """Play and export lay speech out with the real clip lengths, synthesizing each text once."""
    renderer, fake = renderer_for()
    for speech in renderer.script.speech():
        assert speech.duration == pytest.approx(fake.duration(speech.text), abs=0.001)
    assert len(fake.spoken) == len(set(fake.spoken))


def test_length_is_the_script_duration() -> None:
    """The timeline has exactly round(duration × rate) frames."""
    renderer, _ = renderer_for()
    audio = whole(renderer)
    assert audio.shape == (round(renderer.script.duration * RATE), 1)
    assert audio.dtype == np.float32


def test_any_start_gives_the_same_samples() -> None:
    """Starting in the middle (as the player does) gives the very samples of a full render."""
    renderer, _ = renderer_for()
    renderer = renderer.at_level(measure_level(renderer))
    full = whole(renderer)
    for start in (1, BLOCK_FRAMES - 1, BLOCK_FRAMES, 123_457):
        assert np.array_equal(whole(renderer, start), full[start:])


def test_blocks_follow_the_fixed_grid() -> None:
    """Blocks end on multiples of their size (BLOCK_FRAMES unless asked otherwise), and
    the samples are the same whatever the size, so a player and an exporter agree."""
    renderer, _ = renderer_for(loudness=-10.0, true_peak=-3.0)  # the limiter at work too
    renderer = renderer.at_level(measure_level(renderer))
    sizes = [len(b) for b in renderer.blocks(100)]
    assert sizes[0] == BLOCK_FRAMES - 100
    assert set(sizes[1:-1]) == {BLOCK_FRAMES}
    large = list(renderer.blocks(100, size=4 * BLOCK_FRAMES))
    assert len(large[0]) == 4 * BLOCK_FRAMES - 100
    assert set(map(len, large[1:-1])) == {4 * BLOCK_FRAMES}
    assert np.array_equal(np.concatenate(large), whole(renderer, 100))


def test_tones_are_at_their_sample() -> None:
    """Each cue sound starts at round(time × rate), recognisable by correlation."""
    renderer, _ = renderer_for(loudness=None)
    audio = whole(renderer)[:, 0]
    for tone in renderer.script.tones():
        reference = synthesize(tone.sound, RATE)
        at = round(tone.time * RATE)
        lo = max(at - 200, 0)
        window = audio[lo : at + 200 + len(reference)]
        correlation = np.correlate(window, reference, mode="valid")
        assert lo + int(np.argmax(correlation)) == at, tone


def test_stereo_has_two_equal_channels() -> None:
    """--stereo gives two identical channels."""
    renderer, _ = renderer_for(channels=2)
    audio = whole(renderer)
    assert audio.shape[1] == 2
    assert np.array_equal(audio[:, 0], audio[:, 1])


def test_normalize_reaches_the_target_without_clipping() -> None:
    """The guide is brought to the loudness target, with the true peak under the ceiling."""
    renderer, _ = renderer_for(loudness=-20.0, true_peak=-1.0)
    renderer = renderer.at_level(measure_level(renderer))
    audio = whole(renderer)
    meter = LoudnessMeter(RATE, 1)
    meter.add(audio)
    assert integrated(meter) == pytest.approx(-20.0, abs=0.5)
    assert gain_to_db(true_peak(audio[:, 0])) <= -1.0 + 0.05
    assert np.abs(audio).max() < 1.0


def test_limiter_acts_only_around_peaks() -> None:
    """A loud target forces the limiter: peaks stay under the ceiling, and samples more
    than 10 ms from any peak are left exactly as they were."""
    from scipy import ndimage

    renderer, _ = renderer_for(loudness=-6.0, true_peak=-3.0)
    renderer = renderer.at_level(measure_level(renderer))
    audio = whole(renderer)[:, 0]
    assert gain_to_db(float(np.abs(audio).max())) <= -3.0
    raw = renderer.mix(0, renderer.total_frames) * np.float32(renderer.gain)
    over = np.abs(raw) > 10 ** (-3.5 / 20)
    assert over.any()  # the limiter really had work to do
    near = ndimage.binary_dilation(over, iterations=RATE // 100)
    assert np.allclose(audio[~near], raw[~near], rtol=1e-6, atol=0)


def test_the_limiter_curve_is_the_one_over_the_whole_guide() -> None:
    """The limiter works its curve out only around the samples over the ceiling, block by
    block; the guide is what the curve over the whole mix at once gives."""
    renderer, _ = renderer_for(loudness=-10.0, true_peak=-3.0)
    renderer = renderer.at_level(measure_level(renderer))
    raw = renderer.mix(0, renderer.total_frames) * np.float32(renderer.gain)
    ceiling = db_to_gain(-3.0 - LIMITER_MARGIN_DB)
    needed = np.minimum(1.0, ceiling / np.maximum(np.abs(raw), 1e-12))
    expected = raw * smooth_gain(needed, renderer.width)
    assert (needed < 1).mean() > 0.01  # the limiter has work in many places
    np.testing.assert_allclose(whole(renderer)[:, 0], expected, rtol=0, atol=1e-6)


def test_the_limiter_makes_up_at_most_its_share() -> None:
    """A target the ceiling leaves no room for is not chased by squashing the guide
    flat: the gain stops LIMITER_MAKEUP_DB over the plain one, and the renderer says how
    far under the target the guide stays (as measured)."""
    renderer, _ = renderer_for(loudness=-4.0, true_peak=-6.0)
    renderer = renderer.at_level(measure_level(renderer))
    meter = LoudnessMeter(RATE, 1)
    meter.add(renderer.mix(0, renderer.total_frames)[:, None])
    plain = -4.0 - integrated(meter)
    assert gain_to_db(renderer.gain) == pytest.approx(plain + LIMITER_MAKEUP_DB, abs=1e-9)
    limited = LoudnessMeter(RATE, 1)
    limited.add(whole(renderer))
    assert renderer.level.shortfall > 1.0
    assert -4.0 - renderer.level.shortfall == pytest.approx(integrated(limited), abs=0.1)


def test_truncated_speech_is_cut_at_the_stage_end(tmp_path: Path) -> None:
    """Speech that overruns its stage stops (faded) at the stage's last sample."""
    path = tmp_path / "r.yaml"
    words = " ".join(["word"] * 30)
    path.write_text(
        f"voiceguide: 1\ntitle: T\ncues: {{countdown: 0}}\nstages:\n"
        f"  - {{name: A, duration: 4s, say: {words}}}\n  - {{name: B, duration: 4s}}\n",
        encoding="utf-8",
    )
    renderer, _ = renderer_for(path, loudness=None)
    a = renderer.script.stages[0]
    audio = whole(renderer)[:, 0]
    end = round(a.end * RATE)
    speaking = np.abs(audio[end - 2 * RATE : end - RATE]).max()
    assert speaking > 0.05  # speaking until shortly before the boundary
    assert abs(audio[end - 1]) < 1e-3  # silent at the stage's last sample
    assert np.abs(audio[end - 80 : end]).max() < speaking / 5  # faded, not chopped


def test_estimated_and_measured_compiles_say_the_same_words() -> None:
    """Measured lengths change the timing, never the words."""
    routine = load_routine(SHORT)
    renderer, _ = renderer_for()
    estimated = compile_routine(routine)
    assert [s.text for s in estimated.speech()] == [s.text for s in renderer.script.speech()]


@pytest.mark.parametrize("channels", [1, 2])
def test_normalize_measures_exactly_what_the_whole_mix_measures(channels: int) -> None:
    """Measuring only where something sounds gives the gain
    that measuring the whole mix from start to end gives: without limiting, exactly."""
    renderer, _ = renderer_for(loudness=-20.0, true_peak=20.0, channels=channels)
    renderer = renderer.at_level(measure_level(renderer))
    meter = LoudnessMeter(RATE, channels)
    mix = renderer.mix(0, renderer.total_frames)
    meter.add(np.repeat(mix[:, None], channels, axis=1))
    assert gain_to_db(renderer.gain) == pytest.approx(-20.0 - integrated(meter), abs=1e-6)


def test_normalize_accounts_for_what_the_limiter_takes() -> None:
    """With a loud target the limiter takes loudness away (here about half a LU); the
    gain makes it up, round after round as the higher gain limits more: the rendered
    guide lands within 0.05 LU of the target."""
    renderer, _ = renderer_for(loudness=-12.0, true_peak=-3.0)
    renderer = renderer.at_level(measure_level(renderer))
    meter = LoudnessMeter(RATE, 1)
    meter.add(whole(renderer))
    assert integrated(meter) == pytest.approx(-12.0, abs=0.05)
