"""The speech worker, parent side: worker processes, their answers, engines started early.

The parent starts ``python -c "...; voiceguide.speech.worker.main()"`` with pipes and
talks to it in JSON lines (see :mod:`voiceguide.speech.worker`). An answer that does not
come in time gets the worker killed; the worker's stderr goes to a temporary file whose
last line explains a worker that died. An engine can be started ahead of need
(:func:`start_engine_early`), to boot on another processor while this one imports
numpy; the next workers wanted take them.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from voiceguide.errors import AudioError, VoiceNotFound, one_line
from voiceguide.speech.voices import VoiceInfo, engine_missing_message

START_TIMEOUT = 20.0
"""Seconds the worker may take to start the engine and choose a voice."""

_WORKER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); from voiceguide.speech.worker import main; main()"
)


class WorkerTimeout(Exception):
    """No answer in time."""


class WorkerDied(Exception):
    """The worker is gone; the message says why."""


class Worker:
    """A running worker process and the thread that reads its answers.

    Every request carries a number that its answer echoes, so an answer left over from
    an interrupted request is never taken for the next one's.
    """

    def __init__(self) -> None:
        self.sequence = 0
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        root = str(Path(__file__).resolve().parents[2])
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, root],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                close_fds=True,
            )
        except OSError as exc:
            self._stderr.close()
            raise WorkerDied(f"cannot start {sys.executable}: {exc.strerror or exc}") from None
        self._answers: queue.Queue[bytes | None] = queue.Queue()
        self.wake: threading.Event | None = None
        """Set whenever an answer comes (or the worker ends), for one waiting on several."""
        self._reader = threading.Thread(
            target=self._read, name="voiceguide-speech-answers", daemon=True
        )
        self._reader.start()

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        with contextlib.suppress(OSError, ValueError):
            for line in stdout:
                self._answers.put(line)
                self._wake()
        self._answers.put(None)
        self._wake()

    def _wake(self) -> None:
        wake = self.wake
        if wake is not None:
            wake.set()

    def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait for its answer; raise WorkerTimeout or WorkerDied."""
        return self.receive(self.send(request), timeout)

    def send(self, request: dict[str, Any]) -> int:
        """Queue a request at the worker (it answers requests in order); its number."""
        stdin = self.process.stdin
        assert stdin is not None
        self.sequence += 1
        number = self.sequence
        try:
            stdin.write(json.dumps({**request, "id": number}).encode("utf-8") + b"\n")
            stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise WorkerDied(self._death()) from None
        return number

    def receive(self, number: int, timeout: float) -> dict[str, Any]:
        """The answer to request ``number``, skipping those to earlier ones; raise
        WorkerTimeout when it takes more than ``timeout`` seconds, or WorkerDied."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._answers.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                raise WorkerTimeout() from None
            answer = self._answer(line, number)
            if answer is not None:
                return answer

    def poll(self, number: int) -> dict[str, Any] | None:
        """The answer to request ``number`` if it has come, else None (without waiting);
        raise WorkerDied."""
        while True:
            try:
                line = self._answers.get_nowait()
            except queue.Empty:
                return None
            answer = self._answer(line, number)
            if answer is not None:
                return answer

    def _answer(self, line: bytes | None, number: int) -> dict[str, Any] | None:
        """The answer in ``line`` if it is to request ``number`` (None: to an earlier one)."""
        if line is None:
            self._answers.put(None)  # still gone for the next one who asks
            raise WorkerDied(self._death())
        try:
            answer = json.loads(line)
        except ValueError:
            raise WorkerDied(f"garbled answer {one_line(line[:80])}") from None
        if not isinstance(answer, dict):
            raise WorkerDied(f"garbled answer {one_line(line[:80])}")
        return answer if answer.get("id") == number else None

    def _death(self) -> str:
        """Why the worker is gone: the last line it wrote on stderr, else its exit status."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            lines = [
                line
                for line in self._stderr.read().decode("utf-8", "replace").splitlines()
                if line.strip()
            ]
            if lines:
                return one_line(lines[-1])
        if code < 0:
            return f"the engine process was killed by signal {-code}"
        return f"the engine process exited with code {code}"

    def stop(self, kill: bool = False) -> None:
        """End the worker (politely unless ``kill``) and release its pipes and files."""
        process = self.process
        if process.poll() is None and not kill:
            with contextlib.suppress(OSError, ValueError):
                assert process.stdin is not None
                process.stdin.close()  # end of requests: the worker returns
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=2)
        if process.poll() is None:
            process.kill()
        process.wait()
        self._reader.join(timeout=5)
        for stream in (process.stdin, process.stdout, self._stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()


_spares: list[tuple[Worker, dict[str, str]]] = []
"""Engines started ahead of need, each with the environment it was started in."""
_spares_lock = threading.Lock()


def start_engine_early(count: int = 1) -> None:
    """Start engine processes now, up to ``count`` waiting at once, so that they boot
    on other processors while this one goes on (importing numpy, say); the next
    synthesizers to start take them. Those never taken are stopped when this process
    exits (or end when it dies)."""
    with _spares_lock:
        while len(_spares) < count:
            try:
                _spares.append((Worker(), dict(os.environ)))
            except WorkerDied:
                return  # the synthesizer that needs one will say what is wrong
            if len(_spares) == 1:
                atexit.register(_stop_spares)


def _stop_spares() -> None:
    with _spares_lock:
        while _spares:
            _spares.pop()[0].stop(kill=True)


def _take_spare() -> Worker | None:
    """The engine started early, if it was started as things are now."""
    with _spares_lock:
        if not _spares:
            return None
        spare, environment = _spares.pop()
    if environment != os.environ:  # started for other settings: not this one
        spare.stop(kill=True)
        return None
    return spare


def spawn_worker(config: dict[str, Any]) -> tuple[Worker, int]:
    """A worker (the one started early, when there is one) with ``config`` sent, and the
    number of the hello that answers it (see :func:`await_hello`); or AudioError."""
    try:
        worker = _take_spare() or Worker()
    except WorkerDied as exc:
        raise AudioError(engine_missing_message(str(exc))) from None
    try:
        return worker, worker.send(config)
    except WorkerDied:
        return worker, worker.sequence  # it said why before it went: see await_hello


def await_hello(worker: Worker, number: int) -> dict[str, Any]:
    """The worker's hello (the voice it chose), or AudioError saying why it cannot
    start; the worker is stopped then."""
    try:
        hello = worker.receive(number, START_TIMEOUT)
    except WorkerDied as exc:
        worker.stop(kill=True)
        raise AudioError(engine_missing_message(str(exc))) from None
    except WorkerTimeout:
        worker.stop(kill=True)
        raise AudioError(engine_missing_message(f"no answer within {START_TIMEOUT:g} s")) from None
    except BaseException:
        worker.stop(kill=True)
        raise
    if not hello.get("ok"):
        worker.stop()
        error = str(hello.get("error") or "unknown error")
        if hello.get("kind") == "engine":
            raise AudioError(engine_missing_message(error))
        if hello.get("kind") == "voice":
            raise VoiceNotFound(error)
        raise AudioError(error)
    return hello


def start_worker(config: dict[str, Any]) -> tuple[Worker, dict[str, Any]]:
    """A worker with its engine started and voice chosen, and its hello; or AudioError."""
    worker, number = spawn_worker(config)
    return worker, await_hello(worker, number)


def voice_from_hello(hello: dict[str, Any]) -> VoiceInfo | None:
    """The voice a worker said it chose."""
    voice = hello.get("voice")
    return _voice_info(voice) if voice else None


def _voice_info(fields: list[Any]) -> VoiceInfo:
    """A voice as a worker sends it: [id, name, [languages]]."""
    return VoiceInfo(str(fields[0]), str(fields[1]), tuple(map(str, fields[2])))


def installed_voices() -> list[VoiceInfo]:
    """The voices the engine has, in its order; or AudioError."""
    worker, _ = start_worker({})
    try:
        answer = worker.call({"op": "voices"}, START_TIMEOUT)
    except (WorkerDied, WorkerTimeout) as exc:
        raise AudioError(engine_missing_message(str(exc) or "no answer")) from None
    finally:
        worker.stop()
    return [_voice_info(v) for v in answer.get("voices", [])]
