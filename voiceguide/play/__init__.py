"""Live playback: the player, the session loop, devices and the terminal.

:func:`play` is the one entry: a prepared guide in, how the session ended out. Each part
(sink, clock, keys, display) is a defaulted parameter: the one given, else the one
installed by :func:`voiceguide.testing.installed`, else the real one.

    outcome = play(guide, start=120.0, get_ready_phrase="Get ready")

Nothing is imported here until it is used, so ``voiceguide devices`` starts fast.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voiceguide.pipeline import Guide
    from voiceguide.play.session import Outcome, SessionProgress
    from voiceguide.ports import AudioOutput, AudioSink, Clock, Display, Keys


def audio_output() -> AudioOutput:
    """The sound outputs to use: those installed (see :func:`voiceguide.testing.installed`),
    else PortAudio's."""
    from voiceguide.ports import plugged

    installed = plugged().output
    if installed is not None:
        return installed
    from voiceguide.play.devices import PortAudioOutput

    return PortAudioOutput()


def play(
    guide: Guide,
    *,
    start: float = 0.0,
    volume: float = 1.0,
    device: int | str | None = None,
    latency: float | None = None,
    get_ready_phrase: str = "",
    progress: SessionProgress | None = None,
    sink: AudioSink | None = None,
    clock: Clock | None = None,
    keys: Keys | None = None,
    display: Display | None = None,
    course: str | None = None,
) -> Outcome:
    """Play ``guide`` from ``start`` seconds until it ends, the patient quits, Ctrl-C or
    the device is lost; say how it ended.

    On resume after a pause, ``get_ready_phrase`` (when given) and a countdown play. The
    help line is shown when keys can come. ``progress`` is told (seconds, stage) every
    few seconds; ``course`` names the course session on the status line; ``latency``:
    the seconds of sound the device holds (None: its default)."""
    from voiceguide.play.get_ready import get_ready_audio
    from voiceguide.play.player import Player
    from voiceguide.play.session import run_session
    from voiceguide.play.terminal import HELP
    from voiceguide.ports import MonotonicClock, plugged

    plugs = plugged()
    clock = clock or plugs.clock or MonotonicClock()
    renderer = guide.renderer
    rate, channels = renderer.settings.sample_rate, renderer.settings.channels
    player = Player(
        renderer,
        start_frame=round(start * rate),
        volume=volume,
        get_ready=get_ready_audio(renderer, guide.clips, get_ready_phrase),
        clock=clock,
    )
    if sink is None:
        from voiceguide.play.devices import LATENCY_SECONDS

        sink = audio_output().open(rate, channels, device, latency or LATENCY_SECONDS)
    with contextlib.ExitStack() as stack:
        if display is None:
            from voiceguide.play import terminal

            display = plugs.display or terminal.Display()
        if keys is None:
            from voiceguide.play.terminal import KeyReader

            keys = plugs.keys or stack.enter_context(KeyReader())
        if keys.interactive:
            display.message(HELP)
        return run_session(
            player, sink, keys, display, clock=clock, progress=progress, course=course
        )


__all__ = ["audio_output", "play"]
