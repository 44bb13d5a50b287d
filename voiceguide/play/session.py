"""A session: the player, a sink, the patient's keys and a display, until it ends.

:func:`run_session` plays until the end, a quit, Ctrl-C (or SIGTERM, SIGHUP: see
:mod:`voiceguide.signals`) or a lost device, and says how it ended (:class:`Outcome`).
Time is the :class:`~voiceguide.ports.Clock`'s, so a test runs an hour's session in a
moment.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass

from voiceguide.model.script import Segment
from voiceguide.play.player import Player
from voiceguide.play.terminal import Status
from voiceguide.ports import AudioSink, Clock, Display, Keys, MonotonicClock
from voiceguide.signals import Stopped

VOLUME_STEP = 0.1
WAIT_STEP = 0.01
"""How often a wait for the sink to end looks again, in seconds."""

SessionProgress = Callable[[float, str], None]
"""Told (seconds into the guide, the stage's label) every so often."""


@dataclass(frozen=True)
class Outcome:
    """How a session ended: finished, quit, interrupted (Ctrl-C), terminated (SIGTERM),
    hung-up (SIGHUP) or device-lost; and where."""

    reason: str
    seconds: float
    segment: Segment
    stalls: int = 0
    """Times the sound stalled: the machine was too busy to feed the device in time, and
    the device played silence of its own (measured, and made up)."""
    underflows: int = 0
    """Times the device said it ran short (once for blocks in a row): with ALSA's
    PulseAudio plugin the server may then drop what it was given last, so what the
    device held is played again (:class:`voiceguide.play.gaps.ShortWatch`)."""
    lost: float = 0.0
    """Seconds of silence the device played meanwhile, in all."""
    taken_back: float = 0.0
    """Seconds of the guide's silences left out to be on time again."""
    skipped: float = 0.0
    """Seconds of the guide's sound skipped to be on time again (no silence came soon
    enough)."""


def run_session(
    player: Player,
    sink: AudioSink,
    keys: Keys,
    display: Display,
    *,
    clock: Clock | None = None,
    poll: float = 0.05,
    watchdog: float = 3.0,
    first_callback: float = 15.0,
    progress: SessionProgress | None = None,
    progress_every: float = 5.0,
    course: str | None = None,
) -> Outcome:
    """Play until the end, a quit, Ctrl-C or a lost device; the sink is always closed.
    ``course`` names the course session on the status line ("session 3 of 10")."""
    clock = clock or MonotonicClock()
    done = threading.Event()
    reason = "finished"
    player.start_feeding()
    gc.freeze()  # a full collection over all that is loaded would hold up the sound
    player.last_callback = clock.now()
    sink.start(player.callback, done.set)
    drain = sink.latency + 0.05
    player.drain_for(drain)
    reported = clock.now()
    try:
        while True:
            if player.error is not None:
                raise player.error
            for command in keys.pending():
                if command == "quit":
                    reason = "quit"
                elif command == "pause":
                    player.toggle_pause()
                elif command == "next":
                    if player.next_stage() is None:
                        display.message("this is the last stage")
                elif command == "previous":
                    player.previous_stage()
                elif command in {"louder", "quieter"}:
                    player.change_volume(VOLUME_STEP if command == "louder" else -VOLUME_STEP)
            if reason == "quit":
                player.stop()
                _wait(done, drain + 0.5, clock)
                break
            if player.finished.is_set():
                _wait(done, 1.0, clock)
                break
            # The device is gone when the stream ended by itself, or when the callback has
            # stopped coming; a busy machine may take a while for the very first one.
            silent_for = clock.now() - player.last_callback
            limit = watchdog if player.callbacks else first_callback
            if done.is_set() or silent_for > limit:
                reason = "device-lost"
                break
            _show(player, display, course)
            if progress is not None and clock.now() - reported > progress_every:
                reported = clock.now()
                seconds = player.position / player.rate
                progress(seconds, player.script.segment_at(seconds).label)
            clock.sleep(poll)
    except (KeyboardInterrupt, Stopped) as stop:
        reason = stop.reason if isinstance(stop, Stopped) else "interrupted"
        player.stop()
        _wait(done, drain + 0.2, clock)
    finally:
        _close_quietly(sink, abort=reason == "device-lost")
        player.close()
        with contextlib.suppress(OSError, ValueError):  # a terminal that hung up
            display.close()
    seconds = player.position / player.rate
    rate = player.rate
    return Outcome(
        reason,
        seconds,
        player.script.segment_at(seconds),
        stalls=player.owed.stalls,
        underflows=sink.status_errors,
        lost=player.owed.lost / rate,
        taken_back=player.owed.taken_back / rate,
        skipped=player.owed.skipped / rate,
    )


def _wait(done: threading.Event, seconds: float, clock: Clock) -> None:
    """Until ``done`` is set, for at most ``seconds`` on ``clock``."""
    deadline = clock.now() + seconds
    while not done.is_set():
        left = deadline - clock.now()
        if left <= 0:
            return
        clock.sleep(min(left, WAIT_STEP))


def _show(player: Player, display: Display, course: str | None) -> None:
    seconds = player.position / player.rate
    script = player.script
    segment = script.segment_at(seconds)
    later = [s for s in script.segments if s.kind == "stage" and s.start > segment.start]
    display.status(
        Status(
            segment_index=segment.index,
            label=segment.label if segment.kind != "transition" else "pause",
            stage_left=max(segment.end - seconds, 0.0),
            session_left=max(script.duration - seconds, 0.0),
            progress=min(seconds / script.duration, 1.0) if script.duration else 1.0,
            next_label=later[0].label if later else None,
            paused=player.paused,
            volume=player.volume,
            course=course,
        )
    )


def _close_quietly(sink: AudioSink, *, abort: bool) -> None:
    """Stop and close the sink without ever hanging on a device that is gone."""

    def close() -> None:
        with contextlib.suppress(Exception):
            if not abort:
                sink.stop()
            sink.close()

    closer = threading.Thread(target=close, daemon=True)
    closer.start()
    closer.join(timeout=2.0)
