"""The pluggable parts, in one place (as structlog keeps its ``typing.py``).

Each port is a :class:`typing.Protocol`; the real adapters live in their packages
(``speech/``, ``play/``), the fakes in :mod:`voiceguide.testing`. The library's entry
points take each part as a defaulted parameter (``synthesizer=None`` means the real
engine), and :func:`plugged` says which parts a test has installed under a command
(see :func:`voiceguide.testing.installed`).

Nothing here imports numpy: commands that never make a sound start fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from voiceguide.play.devices import OutputDevice
    from voiceguide.play.terminal import Status
    from voiceguide.speech.voices import VoiceInfo, VoiceSettings

    Samples = npt.NDArray[np.float32]
    """Audio frames: mono (frames,) or frames × channels, float32 in [-1, 1]."""

Progress = Callable[[int, int], None]
"""Told (done, total) as long work goes on."""


class Recording:
    """What a speech engine made of one text: mono float32 samples at the engine's own
    rate (treat as read-only). ``file``, when set, is the engine's own file of it, which
    the clip cache may move away rather than write the samples again."""

    __slots__ = ("file", "sample_rate", "samples")

    def __init__(self, samples: Samples, sample_rate: int, file: Path | None = None) -> None:
        self.samples, self.sample_rate, self.file = samples, sample_rate, file

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate


class Synthesizer(Protocol):
    """A speech engine with one voice: texts in, the engine's recordings out.

    ``key`` names everything that changes the recordings (engine, voice, rate, volume):
    recordings cached under one key are reused only under the same key. Resampling to
    the session's rate and trimming silence are render steps, not the engine's.
    """

    @property
    def key(self) -> str: ...

    def synthesize(self, texts: Iterable[str]) -> Iterator[tuple[str, Recording]]:
        """Each text with its recording, as each is done (the order may differ from the
        order given). A blank text gives an empty recording. A recording's ``file`` stays
        until the next one is asked for."""
        ...

    def warm_up(self, texts: list[str]) -> None:
        """A hint that ``texts`` (not cached) are to be said soon: an engine may start now,
        while the caller does other work."""
        ...

    def close(self) -> None:
        """Let the engine go (processes, temporary files)."""
        ...


class SpeechEngine(Protocol):
    """A kind of speech engine (pyttsx3; a fake in tests): its voices, and a synthesizer
    for one of them."""

    def open(self, settings: VoiceSettings) -> Synthesizer:
        """A synthesizer speaking with ``settings``; the pipeline opens one per guide."""
        ...

    def key(self, settings: VoiceSettings) -> str:
        """The :attr:`Synthesizer.key` of the synthesizer ``open(settings)`` gives, known
        without starting anything (to look in the clip cache)."""
        ...

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """The voices installed, or those for ``language``, best match first."""
        ...


class DurationOracle(Protocol):
    """How long things sound, in seconds: estimated for previews, measured for audio."""

    def speech(self, text: str) -> float: ...

    def sound(self, sound: str) -> float: ...


class AudioSink(Protocol):
    """Where the frames go: calls ``callback(out, frames, lost)`` from its own thread
    until the callback returns False, then ``done()``."""

    def start(
        self, callback: Callable[[Samples, int, int, int], bool], done: Callable[[], None]
    ) -> None:
        """Start calling ``callback(out, frames, lost, replay)`` per block: ``lost`` is how
        many frames of silence the device played on its own since the last call (an
        underrun; negative: it played on early by as many); ``replay``, how many frames
        it held and may have dropped when it ran short, to play again."""
        ...

    @property
    def latency(self) -> float:
        """Seconds between a frame leaving the callback and being heard."""
        ...

    @property
    def status_errors(self) -> int:
        """Times the device reported an underflow (it ran out of frames), once for blocks
        in a row."""
        ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class AudioOutput(Protocol):
    """The machine's sound outputs (PortAudio; a fake in tests)."""

    def devices(self) -> list[OutputDevice]:
        """The output devices, the default marked."""
        ...

    def find(self, device: int | str | None) -> int | str | None:
        """The device to open for ``device`` (an index, part of a name, or None for the
        default), checked now so that a missing one fails before any work."""
        ...

    def open(
        self, sample_rate: int, channels: int, device: int | str | None, latency: float = ...
    ) -> AudioSink:
        """A sink on that device, holding about ``latency`` seconds of sound."""
        ...


class Clock(Protocol):
    """Time as the session loop sees it."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def sleep(self, seconds: float) -> None: ...


class Keys(Protocol):
    """The patient's commands: 'pause', 'next', 'previous', 'louder', 'quieter', 'quit'."""

    @property
    def interactive(self) -> bool:
        """Whether keys can come at all (a terminal)."""
        ...

    def pending(self) -> Iterable[str]:
        """The commands given since the last call."""
        ...


class Answers(Protocol):
    """The patient's one-key answers to the questions before and after a session."""

    @property
    def interactive(self) -> bool:
        """Whether anyone can answer (a terminal)."""
        ...

    def key(self) -> str:
        """The next key pressed (Enter is "\\r"); waits for it."""
        ...


class Display(Protocol):
    """What the patient sees while a session plays."""

    def status(self, status: Status) -> None: ...

    def message(self, text: str) -> None: ...

    def close(self) -> None: ...


class Plugs(NamedTuple):
    """The parts installed in place of the real ones (None: the real one)."""

    speech: SpeechEngine | None = None
    output: AudioOutput | None = None
    clock: Clock | None = None
    keys: Keys | None = None
    display: Display | None = None
    answers: Answers | None = None


_installed: list[Plugs] = [Plugs()]


def plugged() -> Plugs:
    """The parts installed now (innermost :func:`voiceguide.testing.installed` wins)."""
    return _installed[-1]


def push_plugs(plugs: Plugs) -> None:
    _installed.append(plugs)


def pop_plugs() -> None:
    if len(_installed) > 1:
        _installed.pop()


class MonotonicClock:
    """The real clock."""

    def now(self) -> float:
        import time

        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(seconds)


__all__ = [
    "Answers",
    "AudioOutput",
    "AudioSink",
    "Clock",
    "Display",
    "DurationOracle",
    "Keys",
    "MonotonicClock",
    "Plugs",
    "Progress",
    "Recording",
    "SpeechEngine",
    "Synthesizer",
    "plugged",
]
