"""Fakes for live playback: a clock that moves only when slept on, a sink that plays what
that time covers and keeps every frame, scripted keys, and a display that remembers.

    clock = FakeClock()
    output = FakeOutput(clock, lost_at=12.0)
    with installed(speech=FakeSpeech(), output=output, clock=clock,
                   keys=FakeKeys(clock, [(2.0, "pause")]), display=FakeDisplay()):
        CliRunner().invoke(cli, ["play", "neck", "--yes"])
    output.opened[0].played  # every frame the player handed over

The sink calls the player back from the thread that sleeps (the session loop), so a
session runs as fast as it can be computed and the same way every time: before and after
each batch of callbacks it waits (in real time, at most a few seconds) until the
player's feeder has rendered all it renders ahead, so what is played never depends on
how the threads were scheduled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from voiceguide.errors import NoOutputDevice

if TYPE_CHECKING:
    from voiceguide.play.devices import OutputDevice
    from voiceguide.play.terminal import Status
    from voiceguide.ports import Samples

NANOSECONDS = 1_000_000_000


class FakeClock:
    """Time that passes only in :meth:`sleep`, in whole nanoseconds (so sums are exact).

    Whatever waits on the time (a :class:`FakeSink`) is told after each sleep.
    ``interrupt_at``: the first sleep that reaches that time raises KeyboardInterrupt
    (Ctrl-C), once."""

    def __init__(self, start: float = 0.0, *, interrupt_at: float | None = None) -> None:
        self.ns = round(start * NANOSECONDS)
        self.interrupt_at = interrupt_at
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        return self.ns / NANOSECONDS

    def sleep(self, seconds: float) -> None:
        if self.interrupt_at is not None and self.now() + seconds >= self.interrupt_at:
            self.ns = round(self.interrupt_at * NANOSECONDS)
            self.interrupt_at = None
            raise KeyboardInterrupt
        self.ns += max(round(seconds * NANOSECONDS), 0)
        for listener in list(self._listeners):
            listener()

    def on_sleep(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every sleep."""
        self._listeners.append(listener)

    def forget(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)


class _Rendered(Protocol):
    def wait_rendered(self, timeout: float = ...) -> bool: ...


class FakeSink:
    """An :class:`~voiceguide.ports.AudioSink` on a :class:`FakeClock`: each sleep plays the
    blocks of ``block`` frames that the time slept covers, calling the callback for each.

    :attr:`played` is every frame the callback handed over, in order; :attr:`heard` is
    what came out of the device, with the silence of its gaps.

    ``gaps``: {seconds: frames}: at the first block due at or after those seconds, the
    device has played that many frames of silence of its own (an underrun): they take
    their time, the callback is told them as ``lost``, and the device counts an
    underflow (:attr:`status_errors`). ``lost_at``: from then on the device is gone: no
    callback comes again (and with ``ends`` the stream ends, calling ``done``)."""

    def __init__(
        self,
        clock: FakeClock,
        rate: int,
        channels: int = 1,
        *,
        block: int = 1024,
        latency: float = 0.0,
        gaps: Mapping[float, int] | None = None,
        lost_at: float | None = None,
        ends: bool = False,
    ) -> None:
        self.clock = clock
        self.rate = rate
        self.channels = channels
        self.block = block
        self._latency = latency
        self.gaps = dict(sorted((gaps or {}).items()))
        self.lost_at = lost_at
        self.ends = ends
        self.pieces: list[tuple[bool, Samples]] = []  # (from the callback?, frames)
        self.lost: list[int] = []  # per callback
        self.status_errors = 0
        self.started: float | None = None
        self.running = False
        self.stopped = False
        self.closed = False
        self._frames = 0  # device frames played since start, gaps included
        self._start_ns = 0
        self._callback: Callable[[Samples, int, int, int], bool] | None = None
        self._done: Callable[[], None] | None = None

    @property
    def latency(self) -> float:
        return self._latency

    def start(
        self, callback: Callable[[Samples, int, int, int], bool], done: Callable[[], None]
    ) -> None:
        self._callback, self._done = callback, done
        self.started = self.clock.now()
        self._start_ns = self.clock.ns
        self.running = True
        self.clock.on_sleep(self._advance)

    def _source(self) -> _Rendered | None:
        owner = getattr(self._callback, "__self__", None)
        return owner if hasattr(owner, "wait_rendered") else None

    def _advance(self) -> None:
        if not self.running or self._callback is None:
            return
        now = self.clock.now()
        if self.lost_at is not None and now >= self.lost_at:
            self._finish(call_done=self.ends)
            return
        due = (self.clock.ns - self._start_ns) * self.rate // NANOSECONDS
        source = self._source()
        while self.running and self._frames + self.block <= due:
            lost = 0
            at = self.started + self._frames / self.rate if self.started is not None else 0.0
            for when in [w for w in self.gaps if w <= at]:
                lost += self.gaps.pop(when)
            if lost:
                self.status_errors += 1
                self._frames += lost
                silence = _zeros(lost, self.channels)
                self.pieces.append((False, silence))
            if source is not None:
                source.wait_rendered()
            out = _zeros(self.block, self.channels)
            keep_going = self._callback(out, self.block, lost, 0)
            self.pieces.append((True, out))
            self.lost.append(lost)
            self._frames += self.block
            if not keep_going:
                self._finish(call_done=True)
        if source is not None:
            source.wait_rendered()

    def _finish(self, *, call_done: bool) -> None:
        self.running = False
        self.clock.forget(self._advance)
        if call_done and self._done is not None:
            self._done()

    @property
    def played(self) -> Samples:
        """Every frame the callback handed over (frames × channels)."""
        return _joined(frames for played, frames in self.pieces if played)

    @property
    def heard(self) -> Samples:
        """What the device played: the callback's frames and the silence of its gaps."""
        return _joined(frames for _, frames in self.pieces)

    def stop(self) -> None:
        self.stopped = True
        self._finish(call_done=self.running)

    def close(self) -> None:
        self.closed = True
        if self.running:
            self._finish(call_done=False)


def _zeros(frames: int, channels: int) -> Samples:
    import numpy as np  # here: importing voiceguide.testing stays light

    return np.zeros((frames, channels), dtype=np.float32)


def _joined(blocks: Iterable[Samples]) -> Samples:
    import numpy as np

    pieces = list(blocks)
    return np.concatenate(pieces) if pieces else _zeros(0, 1)


FAKE_DEVICES = ("Fake speakers", "Fake headphones")
"""The output devices a :class:`FakeOutput` has (the first is the default)."""


class FakeOutput:
    """An :class:`~voiceguide.ports.AudioOutput` whose sinks are :class:`FakeSink`\\ s on
    one clock (the options are each sink's); :attr:`opened` keeps every sink it made, with
    the device and latency it was asked for in :attr:`devices_opened` and
    :attr:`latencies_opened`. Its devices are
    :data:`FAKE_DEVICES` (or ``names``; none: as a machine with no sound card), found by
    index or part of a name as the real ones are."""

    def __init__(
        self, clock: FakeClock, *, names: Sequence[str] = FAKE_DEVICES, **options: object
    ) -> None:
        self.clock = clock
        self.names = tuple(names)
        self.options = options
        self.opened: list[FakeSink] = []
        self.devices_opened: list[int | str | None] = []
        self.latencies_opened: list[float] = []

    def devices(self) -> list[OutputDevice]:
        from voiceguide.play.devices import OutputDevice

        return [
            OutputDevice(index, name, "Fake", 2, index == 0)
            for index, name in enumerate(self.names)
        ]

    def find(self, device: int | str | None) -> int | str | None:
        if not self.names:
            from voiceguide.play.devices import NO_DEVICE

            raise NoOutputDevice(NO_DEVICE)
        if device is None:
            return None
        for found in self.devices():
            if device == found.index or str(device).casefold() in found.name.casefold():
                return found.index
        from voiceguide.play.devices import no_device_matches

        raise no_device_matches(device, self.devices())

    def open(
        self, sample_rate: int, channels: int, device: int | str | None, latency: float = 0.1
    ) -> FakeSink:
        sink = FakeSink(self.clock, sample_rate, channels, **self.options)  # type: ignore[arg-type]
        self.opened.append(sink)
        self.devices_opened.append(device)
        self.latencies_opened.append(latency)
        return sink


class FakeKeys:
    """The patient's commands, each at a time on the clock: ``[(2.0, "pause"), ...]``.

    :meth:`pending` gives those whose time has come, once each, in order."""

    def __init__(
        self,
        clock: FakeClock,
        script: Iterable[tuple[float, str]] = (),
        *,
        interactive: bool = True,
    ) -> None:
        self.clock = clock
        self.script = sorted(script, key=lambda item: item[0])
        self._interactive = interactive
        self.given: list[tuple[float, str]] = []

    @property
    def interactive(self) -> bool:
        return self._interactive

    def pending(self) -> Iterator[str]:
        now = self.clock.now()
        while self.script and self.script[0][0] <= now + 1e-9:
            _, command = self.script.pop(0)
            self.given.append((now, command))
            yield command


class FakeDisplay:
    """Remembers every status and message shown, and whether it was closed."""

    def __init__(self) -> None:
        self.statuses: list[Status] = []
        self.messages: list[str] = []
        self.closed = False

    def status(self, status: Status) -> None:
        self.statuses.append(status)

    def message(self, text: str) -> None:
        self.messages.append(text)

    def close(self) -> None:
        self.closed = True


__all__ = ["FAKE_DEVICES", "FakeClock", "FakeDisplay", "FakeKeys", "FakeOutput", "FakeSink"]
