"""The player's logic, driven by a fake sink: what it plays after each command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.render import ClipOracle, Renderer, RenderSettings, compile_measured
from voiceguide.load.routine import load_routine
from voiceguide.play.devices import STEADY_CALLBACKS, GapDetector
from voiceguide.play.player import Player
from voiceguide.testing import FakeSynthesizer

SHORT = Path(__file__).parent / "data" / "short.yaml"
RATE = 16_000
BLOCK = 512


@pytest.fixture
def player() -> Player:
    fake = FakeSynthesizer(sample_rate=RATE)
    clips = ClipOracle(fake, RATE)
    renderer = Renderer(compile_measured(load_routine(SHORT), clips), clips, RenderSettings(RATE))
    renderer.gain = 1.0
    made = Player(renderer, get_ready=np.full(RATE // 2, 0.25, dtype=np.float32))
    made.start_feeding(prefill_seconds=1.0)
    return made


def pull(player: Player, frames: int) -> np.ndarray:
    """What the device would get for the next ``frames`` frames (waiting for the feeder)."""
    out = np.zeros((frames, 1), dtype=np.float32)
    done = 0
    while done < frames:
        with player.lock:
            while player.stream.buffered() < BLOCK and player.stream.position < player.total:
                player.wake.wait(0.05)
        block = np.zeros((min(BLOCK, frames - done), 1), dtype=np.float32)
        player.callback(block, len(block))
        out[done : done + len(block)] = block
        done += len(block)
    return out[:, 0]


def reference(player: Player, start: float, frames: int) -> np.ndarray:
    first = round(start * RATE)
    return np.concatenate(list(player.renderer.blocks(first, first + frames)))[:, 0]


def test_plays_the_rendered_timeline(player: Player) -> None:
    """Played frames are the renderer's frames, from the first on."""
    heard = pull(player, 3 * RATE)
    assert np.array_equal(heard, reference(player, 0.0, 3 * RATE))
    player.close()


def test_next_goes_to_the_next_stage_start(player: Player) -> None:
    """n: after a 20 ms crossfade, the next stage plays from its first frame."""
    pull(player, RATE)
    target = player.next_stage()
    assert target is not None
    assert target.name == "Stroking"
    assert player.position == round(target.start * RATE)
    heard = pull(player, RATE)
    fade = player.fade
    assert np.allclose(heard[fade:], reference(player, target.start, RATE)[fade:], atol=1e-6)
    assert player.position == round(target.start * RATE) + RATE
    player.close()


def test_previous_restarts_or_goes_back(player: Player) -> None:
    """p: past the grace period, restart the current stage; within it, the one before."""
    stroking = player.next_stage()
    assert stroking is not None
    pull(player, 5 * RATE)
    assert player.previous_stage() == stroking
    rubbing_left = player.next_stage()
    assert rubbing_left is not None
    pull(player, RATE)
    assert player.previous_stage() == stroking
    player.close()


def test_pause_is_silent_and_resume_continues_after_get_ready(player: Player) -> None:
    """space: a short fade, silence while paused; space again: the get-ready sound, then
    the guide from exactly where it paused."""
    pull(player, 2 * RATE)
    player.pause()
    fading = pull(player, BLOCK)
    paused_at = player.position
    assert np.abs(fading[player.fade :]).max() == 0
    assert np.abs(pull(player, 2 * RATE)).max() == 0
    assert player.position == paused_at
    player.resume()
    prelude = pull(player, RATE // 2)
    assert np.allclose(prelude, 0.25)
    after = pull(player, RATE)
    expected = reference(player, paused_at / RATE, RATE)
    assert np.allclose(after[player.fade :], expected[player.fade :], atol=1e-6)
    player.close()


def test_stop_fades_then_ends(player: Player) -> None:
    """q or Ctrl-C: the next block fades to silence, then silence for the drain, then the
    callback says it is done."""
    player.drain_frames = BLOCK * 2
    pull(player, RATE)
    player.stop()
    block = np.zeros((BLOCK, 1), dtype=np.float32)
    assert player.callback(block, BLOCK)  # the fade
    assert abs(block[player.fade - 1, 0]) < 0.01
    assert np.abs(block[player.fade :]).max() == 0
    results = [player.callback(np.zeros((BLOCK, 1), dtype=np.float32), BLOCK) for _ in range(3)]
    assert results[-1] is False
    assert player.finished.is_set()
    player.close()


def test_volume_scales_and_is_bounded(player: Player) -> None:
    """+ and - change the volume in steps, within 0 and 150 %."""
    for _ in range(20):
        player.change_volume(0.1)
    assert player.volume == 1.5
    for _ in range(30):
        player.change_volume(-0.1)
    assert player.volume == 0.0
    assert np.abs(pull(player, RATE)).max() == 0
    player.close()


def test_a_starved_callback_counts_a_dropout() -> None:
    """When the renderer has not kept up, the callback plays silence and counts it, so the
    session can say the sound stuttered; the timeline does not move on meanwhile."""
    fake = FakeSynthesizer(sample_rate=RATE)
    clips = ClipOracle(fake, RATE)
    renderer = Renderer(compile_measured(load_routine(SHORT), clips), clips, RenderSettings(RATE))
    starving = Player(renderer)  # no feeder started: nothing rendered ahead
    block = np.ones((BLOCK, 1), dtype=np.float32)
    assert starving.callback(block, BLOCK)
    assert np.abs(block).max() == 0
    assert starving.underruns == 1
    assert starving.position == 0


def test_a_device_gap_is_made_up_by_skipping_as_much(player: Player) -> None:
    """The device lost time (it played silence of its own while the machine was busy):
    the next block skips as many frames of the timeline, crossfading across the jump,
    so everything after is where it would have been without the gap."""
    pull(player, RATE)
    gap = RATE // 10
    with player.lock:
        while player.stream.buffered() < gap + BLOCK:
            player.wake.wait(0.05)
    block = np.zeros((BLOCK, 1), dtype=np.float32)
    player.callback(block, BLOCK, gap)
    assert player.position == RATE + gap + BLOCK
    assert player.skipped == gap
    expected = reference(player, (RATE + gap) / RATE, BLOCK)
    fade = player.fade
    assert np.allclose(block[fade:, 0], expected[fade:], atol=1e-6)
    # the crossfade: from the old continuation to the new one, never louder than either
    old = reference(player, 1.0, fade)
    assert np.all(
        np.abs(block[:fade, 0]) <= np.maximum(np.abs(old), np.abs(expected[:fade])) + 1e-6
    )
    heard = pull(player, RATE)
    assert np.array_equal(heard, reference(player, (RATE + gap + BLOCK) / RATE, RATE))
    player.close()


def test_a_device_gap_while_paused_moves_nothing(player: Player) -> None:
    """Paused, a gap in the device's silence changes nothing: the guide goes on where it
    paused."""
    pull(player, RATE)
    player.pause()
    pull(player, BLOCK)
    paused_at = player.position
    player.callback(np.zeros((BLOCK, 1), dtype=np.float32), BLOCK, RATE // 10)
    player.resume()
    pull(player, RATE // 2 + RATE)
    assert player.skipped == 0
    assert player.position == paused_at + RATE
    player.close()


def test_gap_detector_reports_a_step_in_dac_times_once_it_holds() -> None:
    """Steady DAC times: no gap. DAC times later by 68 ms from one block on (the device
    played that much silence of its own): that many frames, once, when the step has
    held; a step that shows over a few callbacks counts in full. A clock 50 ppm slow
    drifts without ever being taken for a gap."""
    rate, frames = 44_100, 1024
    detector = GapDetector(rate)
    clock, lost = 100.0, []
    for n in range(400):
        clock += {50: 0.0680, 51: 0.0003, 52: 0.0001}.get(n, 0.0)
        lost.append(detector.lost(clock, frames))
        clock += frames / rate * (1 + 50e-6)
    assert abs(sum(lost) - round(0.0684 * rate)) <= 2  # (the drift of those callbacks too)
    assert [n for n, count in enumerate(lost) if count] == [50 + STEADY_CALLBACKS - 1]


def test_gap_detector_ignores_jitter_and_missing_times() -> None:
    """A DAC time late for a callback or two and then back (jitter) is not a gap; nor is
    anything from a host API that gives no DAC times."""
    rate, frames = 44_100, 1024
    detector = GapDetector(rate)
    clock = 100.0
    for n in range(100):
        late = 0.005 if n % 10 in (3, 4) else 0.0
        assert detector.lost(clock + late, frames) == 0
        clock += frames / rate
    assert GapDetector(rate).lost(0.0, frames) == 0


def test_a_gap_longer_than_what_is_rendered_ahead_jumps(player: Player) -> None:
    """A gap of more than the feeder renders ahead (a long stall) cannot be skipped in
    the buffer: the player jumps ahead by it, so the guide is on time once more."""
    pull(player, RATE)
    gap = player.ahead + RATE
    player.callback(np.zeros((BLOCK, 1), dtype=np.float32), BLOCK, gap)
    assert player.skipped == gap
    start = player.position  # the block of the jump plays what is there already, if any
    assert RATE + gap <= start <= RATE + gap + BLOCK
    heard = pull(player, RATE)
    fade = player.fade
    assert np.allclose(heard[fade:], reference(player, start / RATE, RATE)[fade:], atol=1e-6)
    player.close()
