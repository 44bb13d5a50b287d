"""The player's logic, driven by a fake sink: what it plays after each command."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voiceguide.audio.render import Renderer
from voiceguide.audio.settings import RenderSettings
from voiceguide.audio.store import ClipStore
from voiceguide.compiler import compile_routine
from voiceguide.load import load_routine
from voiceguide.model.script import Segment
from voiceguide.pipeline import Guide
from voiceguide.play import play
from voiceguide.play.devices import LATENCY_SECONDS
from voiceguide.play.gaps import STEADY_CALLBACKS, GapDetector, ShortWatch
from voiceguide.play.get_ready import get_ready_audio
from voiceguide.play.player import Player
from voiceguide.play.session import Outcome
from voiceguide.play.terminal import HELP
from voiceguide.testing import (
    FakeClock,
    FakeDisplay,
    FakeKeys,
    FakeOutput,
    FakeSink,
    FakeSpeech,
    FakeSynthesizer,
    installed,
)

SHORT = Path(__file__).parent / "data" / "short.yaml"
RATE = 16_000
BLOCK = 512


@pytest.fixture
def player() -> Player:
    fake = FakeSynthesizer(sample_rate=RATE)
    clips = ClipStore(fake, RATE)
    renderer = Renderer(compile_routine(load_routine(SHORT), clips), clips, RenderSettings(RATE))
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


def test_a_starved_callback_owes_the_time() -> None:
    """When the renderer has not kept up, the callback plays silence and counts a stall;
    the timeline does not move on meanwhile, and owes the device that block."""
    fake = FakeSynthesizer(sample_rate=RATE)
    clips = ClipStore(fake, RATE)
    renderer = Renderer(compile_routine(load_routine(SHORT), clips), clips, RenderSettings(RATE))
    starving = Player(renderer)  # no feeder started: nothing rendered ahead
    block = np.ones((BLOCK, 1), dtype=np.float32)
    assert starving.callback(block, BLOCK)
    assert np.abs(block).max() == 0
    assert (starving.underruns, starving.owed.stalls, starving.owed.lost) == (1, 1, BLOCK)
    assert starving.owed.frames == BLOCK
    assert starving.position == 0


def first_silence_after(player: Player, frame: int) -> int:
    """The first block boundary at or after ``frame`` where the guide is silent (with
    the margins kept around every sound)."""
    while player.owed.silences.room(frame) <= 0:
        frame += BLOCK
    return frame


def test_a_gap_in_speech_is_taken_back_from_the_next_silence(player: Player) -> None:
    """The device lost 100 ms mid-sentence (it played silence of its own while the
    machine was busy): the sentence goes on whole, 100 ms late; in the next silence the
    player leaves out 100 ms of it (silence only), and from then on every frame is where
    the guide has it."""
    pull(player, RATE)
    gap = RATE // 10
    assert player.owed.silences.room(RATE) == 0  # speaking at 1 s
    player.callback(block := np.zeros((BLOCK, 1), dtype=np.float32), BLOCK, gap)
    assert np.array_equal(block[:, 0], reference(player, 1.0, BLOCK))  # no jump
    back = first_silence_after(player, RATE + BLOCK)
    assert back > RATE + 2 * gap  # the sentence is longer than the gap
    heard = pull(player, back - RATE - BLOCK + 2 * RATE)
    whole = reference(player, 0.0, back + gap + 2 * RATE)
    assert np.array_equal(heard[: back - RATE - BLOCK], whole[RATE + BLOCK : back])
    assert not whole[back : back + gap].any()  # what was left out is silence
    assert np.array_equal(heard[back - RATE - BLOCK :], whole[back + gap :])
    assert (
        player.owed.taken_back,
        player.owed.skipped,
        player.owed.frames,
        player.owed.stalls,
    ) == (gap, 0, 0, 1)
    player.close()


def test_time_the_device_played_on_early_is_given_back_in_silence(player: Player) -> None:
    """The device reports it played on 100 ms early (a server that kept its time): in the
    silence of the first stage, 100 ms of silence is added, and the guide goes on
    where it has it."""
    pull(player, 10 * RATE)
    gap = RATE // 10
    player.callback(block := np.ones((BLOCK, 1), dtype=np.float32), BLOCK, -gap)
    heard = np.concatenate([block[:, 0], pull(player, 2 * RATE)])
    assert not heard[:gap].any()
    assert np.array_equal(heard[gap:], reference(player, 10.0, BLOCK + 2 * RATE - gap))
    assert (player.owed.given_back, player.owed.frames, player.owed.stalls) == (gap, 0, 0)
    player.close()


def test_what_the_device_may_have_dropped_is_played_again(player: Player) -> None:
    """The device ran short mid-sentence and may have dropped the 100 ms it held: those
    100 ms play again, fading in, and the time they take is taken back in the next
    silence, after which every frame is where the guide has it."""
    pull(player, RATE)
    again = RATE // 10
    player.callback(block := np.zeros((BLOCK, 1), dtype=np.float32), BLOCK, 0, again)
    fade = player.fade
    assert np.array_equal(
        block[fade:, 0], reference(player, (RATE - again + fade) / RATE, BLOCK - fade)
    )
    assert player.owed.frames == again
    back = first_silence_after(player, RATE + BLOCK)
    pull(player, back - RATE - BLOCK + again)
    assert (player.owed.replayed, player.owed.taken_back, player.owed.frames) == (again, again, 0)
    on_time = player.position / RATE
    heard = pull(player, RATE)
    assert np.array_equal(heard, reference(player, on_time, RATE))
    assert player.position == back + again + RATE  # as many frames as the device played
    player.close()


def test_a_gap_with_no_silence_soon_is_skipped_at_a_quiet_moment(player: Player) -> None:
    """When the next silence is further than the player waits, it skips what it owes
    at the quietest moment of the next 0.4 s (between words), crossfading across the
    jump; every frame after is where the guide has it."""
    pull(player, RATE)
    player.owed.silences.wait = 0  # no silence is near enough
    gap = RATE // 10
    player.callback(np.zeros((BLOCK, 1), dtype=np.float32), BLOCK, gap)
    heard = pull(player, RATE)
    whole = reference(player, 0.0, 3 * RATE)
    start = RATE + BLOCK
    assert (player.owed.skipped, player.owed.taken_back, player.owed.frames) == (gap, 0, 0)
    # heard up to the skip point as rendered, then the guide shifted by the gap
    split = next(n for n in range(len(heard)) if heard[n] != whole[start + n])
    window = round(0.01 * RATE)
    quiet = whole[start + split - window : start + split + window]
    assert split < round(0.4 * RATE) + BLOCK
    assert np.sqrt(np.mean(quiet**2)) <= np.sqrt(np.mean(whole[start : start + RATE // 2] ** 2))
    fade = player.fade
    after = heard[split + fade :]
    assert np.array_equal(after, whole[start + split + gap + fade : start + gap + RATE])
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
    assert player.owed.skipped == 0
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


def test_gap_detector_starts_when_the_device_plays() -> None:
    """The device takes six blocks at once, then waits 1.8 s before it plays (as ALSA's
    PulseAudio plugin was seen to): nothing was heard, so nothing is lost; the lag is
    measured from the first block after the wait, and a real gap later still counts."""
    rate, frames = 44_100, 1024
    block = frames / rate
    detector = GapDetector(rate)
    now = 100.0
    for n in range(6):  # the first buffer: guessed DAC times, all at once
        assert detector.lost(now + 0.01 + n * block, frames, now) == 0
    now += 1.8
    dac = now + 6 * block
    lost = []
    for n in range(100):
        if n == 50:  # an underrun: this callback came 250 ms late, the device played
            dac += 0.25  # silence of its own meanwhile, and says it ran short
            now += 0.25
        lost.append(detector.lost(dac, frames, now, short=n == 50))
        dac += block
        now += block
    assert [n for n, count in enumerate(lost) if count] == [50 + STEADY_CALLBACKS - 1]
    assert sum(lost) == round(0.25 * rate)


def test_gap_detector_counts_only_steps_where_the_device_ran_short() -> None:
    """The reported DAC times move by 3 ms with the device never short (a sound server's
    timing report moving, as PipeWire's was seen to): no sound was lost, nothing is
    reported. A callback 40 ms late, the device short, and the DAC times 5 ms earlier
    after it (the server kept its time and played on early): minus 5 ms, given back."""
    rate, frames = 44_100, 1024
    block = frames / rate
    detector = GapDetector(rate)
    now, dac, lost = 100.0, 100.1, []
    for n in range(200):
        if n == 50:
            dac += 0.003
        if n == 120:
            now += 0.040
            dac -= 0.005
        lost.append(detector.lost(dac, frames, now, short=n == 120))
        dac += block
        now += block
    assert [(n, count) for n, count in enumerate(lost) if count] == [
        (120 + STEADY_CALLBACKS - 1, -round(0.005 * rate))
    ]


def test_a_device_running_short_is_seen_and_what_it_held_is_played_again() -> None:
    """Steady, the device holds 120 ms: not short. A block that finds it empty (a frozen
    process is not told it ran short): short, and the 120 ms and a block it held before
    are to be played again, once; the device saying so counts too; before it plays,
    an empty device is only starting."""
    rate, frames = 44_100, 1024
    watch = ShortWatch(rate, held=4410)
    now = 100.0
    assert watch.check(now + 0.001, now, frames, underflow=False, playing=False) == (False, 0)
    assert watch.check(now + 0.120, now, frames, underflow=False, playing=True) == (False, 0)
    held = round(0.120 * rate) + frames
    assert watch.check(now + 0.0, now, frames, underflow=False, playing=True) == (True, held)
    assert watch.check(now + 0.010, now, frames, underflow=False, playing=True) == (True, 0)
    assert watch.check(now + 0.100, now, frames, underflow=False, playing=True) == (False, 0)
    held = round(0.100 * rate) + frames
    assert watch.check(now + 0.100, now, frames, underflow=True, playing=True) == (True, held)


def test_a_device_refilling_after_running_short_is_not_replayed_again() -> None:
    """After a stall, a device holding about one block while it refills (PipeWire's
    PulseAudio server reports so for a dozen blocks), now and then saying it ran short:
    what it held is played again once, not at every such block; once it holds half its
    buffer again, the next stall is replayed."""
    rate, frames = 44_100, 1024
    block = frames / rate
    watch = ShortWatch(rate, held=4410)
    now = 100.0
    assert watch.check(now + 0.100, now, frames, underflow=False, playing=True) == (False, 0)
    assert watch.check(now, now, frames, underflow=True, playing=True) == (True, 5434)
    replays = [
        watch.check(now + 1.01 * block, now, frames, underflow=n % 2 == 0, playing=True)[1]
        for n in range(12)
    ]
    assert replays == [0] * 12
    assert watch.check(now + 0.060, now, frames, underflow=False, playing=True) == (False, 0)
    held = round(0.060 * rate) + frames
    assert watch.check(now, now, frames, underflow=True, playing=True) == (True, held)


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


def test_a_gap_longer_than_what_is_rendered_ahead_is_taken_back_over_a_long_silence(
    player: Player,
) -> None:
    """A stall of 4 s (more than the feeder renders ahead) in the long silence of the
    first stage: the player leaves out silence block after block, as fast as the feeder
    renders it, until the guide is on time; what follows is where the guide has it."""
    pull(player, 10 * RATE)
    gap = player.ahead + RATE
    assert player.owed.silences.room(10 * RATE) > gap + 2 * RATE  # silent until past 16 s
    player.callback(np.zeros((BLOCK, 1), dtype=np.float32), BLOCK, gap)
    heard = pull(player, 3 * RATE)
    assert (player.owed.taken_back, player.owed.skipped, player.owed.frames) == (gap, 0, 0)
    assert player.position == 10 * RATE + BLOCK + 3 * RATE + gap
    whole = reference(player, 10.0, BLOCK + 3 * RATE + gap)
    assert not whole.any()  # silence, left out
    assert not heard.any()
    on_time = player.position / RATE  # 17 s 32 ms: the stage's next words follow
    assert np.array_equal(pull(player, 6 * RATE), reference(player, on_time, 6 * RATE))
    player.close()


# --------------------------------------------------------------------------- sessions
# A whole session in-process: play() with a fake clock, sink, keys and display. The sink
# plays 1024-frame blocks as the clock's time covers them, so every assertion is on the
# exact frames the patient would hear.

DEVICE_BLOCK = 1024


@pytest.fixture(scope="module")
def guide() -> Guide:
    fake = FakeSynthesizer(sample_rate=RATE)
    clips = ClipStore(fake, RATE)
    script = compile_routine(load_routine(SHORT), clips)
    renderer = Renderer(script, clips, RenderSettings(RATE))
    return Guide(renderer)


@dataclass
class Session:
    outcome: Outcome
    sink: FakeSink
    display: FakeDisplay
    keys: FakeKeys
    clock: FakeClock


def session(
    guide: Guide,
    commands: list[tuple[float, str]] | None = None,
    *,
    start: float = 0.0,
    interrupt_at: float | None = None,
    **sink_options: Any,
) -> Session:
    clock = FakeClock(interrupt_at=interrupt_at)
    sink = FakeSink(clock, RATE, block=1024, **sink_options)
    keys = FakeKeys(clock, commands or [])
    display = FakeDisplay()
    outcome = play(
        guide,
        start=start,
        get_ready_phrase="Get ready",
        sink=sink,
        clock=clock,
        keys=keys,
        display=display,
    )
    return Session(outcome, sink, display, keys, clock)


def timeline(guide: Guide, first: int, last: int) -> np.ndarray:
    """The rendered guide from frame ``first`` to ``last`` (silence past its end)."""
    end = min(last, guide.renderer.total_frames)
    frames = np.zeros(0, dtype=np.float32)
    if end > first:
        frames = np.concatenate(list(guide.renderer.blocks(first, end)))[:, 0]
    return np.concatenate([frames, np.zeros(last - first - len(frames), dtype=np.float32)])


def faded_out(frames: np.ndarray) -> np.ndarray:
    """A block as the stop's or the pause's fade leaves it: 20 ms down to silence."""
    fade = round(RATE * 0.02)
    down = np.linspace(1.0, 1.0 - fade / fade, fade, endpoint=False)
    out = np.zeros_like(frames)
    out[:fade] = frames[:fade] * np.clip(down, 0, 1).astype(np.float32)
    return out


def test_a_session_plays_the_whole_guide_and_finishes(guide: Guide) -> None:
    """Without a key pressed: every frame of the guide, in order, then the end; the help
    line first (keys can come), the status all along, the sink stopped and closed."""
    run = session(guide)
    total = guide.renderer.total_frames
    played = run.sink.played[:, 0]
    assert len(played) == -(-total // DEVICE_BLOCK) * DEVICE_BLOCK  # the last block, padded
    assert np.array_equal(played, timeline(guide, 0, len(played)))
    assert run.outcome == Outcome("finished", total / RATE, guide.script.segment_at(total / RATE))
    assert run.display.messages == [HELP]
    assert run.display.statuses[0].label == "Introduction"
    assert run.display.statuses[-1].session_left < 0.1
    assert run.display.closed
    assert run.sink.stopped
    assert run.sink.closed


def test_quit_fades_out_drains_and_says_where(guide: Guide) -> None:
    """q at 2 s: the blocks up to then as rendered, one block fading out over 20 ms, the
    drain's silence (latency + 50 ms: one block), and the end."""
    run = session(guide, [(2.0, "quit")])
    played = run.sink.played[:, 0]
    k = 31 * DEVICE_BLOCK  # the blocks 2 s covers
    assert len(played) == k + 2 * DEVICE_BLOCK
    assert np.array_equal(played[:k], timeline(guide, 0, k))
    assert np.allclose(
        played[k : k + DEVICE_BLOCK], faded_out(timeline(guide, k, k + DEVICE_BLOCK)), atol=1e-7
    )
    assert not played[k + DEVICE_BLOCK :].any()
    assert run.outcome.reason == "quit"
    assert run.outcome.seconds == (k + DEVICE_BLOCK) / RATE
    assert run.outcome.segment.label == "Introduction"


def test_pause_then_resume_with_get_ready(guide: Guide) -> None:
    """space at 1 s: a fade, silence while paused (the guide waits); space at 3 s: "get
    ready" and the countdown, then the guide from exactly where it paused, fading in."""
    run = session(guide, [(1.0, "pause"), (3.0, "pause"), (12.0, "quit")])
    ready = get_ready_audio(guide.renderer, guide.clips, "Get ready")
    played = run.sink.played[:, 0]
    paused = 15 * DEVICE_BLOCK  # the blocks 1 s covers
    resumed = 46 * DEVICE_BLOCK  # the blocks 3 s covers
    fade = round(RATE * 0.02)
    assert np.array_equal(played[:paused], timeline(guide, 0, paused))
    assert np.allclose(
        played[paused : paused + DEVICE_BLOCK],
        faded_out(timeline(guide, paused, paused + DEVICE_BLOCK)),
    )
    assert not played[paused + DEVICE_BLOCK : resumed].any()
    after = resumed + len(ready)
    assert np.array_equal(played[resumed:after], ready)
    going_on = timeline(guide, paused + DEVICE_BLOCK, paused + DEVICE_BLOCK + RATE)
    # a 20 ms fade-in (split across two blocks when "get ready" ends near a block's end)
    assert np.all(np.abs(played[after : after + fade]) <= np.abs(going_on[:fade]))
    assert np.array_equal(played[after + fade : after + RATE], going_on[fade:RATE])
    assert run.display.messages == [HELP]  # the status shows the pause, not a line
    pauses = [s.paused for s in run.display.statuses]
    assert [paused for paused, _ in itertools.groupby(pauses)] == [False, True, False]
    shown = [(s.paused, round(s.session_left)) for s in run.display.statuses]
    assert (True, round(guide.script.duration - (paused + DEVICE_BLOCK) / RATE)) in shown
    assert run.outcome.reason == "quit"


def test_next_and_previous_jump_with_a_crossfade(guide: Guide) -> None:
    """n at 1 s: a 20 ms crossfade into the next stage, then that stage from its start;
    p 6 s later: back to that stage's start (past the 3 s grace); n at the last stage
    part says so and plays on."""
    stages = [s for s in guide.script.segments if s.kind == "stage"]
    commands = [(1.0, "next"), (7.0, "previous"), (8.0, "next"), (8.0, "next"), (8.0, "next")]
    run = session(guide, [*commands, (9.0, "quit")])
    played = run.sink.played[:, 0]
    jump = 15 * DEVICE_BLOCK
    stroking = round(stages[0].start * RATE)
    fade = round(RATE * 0.02)
    assert np.array_equal(played[:jump], timeline(guide, 0, jump))
    new = timeline(guide, stroking, stroking + fade) * (np.arange(1, fade + 1) / fade).astype(
        np.float32
    )
    old = timeline(guide, jump, jump + fade) * np.linspace(1, 0, fade, endpoint=False).astype(
        np.float32
    )
    assert np.allclose(played[jump : jump + fade], new + old, atol=1e-6)
    back = 109 * DEVICE_BLOCK  # the blocks 7 s covers
    assert np.array_equal(
        played[jump + fade : back], timeline(guide, stroking + fade, stroking + back - jump)
    )
    assert np.array_equal(
        played[back + fade : back + RATE // 2],
        timeline(guide, stroking + fade, stroking + RATE // 2 - back + back),
    )
    assert run.display.messages == [HELP, "this is the last stage"]
    assert run.outcome.segment == stages[-1]


def test_volume_steps_scale_what_follows(guide: Guide) -> None:
    """- at 1 s: from the next block on, the guide at 90 %; + twice: 110 %."""
    run = session(guide, [(1.0, "quieter"), (2.0, "louder"), (2.0, "louder"), (3.0, "quit")])
    played = run.sink.played[:, 0]
    first, second = 15 * DEVICE_BLOCK, 31 * DEVICE_BLOCK
    assert np.array_equal(played[:first], timeline(guide, 0, first))
    assert np.array_equal(played[first:second], timeline(guide, first, second) * np.float32(0.9))
    louder = np.float32(0.9 + 0.1 + 0.1)
    assert np.array_equal(
        played[second : second + DEVICE_BLOCK * 10],
        timeline(guide, second, second + DEVICE_BLOCK * 10) * louder,
    )
    assert run.display.statuses[-1].volume == pytest.approx(1.1)


def test_a_lost_device_is_noticed_by_the_watchdog(guide: Guide) -> None:
    """The device stops calling back at 2 s (its last call at 1.95 s): 3 s later the
    session ends as device-lost, where the sound stopped; the sink is closed without
    waiting on it."""
    run = session(guide, lost_at=2.0)
    assert run.outcome.reason == "device-lost"
    assert run.outcome.seconds == 30 * DEVICE_BLOCK / RATE
    assert len(run.sink.played) == 30 * DEVICE_BLOCK
    assert run.clock.now() == pytest.approx(5.0)
    assert run.sink.closed
    assert not run.sink.stopped


def test_a_stream_that_ends_by_itself_is_a_lost_device(guide: Guide) -> None:
    run = session(guide, lost_at=2.0, ends=True)
    assert run.outcome.reason == "device-lost"
    assert run.clock.now() < 2.1


def test_a_stall_mid_sentence_is_heard_whole_and_the_next_cue_is_on_time(guide: Guide) -> None:
    """The device plays 100 ms of silence of its own at 1 s, mid-sentence: the sentence
    is heard whole, 100 ms late; the next silence is 100 ms shorter, so the next cue and
    everything after is heard where the guide has it; one stall, 100 ms taken back."""
    gap = RATE // 10
    run = session(guide, [(12.0, "quit")], gaps={1.0: gap})
    at = 16 * DEVICE_BLOCK  # the first block due at or after 1 s
    heard = run.sink.heard[:, 0]
    assert np.array_equal(heard[:at], timeline(guide, 0, at))
    assert not heard[at : at + gap].any()
    sentence = next(e for e in guide.script.speech() if e.time <= at / RATE < e.end)
    end = round(sentence.end * RATE)
    assert np.array_equal(heard[at + gap : end + gap], timeline(guide, at, end))  # whole
    cue = next(t for t in guide.script.tones() if t.time > sentence.end)
    on_time = round(cue.time * RATE)
    assert np.array_equal(
        heard[on_time : on_time + 2 * RATE], timeline(guide, on_time, on_time + 2 * RATE)
    )
    assert run.sink.lost.count(gap) == 1
    outcome = run.outcome
    assert (outcome.stalls, outcome.lost, outcome.taken_back, outcome.skipped) == (
        1, gap / RATE, gap / RATE, 0.0
    )  # fmt: skip


def test_ctrl_c_stops_with_a_fade(guide: Guide) -> None:
    """Ctrl-C at 2 s (the sleep it comes in plays nothing): like q, a fade and the
    drain, and the session says interrupted."""
    run = session(guide, interrupt_at=2.0)
    played = run.sink.played[:, 0]
    k = 30 * DEVICE_BLOCK
    assert len(played) == k + 2 * DEVICE_BLOCK
    assert np.allclose(
        played[k : k + DEVICE_BLOCK], faded_out(timeline(guide, k, k + DEVICE_BLOCK)), atol=1e-7
    )
    assert not played[k + DEVICE_BLOCK :].any()
    assert run.outcome.reason == "interrupted"


def test_starting_at_a_stage_plays_from_its_first_frame(guide: Guide) -> None:
    stage = [s for s in guide.script.segments if s.kind == "stage"][1]
    run = session(guide, [(1.0, "quit")], start=stage.start)
    first = round(stage.start * RATE)
    assert np.array_equal(
        run.sink.played[: 15 * DEVICE_BLOCK, 0], timeline(guide, first, first + 15 * DEVICE_BLOCK)
    )


def test_the_play_command_in_process(run_cli: Any) -> None:
    """`voiceguide play` with a fake engine, sink, clock, keys and display: q at 2 s stops
    where it was, says how to go on, and records the session."""
    clock = FakeClock()
    sinks = FakeOutput(clock)
    display = FakeDisplay()
    keys = FakeKeys(clock, [(2.0, "quit")])
    with installed(speech=FakeSpeech(), output=sinks, clock=clock, keys=keys, display=display):
        result = run_cli("play", str(SHORT), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"Stopped: Introduction at 00:02. To go on from there: voiceguide play {SHORT}"
    )
    assert display.messages == [HELP]
    (sink,) = sinks.opened
    assert sink.rate == 44_100
    assert sinks.latencies_opened == [LATENCY_SECONDS]
    assert sink.played.any()
    assert sink.stopped
    assert sink.closed


def test_the_device_latency_is_a_play_option(run_cli: Any) -> None:
    """`--latency 0.3` opens the device holding 0.3 s of sound, and the command that goes
    on from where the session stopped keeps it."""
    clock = FakeClock()
    sinks = FakeOutput(clock)
    keys = FakeKeys(clock, [(2.0, "quit")])
    with installed(
        speech=FakeSpeech(), output=sinks, clock=clock, keys=keys, display=FakeDisplay()
    ):
        result = run_cli("play", str(SHORT), "--yes", "--latency", "0.3")
    assert result.exit_code == 0, result.stderr
    assert sinks.latencies_opened == [0.3]
    assert result.stderr.splitlines()[-1].endswith(f"voiceguide play {SHORT} --latency 0.3")


def test_the_report_after_a_stalled_session_says_how_it_caught_up() -> None:
    """Made up from pauses: no word lost; skipped: how much, and the advice to export;
    the device running short: what it held is played again, a moment may be heard twice."""
    from voiceguide.play.run import stall_report

    where = Segment(index=0, kind="intro", name="Introduction", start=0.0, end=10.0)
    made_up = Outcome("finished", 10.0, where, stalls=2, lost=0.31, taken_back=0.31)
    assert stall_report(made_up) == (
        "the machine was busy: the sound stalled twice, 0.3 s in all, made up in the "
        "pauses after (no word lost, 0.3 s taken back); close other programs for a steadier "
        "session"
    )
    skipped = Outcome("finished", 10.0, where, stalls=1, lost=0.5, skipped=0.5)
    assert "0.5 s of the guide was skipped" in stall_report(skipped)
    assert stall_report(skipped).endswith("play an exported guide")
    short = Outcome("finished", 10.0, where, underflows=3)
    assert stall_report(short) == (
        "the machine was busy: the sound device ran short 3 times; what it held then was "
        "played again, so a moment may have been heard twice; close other programs for a "
        "steadier session"
    )
    once = Outcome("finished", 10.0, where, stalls=1, lost=0.4, taken_back=0.5, underflows=1)
    assert stall_report(once).startswith(
        "the machine was busy: the sound stalled once, 0.4 s in all, made up in the pauses "
        "after (no word lost, 0.5 s taken back); the sound device ran short once;"
    )
