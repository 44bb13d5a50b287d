"""The engine room of live playback: the rendered timeline, handed to an audio callback.

The :class:`Player` knows nothing of terminals or PortAudio:

- a feeder thread renders ahead from the :class:`~voiceguide.audio.render.Renderer` (the very
  blocks the exporter writes) into a small buffer;
- :meth:`Player.callback` is the audio callback: it only copies frames, applies the
  volume and the short fades of pause, seek and stop, so cue times are sample-exact and
  cannot drift;
- when the device lost time (the machine was too busy to call back in time, and the
  device played silence meanwhile), the callback takes as much back from the guide's
  next silence (:mod:`voiceguide.play.catch_up`), so no word is lost and every later
  cue is on time again;
- commands (pause, resume, next, previous, volume, stop) may come from any thread.

What the callback does is decided by one :class:`State`; every change of state is an
:class:`Event` looked up in :data:`TRANSITIONS`, in :meth:`Player._go`::

    PLAYING ──pause──▶ PAUSING ──faded──▶ PAUSED ──resume──▶ GET_READY ──ready──▶ PLAYING
       │  ▲               │  └──resume──▶ GET_READY   (PLAYING when there is no get-ready)
       │  └─ready─ GET_READY ──pause──▶ PAUSING
       └─ran out─▶ FINISHED ◀──drained── DRAINING ◀──faded── STOPPING ◀──stop── any but those

While the timeline sounds, two ramps may run on it: a fade-in (after "get ready" and
after a seek) and a crossfade from the stream jumped from (after a seek).

One room, at about 430 lines: the state machine, the callback that reads it and the
commands that drive it share one lock and one set of fields; split, each part would
reach into the others. What could stand apart does: the time owed to the device and
its payment (:class:`~voiceguide.play.catch_up.Owed`), the rendered stream
(:mod:`voiceguide.play.stream`).
"""

from __future__ import annotations

import enum
import threading
from typing import TYPE_CHECKING

import numpy as np

from voiceguide.audio.render import BLOCK_FRAMES, Renderer
from voiceguide.model.script import Segment
from voiceguide.play.catch_up import Owed, Silences
from voiceguide.play.stream import Crossfade, Stream
from voiceguide.ports import Clock, MonotonicClock

if TYPE_CHECKING:
    from voiceguide.ports import Samples

FADE_SECONDS = 0.02
"""Length of the fades at pause, seek and stop: short, and never a click."""
AHEAD_SECONDS = 3.0
"""How far the feeder renders ahead of what is heard: a busy machine may leave it
unscheduled for a second or two, and time owed is taken back from what is rendered."""
REPLAY_SECONDS = 0.5
"""The most of what was played that can be played again (see :meth:`Player.replay`)."""
RESTART_GRACE_SECONDS = 3.0
"""'Previous' within this many seconds of a stage's start goes to the stage before."""


class State(enum.Enum):
    """What the callback is playing."""

    PLAYING = "playing"
    """The timeline, which is what the device plays right now (a device gap is made up)."""
    GET_READY = "get ready"
    """The get-ready sound, before the timeline goes on where it paused."""
    PAUSING = "pausing"
    """One block: what was sounding fades out; then paused."""
    PAUSED = "paused"
    """Silence; the timeline waits."""
    STOPPING = "stopping"
    """One block: what was sounding fades out; then the drain."""
    DRAINING = "draining"
    """Silence for the device's latency, so the fade-out is heard before the end."""
    FINISHED = "finished"
    """Over: the callback says so."""


class Event(enum.Enum):
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    READY = "the get-ready sound is over"
    FADED = "the fade-out block is played"
    RAN_OUT = "the timeline is over"
    DRAINED = "the drain is played"


S, E = State, Event
TRANSITIONS: dict[tuple[State, Event], State] = {
    (S.PLAYING, E.PAUSE): S.PAUSING,
    (S.PLAYING, E.STOP): S.STOPPING,
    (S.PLAYING, E.RAN_OUT): S.FINISHED,
    (S.GET_READY, E.PAUSE): S.PAUSING,
    (S.GET_READY, E.STOP): S.STOPPING,
    (S.GET_READY, E.READY): S.PLAYING,
    (S.PAUSING, E.RESUME): S.GET_READY,
    (S.PAUSING, E.STOP): S.STOPPING,
    (S.PAUSING, E.FADED): S.PAUSED,
    (S.PAUSING, E.RAN_OUT): S.FINISHED,
    (S.PAUSED, E.RESUME): S.GET_READY,
    (S.PAUSED, E.STOP): S.STOPPING,
    (S.STOPPING, E.FADED): S.DRAINING,
    (S.DRAINING, E.DRAINED): S.FINISHED,
}
"""Every change of state. An event not listed changes nothing: a pause while paused, a
stop once stopping; the timeline running out while stopping (the fade and the drain
still play); the get-ready sound ending inside a fade-out block (the rest of the block
is the timeline, faded out)."""
del S, E


class Player:
    """Plays a rendered guide; thread-safe commands, a real-time-safe callback."""

    def __init__(
        self,
        renderer: Renderer,
        *,
        start_frame: int = 0,
        volume: float = 1.0,
        get_ready: Samples | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.renderer = renderer
        self.script = renderer.script
        self.rate = renderer.settings.sample_rate
        self.channels = renderer.settings.channels
        self.total = renderer.total_frames
        self.volume = volume
        self.get_ready = get_ready
        self.clock = clock or MonotonicClock()
        self.fade = max(int(self.rate * FADE_SECONDS), 1)
        self.ahead = int(self.rate * AHEAD_SECONDS)
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.finished = threading.Event()
        # the state, and what belongs to it
        self.state = State.PLAYING
        self.fading = State.PLAYING  # PAUSING, STOPPING: the state whose sound fades out
        self.get_ready_at = 0  # GET_READY: frames of the get-ready sound played
        self.drain_frames = 0  # DRAINING: silence to play after the stop's fade
        self.drain_left = 0
        # the timeline, and the ramps on it
        self.stream = self._stream(min(start_frame, self.total))
        self.fade_in = 0  # frames of fade-in left
        self.crossfade: Crossfade | None = None
        silences = Silences(renderer.sounds, self.total, self.rate)
        self.owed = Owed(silences, self.rate, self.channels, self.fade)
        # the feeder
        self.feed_position = self.stream.position
        self.generation = 0
        self.error: BaseException | None = None
        self._feeder = threading.Thread(target=self._feed, name="voiceguide-feeder", daemon=True)
        self._closing = False
        # what the session reports
        self.underruns = 0  # stalls with nothing rendered in time (the rest: ``owed``)
        self.callbacks = 0
        self.last_callback = self.clock.now()

    # -- the state machine

    def _go(self, event: Event) -> None:
        """Take ``event`` (the lock held): change state as :data:`TRANSITIONS` says and do
        what entering the new state takes."""
        if event is Event.READY:  # the timeline goes on, fading in
            self.fade_in = self.fade
            if self.fading is State.GET_READY:
                self.fading = State.PLAYING
        before = self.state
        after = TRANSITIONS.get((before, event))
        if after is None:
            return
        if after is State.GET_READY and self.get_ready is None:
            after = State.PLAYING
        self.state = after
        if after is State.PAUSING:
            self.fading = before
            self.owed.forgive()
        elif after is State.STOPPING:
            if before is not State.PAUSING:
                self.fading = before
        elif after is State.GET_READY:
            self.get_ready_at = 0
        elif after is State.PLAYING:
            self.fade_in = self.fade
        elif after is State.DRAINING:
            self.drain_left = self.drain_frames
        elif after is State.FINISHED:
            self.finished.set()

    @property
    def paused(self) -> bool:
        return self.state in (State.PAUSING, State.PAUSED)

    # -- feeding

    def start_feeding(self, prefill_seconds: float = AHEAD_SECONDS) -> None:
        """Start rendering ahead; return once ``prefill_seconds`` are ready (or the end):
        by default all it renders ahead, so a busy start cannot run dry."""
        self._feeder.start()
        want = min(int(self.rate * prefill_seconds), self.total - self.stream.position)
        with self.lock:
            self.wake.wait_for(
                lambda: self.stream.buffered() >= want or self.error is not None, timeout=10
            )
        if self.error is not None:
            raise self.error

    def wait_rendered(self, timeout: float = 5.0) -> bool:
        """Wait (in real time, at most ``timeout``) until the feeder has rendered all it
        renders ahead, or failed. The callback never waits; a test's sink calls this
        before each call, so what it plays never depends on how threads were scheduled."""
        with self.lock:
            return self.wake.wait_for(lambda: self._fed() or self.error is not None, timeout)

    def _fed(self) -> bool:
        return self.feed_position >= self.total or self.stream.buffered() >= self.ahead

    def _feed(self) -> None:
        try:
            while True:
                with self.lock:
                    while not self._closing and self._fed():
                        self.wake.wait(0.1)
                    if self._closing:
                        return
                    generation, position = self.generation, self.feed_position
                end = min((position // BLOCK_FRAMES + 1) * BLOCK_FRAMES, self.total)
                block = next(self.renderer.blocks(position, end))
                with self.lock:
                    if generation == self.generation:
                        self.stream.blocks.append(block)
                        self.feed_position = end
                        self.wake.notify_all()
        except BaseException as exc:  # report to the main thread rather than die quietly
            with self.lock:
                self.error = exc
                self.wake.notify_all()

    # -- the audio callback

    def callback(self, out: Samples, frames: int, lost: int = 0, replay: int = 0) -> bool:
        """Fill ``out`` (frames × channels); return False once playback is over.

        ``lost``: frames of silence the device played on its own before this block. While
        the guide is playing, the timeline owes as many, taken back from its next silence
        so what follows is on time; in any other state a gap moves nothing. ``replay``:
        the device ran short and may have dropped up to that many frames it held: they
        are played again (:meth:`replay`)."""
        self.last_callback = self.clock.now()
        self.callbacks += 1
        if replay:
            self.replay(replay)
        with self.lock:
            if lost and self.state is State.PLAYING:
                self.owed.moved(lost)
            keep_going = self._fill(out, frames)
            self.wake.notify_all()
        return keep_going

    def _fill(self, out: Samples, frames: int) -> bool:
        out[:] = 0
        state = self.state
        if state is State.DRAINING:
            self.drain_left -= frames
            if self.drain_left <= 0:
                self._go(Event.DRAINED)
            return self.state is not State.FINISHED
        if state is State.PAUSED or state is State.FINISHED:
            return state is State.PAUSED
        fading_out = state in (State.PAUSING, State.STOPPING)
        source = self.fading if fading_out else state
        if source is State.GET_READY:
            written = self._get_ready(out, frames)
            if written < frames:
                self._timeline(out[written:], frames - written)
        elif source is State.PLAYING:
            self._timeline(out, frames)
        # else: stopped while paused, nothing sounds to fade out
        if fading_out:
            span = min(self.fade, frames)
            down = np.linspace(1.0, 1.0 - span / self.fade, span, endpoint=False)
            out[:span] *= np.clip(down, 0, 1)[:, None].astype(np.float32)
            out[span:] = 0
            self._go(Event.FADED)
        out *= np.float32(self.volume)
        return self.state is not State.FINISHED

    def _get_ready(self, out: Samples, frames: int) -> int:
        """The next of the get-ready sound into ``out``; how many frames that was."""
        assert self.get_ready is not None
        chunk = self.get_ready[self.get_ready_at : self.get_ready_at + frames]
        out[: len(chunk)] = chunk[:, None] if chunk.ndim == 1 else chunk
        self.get_ready_at += len(chunk)
        if self.get_ready_at >= len(self.get_ready):
            self._go(Event.READY)
        return len(chunk)

    def _timeline(self, out: Samples, need: int) -> None:
        """The next ``need`` frames of the timeline into ``out``, with the ramps on it."""
        data, got = self._take(need)
        if got < need and self.stream.position < self.total:
            # nothing rendered in time: the device plays silence, the timeline owes it
            self.underruns += 1
            self.owed.stalled(need - got)
        if self.fade_in:
            ramp = np.minimum(np.arange(1, got + 1) / self.fade, 1.0)
            span = min(self.fade_in, got)
            data[:span] *= ramp[:span, None].astype(np.float32)
            self.fade_in -= span
        if self.crossfade is not None:
            old, _ = self.crossfade.old.take(need, self.channels)
            span = min(self.crossfade.left, need)
            down = np.linspace(self.crossfade.left / self.fade, 0, span, endpoint=False)
            data[:span] += old[:span] * down[:, None].astype(np.float32)
            self.crossfade.left -= span
            if self.crossfade.left <= 0:
                self.crossfade = None
        out[:] = data
        if got < need and self.stream.position >= self.total and self.crossfade is None:
            self._go(Event.RAN_OUT)

    def _take(self, need: int) -> tuple[Samples, int]:
        """The next ``need`` frames of the timeline, paying what is owed on the way (not
        while a ramp runs)."""
        if not self.owed.frames or self.crossfade is not None or self.fade_in:
            return self.stream.take(need, self.channels)
        data, got, jump = self.owed.take(self.stream, need)
        if jump:
            self._seek(self.stream.position + jump, forgive=False)
        return data, got

    def _stream(self, frame: int) -> Stream:
        """A stream from ``frame`` on, keeping what a device may drop to play again."""
        return Stream(frame, keep=round(REPLAY_SECONDS * self.rate))

    def replay(self, frames: int) -> None:
        """The device ran short and may have dropped up to ``frames`` it held: play them
        again, fading in, and owe the time that takes (taken back from silence)."""
        with self.lock:
            if self.state is not State.PLAYING:
                return
            self.owed.replaying(self.stream.rewind(frames))
            self.fade_in = self.fade

    # -- commands

    @property
    def position(self) -> int:
        """The timeline frame being heard next."""
        with self.lock:
            return self.stream.position

    def pause(self) -> None:
        with self.lock:
            self._go(Event.PAUSE)

    def resume(self) -> None:
        """Continue where it paused, after "Get ready" and a short countdown."""
        with self.lock:
            self._go(Event.RESUME)

    def toggle_pause(self) -> None:
        with self.lock:
            self._go(Event.RESUME if self.paused else Event.PAUSE)

    def stop(self) -> None:
        """Fade out and stop: the callback fades, plays the device's latency of silence
        (:meth:`drain_for`) so the fade is heard, then ends the stream."""
        with self.lock:
            self._go(Event.STOP)

    def drain_for(self, seconds: float) -> None:
        """How long the silence after the stop's fade-out lasts."""
        with self.lock:
            self.drain_frames = round(seconds * self.rate)

    def seek(self, frame: int) -> None:
        """Jump to ``frame``, crossfading from what was playing."""
        with self.lock:
            self._seek(frame)

    def _seek(self, frame: int, *, forgive: bool = True) -> None:
        frame = max(0, min(frame, self.total))
        if not self.paused:
            self.crossfade = Crossfade(self.stream, self.fade)
        self.stream = self._stream(frame)
        self.feed_position = frame
        if forgive:
            self.owed.forgive()
        self.generation += 1
        self.fade_in = self.fade
        self.wake.notify_all()

    def stage_starts(self) -> list[Segment]:
        return [s for s in self.script.segments if s.kind == "stage"]

    def next_stage(self) -> Segment | None:
        """Skip to the start of the next stage part; None at the last one."""
        now = self.position / self.rate
        later = [s for s in self.stage_starts() if s.start > now + 1e-6]
        if not later:
            return None
        self.seek(round(later[0].start * self.rate))
        return later[0]

    def previous_stage(self) -> Segment | None:
        """Restart the current stage part, or go back one when just past its start."""
        now = self.position / self.rate
        started = [s for s in self.stage_starts() if s.start <= now + 1e-6]
        if not started:
            target = self.stage_starts()[0] if self.stage_starts() else None
        elif now - started[-1].start < RESTART_GRACE_SECONDS and len(started) > 1:
            target = started[-2]
        else:
            target = started[-1]
        if target is not None:
            self.seek(round(target.start * self.rate))
        return target

    def change_volume(self, step: float) -> float:
        with self.lock:
            self.volume = float(min(max(self.volume + step, 0.0), 1.5))
            return self.volume

    def close(self) -> None:
        with self.lock:
            self._closing = True
            self.wake.notify_all()
        if self._feeder.is_alive():
            self._feeder.join(timeout=2)
