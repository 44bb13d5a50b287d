"""Live playback: the rendered timeline streamed through one output stream.

The :class:`Player` is the engine room and knows nothing of terminals or PortAudio:

- a feeder thread renders ahead from the :class:`~voiceguide.audio.render.Renderer` (the very
  blocks the exporter writes) into a small buffer;
- :meth:`Player.callback` is the audio callback: it only copies frames, applies the
  volume and the short fades of pause, seek and stop, and counts what it played, so cue
  times are sample-exact and cannot drift;
- when the device lost time to an underrun (the machine was too busy to call back in
  time, and the device played silence meanwhile), the callback skips as many frames of
  the timeline, with a short crossfade, so every later cue is on time again;
- commands (pause, resume, next, previous, volume, stop) may come from any thread.

:class:`SoundDeviceOutput` is the real sink: one ``sounddevice`` stream, open from the
first sample to the last.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from voiceguide.audio.render import BLOCK_FRAMES, Renderer
from voiceguide.errors import AudioError
from voiceguide.model.script import Segment
from voiceguide.play.terminal import Status

Samples = npt.NDArray[np.float32]

FADE_SECONDS = 0.02
"""Length of the fades at pause, seek and stop: short, and never a click."""
AHEAD_SECONDS = 1.5
"""How far the feeder renders ahead of what is heard."""
RESTART_GRACE_SECONDS = 3.0
"""'Previous' within this many seconds of a stage's start goes to the stage before."""
VOLUME_STEP = 0.1
MIN_GAP_SECONDS = 0.001
"""A device gap shorter than this is left alone (no skip for under a millisecond)."""
STEADY_CALLBACKS = 3
"""A step in the device's timing counts as a gap once it has held this many callbacks."""


class AudioSink(Protocol):
    """Where the frames go: calls ``callback(out, frames, lost)`` from its own thread."""

    def start(
        self, callback: Callable[[Samples, int, int], bool], done: Callable[[], None]
    ) -> None:
        """Call ``callback(out, frames, lost)`` per block: ``lost`` is how many frames of
        silence the device played on its own since the last call (an underrun)."""
        ...

    @property
    def latency(self) -> float:
        """Seconds between a frame leaving the callback and being heard."""
        ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class _Stream:
    """Frames of the timeline from ``position`` on, rendered ahead."""

    position: int
    blocks: collections.deque[Samples]
    offset: int = 0  # into blocks[0]

    def buffered(self) -> int:
        return sum(len(b) for b in self.blocks) - self.offset

    def take(self, frames: int, channels: int) -> tuple[Samples, int]:
        """Up to ``frames`` frames from the buffer (fewer on an underrun)."""
        out = np.zeros((frames, channels), dtype=np.float32)
        filled = 0
        while filled < frames and self.blocks:
            block = self.blocks[0]
            count = min(frames - filled, len(block) - self.offset)
            out[filled : filled + count] = block[self.offset : self.offset + count]
            filled += count
            self.offset += count
            if self.offset == len(block):
                self.blocks.popleft()
                self.offset = 0
        self.position += filled
        return out, filled


class Player:
    """Plays a rendered guide; thread-safe commands, a real-time-safe callback."""

    def __init__(
        self,
        renderer: Renderer,
        *,
        start_frame: int = 0,
        volume: float = 1.0,
        get_ready: Samples | None = None,
    ) -> None:
        self.renderer = renderer
        self.script = renderer.script
        self.rate = renderer.settings.sample_rate
        self.channels = renderer.settings.channels
        self.total = renderer.total_frames
        self.volume = volume
        self.get_ready = get_ready
        self.fade = max(int(self.rate * FADE_SECONDS), 1)
        self.ahead = int(self.rate * AHEAD_SECONDS)
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.stream = _Stream(min(start_frame, self.total), collections.deque())
        self.feed_position = self.stream.position
        self.generation = 0
        self.paused = False
        self.pausing = 0  # frames of fade-out left before the pause takes hold
        self.stopping = False
        self.finished = threading.Event()
        self.prelude: Samples | None = None
        self.prelude_offset = 0
        self.fade_in = 0  # frames of fade-in left
        self.old: _Stream | None = None  # the stream being crossfaded out after a seek
        self.old_left = 0
        self.drain_frames = 0  # silence played after the stop fade, so it reaches the device
        self.draining: int | None = None
        self.underruns = 0
        self.debt = 0  # timeline frames to skip: the device lost that much time
        self.skipped = 0  # timeline frames skipped so far to stay on time
        self.played = 0  # frames handed to the device, silence included
        self.callbacks = 0
        self.last_callback = time.monotonic()
        self.error: BaseException | None = None
        self._feeder = threading.Thread(target=self._feed, name="voiceguide-feeder", daemon=True)
        self._closing = False

    # -- feeding

    def start_feeding(self, prefill_seconds: float = 0.5) -> None:
        """Start rendering ahead; return once ``prefill_seconds`` are ready (or the end)."""
        self._feeder.start()
        want = min(int(self.rate * prefill_seconds), self.total - self.stream.position)
        deadline = time.monotonic() + 10
        with self.lock:
            while self.stream.buffered() < want and self.error is None:
                if time.monotonic() > deadline:
                    break
                self.wake.wait(0.05)
        if self.error is not None:
            raise self.error

    def _feed(self) -> None:
        ahead = self.ahead
        try:
            while True:
                with self.lock:
                    while not self._closing and (
                        self.feed_position >= self.total or self.stream.buffered() >= ahead
                    ):
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

    def callback(self, out: Samples, frames: int, lost: int = 0) -> bool:
        """Fill ``out`` (frames × channels); return False once playback is over.

        ``lost``: frames of silence the device played on its own before this block. While
        the guide is playing, the timeline skips as many, so what follows is on time; while
        paused (or saying "get ready") a gap moves nothing and is forgotten."""
        self.last_callback = time.monotonic()
        self.callbacks += 1
        with self.lock:
            if lost > 0 and self._advancing():
                self.debt += lost
                if self.debt > self.ahead:  # more than is rendered ahead: jump there
                    self.skipped += self.debt
                    self._seek(self.stream.position + self.debt)
            keep_going = self._fill(out, frames)
            self.played += frames
            self.wake.notify_all()
        return keep_going

    def _advancing(self) -> bool:
        """Whether the timeline is what the device is playing right now."""
        return not (
            self.paused or self.stopping or self.prelude is not None or self.draining is not None
        )

    def _take(self, need: int) -> tuple[Samples, int]:
        """The next ``need`` frames of the timeline; paying off a debt first, when the
        buffer holds it, by skipping that many frames with a crossfade across the jump."""
        debt = self.debt
        if not debt or self.old is not None or self.fade_in or self.stream.buffered() < debt + need:
            return self.stream.take(need, self.channels)
        window, _ = self.stream.take(debt + need, self.channels)
        data = window[debt:].copy()
        span = min(self.fade, need)
        up = (np.arange(span, dtype=np.float32) + 1) / np.float32(span + 1)
        data[:span] = data[:span] * up[:, None] + window[:span] * (1 - up)[:, None]
        self.debt = 0
        self.skipped += debt
        return data, need

    def _fill(self, out: Samples, frames: int) -> bool:
        out[:] = 0
        if self.draining is not None:  # faded out already: silence until it has been heard
            self.draining -= frames
            if self.draining <= 0:
                self.finished.set()
                return False
            return True
        if self.paused and not self.pausing:
            if self.stopping:
                self.draining = self.drain_frames
            return True
        written = 0
        if self.prelude is not None:
            chunk = self.prelude[self.prelude_offset : self.prelude_offset + frames]
            out[: len(chunk)] = chunk[:, None] if chunk.ndim == 1 else chunk
            self.prelude_offset += len(chunk)
            written = len(chunk)
            if self.prelude_offset >= len(self.prelude):
                self.prelude = None
                self.fade_in = self.fade
        if written < frames:
            need = frames - written
            data, got = self._take(need)
            if got < need and self.stream.position < self.total:
                self.underruns += 1
            if self.fade_in:
                ramp = np.minimum(np.arange(1, got + 1) / self.fade, 1.0)
                span = min(self.fade_in, got)
                data[:span] *= ramp[:span, None].astype(np.float32)
                self.fade_in -= span
            if self.old is not None:
                old, _ = self.old.take(need, self.channels)
                span = min(self.old_left, need)
                down = np.linspace(self.old_left / self.fade, 0, span, endpoint=False)
                data[:span] += old[:span] * down[:, None].astype(np.float32)
                self.old_left -= span
                if self.old_left <= 0:
                    self.old = None
            out[written:] = data
            if got < need and self.stream.position >= self.total and self.old is None:
                self.finished.set()
        if self.pausing or self.stopping:
            span = min(self.pausing or self.fade, frames)
            start = (self.pausing or self.fade) / self.fade
            down = np.linspace(start, start - span / self.fade, span, endpoint=False)
            out[:span] *= np.clip(down, 0, 1)[:, None].astype(np.float32)
            out[span:] = 0
            if self.stopping:
                self.draining = self.drain_frames
                out *= np.float32(self.volume)
                return True
            self.pausing = 0
        out *= np.float32(self.volume)
        return not self.finished.is_set()

    # -- commands

    @property
    def position(self) -> int:
        """The timeline frame being heard next."""
        with self.lock:
            return self.stream.position

    def pause(self) -> None:
        with self.lock:
            if not self.paused:
                self.paused = True
                self.pausing = self.fade
                self.debt = 0

    def resume(self) -> None:
        """Continue where it paused, after "Get ready" and a short countdown."""
        with self.lock:
            if self.paused:
                self.paused = False
                self.pausing = 0
                if self.get_ready is not None:
                    self.prelude, self.prelude_offset = self.get_ready, 0
                else:
                    self.fade_in = self.fade

    def toggle_pause(self) -> None:
        if self.paused:
            self.resume()
        else:
            self.pause()

    def seek(self, frame: int) -> None:
        """Jump to ``frame``, crossfading from what was playing."""
        with self.lock:
            self._seek(frame)

    def _seek(self, frame: int) -> None:
        frame = max(0, min(frame, self.total))
        if not self.paused:
            self.old, self.old_left = self.stream, self.fade
        self.stream = _Stream(frame, collections.deque())
        self.feed_position = frame
        self.debt = 0
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

    def stop(self) -> None:
        """Fade out and stop: the callback fades, plays the device's latency of silence
        so the fade is heard, then ends the stream."""
        with self.lock:
            self.stopping = True

    def close(self) -> None:
        with self.lock:
            self._closing = True
            self.wake.notify_all()
        if self._feeder.is_alive():
            self._feeder.join(timeout=2)


class GapDetector:
    """Finds the time a device lost to an underrun, from the times PortAudio gives each
    callback: when the first frame of the block will be heard (its DAC time).

    Playing steadily, that time moves on by exactly the frames handed over: the *lag*
    between the two stays level, apart from jitter and a slow drift of the device's
    clock, which are followed. After an underrun the device has played silence of its
    own, and every later block is heard later by that much: the lag steps up and stays
    up. A step of at least :data:`MIN_GAP_SECONDS` that holds for
    :data:`STEADY_CALLBACKS` callbacks is reported, once, as lost frames; a spike that
    does not hold is jitter. The device's own underrun flag is not needed (it can come a
    callback late or not at all). A host API that gives no DAC times (0) gives no gaps."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.origin: float | None = None
        self.frames = 0
        self.level = 0.0  # the lag the timeline is on
        self.held = 0  # callbacks the lag has stayed a step above that

    def lost(self, dac_time: float, frames: int) -> int:
        """Frames of silence the device inserted before this block (reported once the
        step in the lag has held)."""
        if dac_time <= 0:
            return 0
        if self.origin is None:
            self.origin, self.frames = dac_time, frames
            return 0
        lag = dac_time - self.origin - self.frames / self.rate
        self.frames += frames
        if lag - self.level < MIN_GAP_SECONDS:
            self.level, self.held = lag, 0  # steady: follow jitter and drift
            return 0
        self.held += 1
        if self.held < STEADY_CALLBACKS:
            return 0
        gap = round((lag - self.level) * self.rate)
        self.level, self.held = lag, 0
        return gap


class SoundDeviceOutput:
    """The real sink: one sounddevice output stream for the whole session."""

    def __init__(
        self, rate: int, channels: int, device: int | str | None = None, blocksize: int = 1024
    ) -> None:
        self.rate = rate
        self.channels = channels
        self.device = device
        self.blocksize = blocksize
        self.stream: Any = None
        self.status_errors = 0

    def start(
        self, callback: Callable[[Samples, int, int], bool], done: Callable[[], None]
    ) -> None:
        sd = import_sounddevice()
        gaps = GapDetector(self.rate)

        def audio(outdata: Any, frames: int, times: Any, status: Any) -> None:
            if status.output_underflow:
                self.status_errors += 1
            if not callback(outdata, frames, gaps.lost(float(times.outputBufferDacTime), frames)):
                raise sd.CallbackStop

        try:
            self.stream = sd.OutputStream(
                samplerate=self.rate,
                channels=self.channels,
                dtype="float32",
                device=self.device,
                blocksize=self.blocksize,
                latency="low",
                callback=audio,
                finished_callback=done,
            )
            self.stream.start()
        except sd.PortAudioError as exc:
            raise AudioError(f"cannot open the audio output: {exc}") from None

    @property
    def latency(self) -> float:
        return float(self.stream.latency) if self.stream is not None else 0.0

    def stop(self) -> None:
        if self.stream is not None:
            with contextlib.suppress(Exception):  # the device may be gone; closing matters
                self.stream.stop()

    def close(self) -> None:
        if self.stream is not None:
            with contextlib.suppress(Exception):  # the device may already be gone
                self.stream.close()
            self.stream = None


def import_sounddevice() -> Any:
    """sounddevice, or an AudioError saying how to install PortAudio."""
    try:
        import sounddevice
    except OSError:
        raise AudioError(
            "the PortAudio library is missing; on Debian/Ubuntu: sudo apt-get install libportaudio2"
        ) from None
    return sounddevice


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    host: str
    channels: int
    default: bool


def output_devices() -> list[OutputDevice]:
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default = sd.default.device[1]
    except sd.PortAudioError as exc:
        raise AudioError(f"cannot list audio devices: {exc}") from None
    return [
        OutputDevice(
            index,
            str(info["name"]),
            str(hostapis[info["hostapi"]]["name"]),
            int(info["max_output_channels"]),
            index == default,
        )
        for index, info in enumerate(devices)
        if info["max_output_channels"] > 0
    ]


NO_DEVICE = "no audio output device found; export the guide instead: voiceguide export ROUTINE"


def find_output(device: int | str | None) -> int | str | None:
    """The device to open: an index, a name substring, or None for the default."""
    sd = import_sounddevice()
    outputs = output_devices()
    if not outputs:
        raise AudioError(NO_DEVICE)
    if device is None:
        if sd.default.device[1] < 0:
            return outputs[0].index
        return None
    wanted = int(device) if isinstance(device, str) and device.isdigit() else device
    try:
        info = sd.query_devices(wanted, "output")
    except (ValueError, sd.PortAudioError):
        names = ", ".join(f"{o.index}: {o.name}" for o in outputs)
        raise AudioError(f"no output device matches {str(device)!r}; outputs are {names}") from None
    return int(info["index"])


# --------------------------------------------------------------------------- a session


def get_ready_audio(renderer: Renderer, clips: Any, phrase: str, count: int = 3) -> Samples:
    """What plays on resume: the "get ready" phrase, then a ticked countdown."""
    from voiceguide.audio.loudness import db_to_gain
    from voiceguide.audio.render import TONE_GAIN_DB

    rate = renderer.settings.sample_rate
    parts: list[tuple[float, Samples]] = []
    start = 0.2
    if phrase:
        parts.append((start, clips.clip(phrase)))
        start += len(parts[0][1]) / rate + 0.4
    tick = clips.sound_clip("tick") * np.float32(db_to_gain(TONE_GAIN_DB))
    for number in range(count, 0, -1):
        parts.append((start, tick))
        parts.append((start, clips.clip(str(number))))
        start += 1.0
    length = round(start * rate)
    out = np.zeros(length, dtype=np.float32)
    for at, samples in parts:
        first = round(at * rate)
        piece = samples[: max(length - first, 0)]
        out[first : first + len(piece)] += piece
    out *= np.float32(renderer.gain)
    np.clip(out, -0.98, 0.98, out=out)
    if renderer.settings.channels == 2:
        return np.repeat(out[:, None], 2, axis=1)
    return out


@dataclass(frozen=True)
class Outcome:
    """How a session ended: finished, quit, interrupted or device-lost; and where."""

    reason: str
    seconds: float
    segment: Segment
    dropouts: int = 0
    """Times the sound had to wait for samples (the machine was too busy)."""
    skipped: float = 0.0
    """Seconds of the guide skipped to make up for the time those gaps took."""

    @property
    def completed(self) -> bool:
        return self.reason == "finished"


class _Keys(Protocol):
    def pending(self) -> Any: ...


class _Display(Protocol):
    def status(self, status: Status) -> None: ...

    def message(self, text: str) -> None: ...

    def close(self) -> None: ...


def run_session(
    player: Player,
    sink: AudioSink,
    keys: _Keys,
    display: _Display,
    *,
    poll: float = 0.05,
    watchdog: float = 3.0,
    first_callback: float = 15.0,
    progress: Callable[[float, str], None] | None = None,
    progress_every: float = 5.0,
) -> Outcome:
    """Play until the end, a quit, Ctrl-C or a lost device; the sink is always closed."""
    done = threading.Event()
    reason = "finished"
    player.start_feeding()
    player.last_callback = time.monotonic()
    sink.start(player.callback, done.set)
    drain = sink.latency + 0.05
    with player.lock:
        player.drain_frames = round(drain * player.rate)
    reported = time.monotonic()
    try:
        while True:
            if player.error is not None:
                raise player.error
            for command in keys.pending():
                if command == "quit":
                    reason = "quit"
                elif command == "pause":
                    player.toggle_pause()
                    display.message("paused: press space to go on" if player.paused else "go on")
                elif command == "next":
                    if player.next_stage() is None:
                        display.message("this is the last stage")
                elif command == "previous":
                    player.previous_stage()
                elif command in {"louder", "quieter"}:
                    player.change_volume(VOLUME_STEP if command == "louder" else -VOLUME_STEP)
            if reason == "quit":
                player.stop()
                done.wait(drain + 0.5)
                break
            if player.finished.is_set():
                done.wait(1.0)
                break
            # The device is gone when the stream ended by itself, or when the callback has
            # stopped coming; a busy machine may take a while for the very first one.
            silent_for = time.monotonic() - player.last_callback
            limit = watchdog if player.callbacks else first_callback
            if done.is_set() or silent_for > limit:
                reason = "device-lost"
                break
            _show(player, display)
            if progress is not None and time.monotonic() - reported > progress_every:
                reported = time.monotonic()
                seconds = player.position / player.rate
                progress(seconds, player.script.segment_at(seconds).label)
            time.sleep(poll)
    except KeyboardInterrupt:
        reason = "interrupted"
        player.stop()
        done.wait(drain + 0.2)
    finally:
        _close_quietly(sink, abort=reason == "device-lost")
        player.close()
        display.close()
    seconds = player.position / player.rate
    dropouts = player.underruns + getattr(sink, "status_errors", 0)
    skipped = player.skipped / player.rate
    return Outcome(reason, seconds, player.script.segment_at(seconds), dropouts, skipped)


def _show(player: Player, display: _Display) -> None:
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


def play_guide(
    guide: Any,
    *,
    start: float = 0.0,
    volume: float = 1.0,
    device: int | str | None = None,
    get_ready_phrase: str = "",
    progress: Callable[[float, str], None] | None = None,
) -> Outcome:
    """Play ``guide`` from ``start`` seconds on the output ``device`` with the terminal's
    keys and status display."""
    from voiceguide.play.terminal import HELP, Display, KeyReader

    settings = guide.renderer.settings
    player = Player(
        guide.renderer,
        start_frame=round(start * settings.sample_rate),
        volume=volume,
        get_ready=get_ready_audio(guide.renderer, guide.clips, get_ready_phrase),
    )
    display = Display()
    sink = SoundDeviceOutput(settings.sample_rate, settings.channels, device)
    with KeyReader() as keys:
        if keys.interactive:
            display.message(HELP)
        return run_session(player, sink, keys, display, progress=progress)
