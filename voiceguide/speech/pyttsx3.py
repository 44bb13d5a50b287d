"""The pyttsx3 synthesizer (espeak-ng on Linux): the :class:`~voiceguide.ports.Synthesizer`
port on engines in worker processes.

Each utterance is said by a worker (see :mod:`voiceguide.speech.worker`) into a file in
this synthesizer's temporary folder; the recording handed back is that file, decoded at
the engine's own rate (22 050 Hz for espeak). Several workers say texts in parallel, two
texts waiting at each, so an engine goes on to the next while this process reads the last.
"""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide.audio.clips import read_recording
from voiceguide.errors import AudioError, quote
from voiceguide.ports import Recording
from voiceguide.speech.keys import pyttsx3_key
from voiceguide.speech.process import (
    Worker,
    WorkerDied,
    await_hello,
    spawn_worker,
    start_engine_early,
    voice_from_hello,
)
from voiceguide.speech.voices import VoiceInfo, VoiceSettings, list_voices

if TYPE_CHECKING:
    from types import TracebackType

AHEAD = 2
"""Texts waiting at each engine at a time."""

MAX_WORKERS = 4
"""The most engine processes one synthesizer runs at once."""

BLANK_RATE = 22_050
"""The rate of the empty recording of a blank text (espeak's own)."""


@dataclass
class _Said:
    """A text sent to an engine: the file it goes to and the number of its answer."""

    text: str
    path: Path
    number: int
    waited_since: float | None = None
    """When this process began to wait for it (its timeout runs from then)."""


@dataclass
class _Lane:
    """One engine process and the texts waiting at it, in the order it says them."""

    worker: Worker | None = None
    waiting: collections.deque[_Said] = field(default_factory=collections.deque)

    def alive(self) -> bool:
        return self.worker is not None and self.worker.process.poll() is None

    def close(self) -> None:
        # Killed, not asked to stop: everything it made is in files already, and letting
        # its interpreter wind down would only keep the guide waiting.
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop(kill=True)


class _Resources:
    """What a Pyttsx3Synthesizer must release: its workers and its temporary folder."""

    def __init__(self) -> None:
        self.lanes: list[_Lane] = []
        self.folder: Path | None = None

    def close(self) -> None:
        for lane in self.lanes:
            lane.close()
        folder, self.folder = self.folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


class Pyttsx3Synthesizer:
    """Speech from pyttsx3, made in up to ``workers`` worker processes at once (default:
    as many as processors, at most :data:`MAX_WORKERS` and one per text).

    Workers start when first needed (or when :attr:`voice` is asked for) and live until
    :meth:`close`; use the synthesizer as a context manager. ``timeout`` is the most
    seconds one utterance may take; past it its worker is killed (the next text starts
    another) and :class:`AudioError` names the text.
    """

    def __init__(
        self,
        settings: VoiceSettings | None = None,
        *,
        workers: int | None = None,
        timeout: float = 30.0,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers!r}")
        self.settings = settings or VoiceSettings()
        self.workers = workers
        self.timeout = timeout
        self.calls = 0
        """Utterances the engines have said."""
        self.starts = 0
        """Worker processes started."""
        self._voice: VoiceInfo | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._counter = 0
        self._resources = _Resources()
        self._finalizer = weakref.finalize(self, self._resources.close)

    @property
    def key(self) -> str:
        return pyttsx3_key(self.settings)

    @property
    def voice(self) -> VoiceInfo | None:
        """The voice the engine speaks with (starts a worker if needed)."""
        with self._lock:
            self._start(1)
        return self._voice

    def synthesize(self, texts: Iterable[str]) -> Generator[tuple[str, Recording], None, None]:
        """Each text with the engine's recording of it, as each is done: blank ones first
        (empty, without an engine), then the others as the engines finish them (in order
        for each engine). A recording's ``file`` is the engine's file, deleted when the
        next recording is asked for (unless it was moved away) or the loop is left."""
        texts = list(texts)
        spoken = [text for text in texts if text.strip()]
        with self._lock:
            for text in texts:
                if not text.strip():  # nothing to say: no sound
                    import numpy as np  # (only here: the engines need not wait for it)

                    yield text, Recording(np.zeros(0, dtype=np.float32), BLANK_RATE)
            if not spoken:
                return
            lanes = self._start(self._lane_count(len(spoken)))
            # The longest first: a long text last in line would keep one engine busy
            # while the others have nothing left (the order answers come in is free).
            todo = collections.deque(sorted(spoken, key=len, reverse=True))
            given: Path | None = None
            try:
                self._feed(lanes, todo)
                while any(lane.waiting for lane in lanes):
                    lane, said, answer = self._next_answer(lanes)
                    given = said.path
                    if lane.alive():
                        self._feed([lane], todo)  # the engine goes on while we read
                    recording = self._recording(said, answer)
                    yield said.text, recording
                    given.unlink(missing_ok=True)
                    given = None
            finally:
                if given is not None:
                    given.unlink(missing_ok=True)
                for lane in lanes:  # their answers, if they come, are skipped
                    for said in lane.waiting:
                        said.path.unlink(missing_ok=True)
                    lane.waiting.clear()

    def _lane_count(self, texts: int) -> int:
        """How many engines say ``texts`` texts (at least one)."""
        return max(min(self.workers or os.cpu_count() or 1, MAX_WORKERS, texts), 1)

    def _start(self, count: int) -> list[_Lane]:
        """The first ``count`` lanes, each with a worker: those to start are started
        together and their engines boot in parallel (the first takes one started early)."""
        resources = self._resources
        while len(resources.lanes) < count:
            resources.lanes.append(_Lane())
        lanes = resources.lanes[:count]
        if resources.folder is None:
            resources.folder = Path(tempfile.mkdtemp(prefix="voiceguide-speech-"))
        settings = self.settings
        config = {
            "voice": settings.voice,
            "language": settings.language,
            "rate": settings.rate,
            "volume": settings.volume,
        }
        starting: list[tuple[_Lane, Worker, int]] = []
        for lane in lanes:
            if not lane.alive():
                lane.close()
                worker, number = spawn_worker(config)
                worker.wake = self._wake
                self.starts += 1
                starting.append((lane, worker, number))
        failure: AudioError | None = None
        for lane, worker, number in starting:
            try:
                self._voice = voice_from_hello(await_hello(worker, number))
                lane.worker = worker
            except AudioError as exc:  # (the worker is stopped)
                failure = failure or exc
            except BaseException:
                worker.stop(kill=True)
                for other, started, _ in starting:
                    if other.worker is not started:
                        started.stop(kill=True)
                raise
        if failure is not None:
            raise failure
        return lanes

    def _feed(self, lanes: list[_Lane], todo: collections.deque[str]) -> None:
        """Send texts from ``todo``, one lane after another, until each has :data:`AHEAD`
        waiting (or nothing is left)."""
        for _ in range(AHEAD):
            for lane in lanes:
                if todo and len(lane.waiting) < AHEAD:
                    self._send(lane, todo.popleft())

    def _send(self, lane: _Lane, text: str) -> None:
        worker = lane.worker
        folder = self._resources.folder
        assert worker is not None
        assert folder is not None
        self._counter += 1
        path = folder / f"utterance-{self._counter}.wav"
        try:
            number = worker.send({"op": "say", "text": text, "path": str(path)})
        except WorkerDied as exc:
            raise self._stopped(lane, text, exc) from None
        lane.waiting.append(_Said(text, path, number))

    def _next_answer(self, lanes: list[_Lane]) -> tuple[_Lane, _Said, dict[str, Any]]:
        """The first answer to come to the text first in line at any lane."""
        while True:
            self._wake.clear()
            now = time.monotonic()
            deadline = None
            for lane in lanes:
                if not lane.waiting:
                    continue
                said = lane.waiting[0]
                if said.waited_since is None:
                    said.waited_since = now
                assert lane.worker is not None
                try:
                    answer = lane.worker.poll(said.number)
                except WorkerDied as exc:
                    raise self._stopped(lane, said.text, exc) from None
                if answer is not None:
                    lane.waiting.popleft()
                    return lane, said, answer
                due = said.waited_since + self.timeout
                if now >= due:
                    lane.close()
                    raise AudioError(
                        f"the speech engine took more than {self.timeout:g} s to say "
                        f"{quote(said.text)}; it was stopped and will restart"
                    )
                deadline = due if deadline is None else min(deadline, due)
            assert deadline is not None
            self._wake.wait(max(deadline - time.monotonic(), 0.0))

    def _recording(self, said: _Said, answer: dict[str, Any]) -> Recording:
        try:
            if not answer.get("ok"):
                raise AudioError(
                    f"the speech engine failed to say {quote(said.text)}: {answer.get('error')}"
                )
            self.calls += 1
            return read_recording(said.path, said.text)
        except BaseException:
            said.path.unlink(missing_ok=True)
            raise

    def _stopped(self, lane: _Lane, text: str, exc: WorkerDied) -> AudioError:
        """The engine died while saying ``text``: let it go (the next text starts
        another) and say so."""
        lane.close()
        return AudioError(f"the speech engine stopped while saying {quote(text)}: {exc}")

    def warm_up(self, texts: list[str]) -> None:
        """With anything to say, start the engine processes that will say it now (as
        many as :meth:`synthesize` will use): they boot on other processors while this
        one imports numpy and the rest; the workers take them as they start."""
        spoken = sum(1 for text in texts if text.strip())
        if not spoken:
            return
        with self._lock:
            running = sum(lane.alive() for lane in self._resources.lanes)
        needed = self._lane_count(spoken)
        if needed > running:
            start_engine_early(needed - running)

    def close(self) -> None:
        """Stop the workers and remove temporary files; the next text restarts them."""
        with self._lock:
            self._resources.close()

    def __enter__(self) -> Pyttsx3Synthesizer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class Pyttsx3Engine:
    """The default :class:`~voiceguide.ports.SpeechEngine`: pyttsx3 (espeak-ng on Linux)."""

    def open(self, settings: VoiceSettings) -> Pyttsx3Synthesizer:
        return Pyttsx3Synthesizer(settings)

    def key(self, settings: VoiceSettings) -> str:
        return pyttsx3_key(settings)

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        return list_voices(language)
