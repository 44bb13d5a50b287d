"""Speech: the :class:`Synthesizer` protocol, the pyttsx3 synthesizer and the clip cache.

pyttsx3 is used only to turn one utterance into one audio file.  It is unreliable
in-process (only the last ``save_to_file`` before ``runAndWait`` counts, ``init()``
hands back a cached engine, it prints "Audio saved to ..." on stdout, a bad call can
hang), so :class:`Pyttsx3Synthesizer` keeps it in a long-lived worker process:

* the parent starts ``python -c "...; voiceguide.speech._worker_main()"`` with pipes;
* the worker moves its own stdout (fd 1, so C-level writes too) to the null device and
  keeps a private duplicate of the original pipe as the answer channel;
* requests and answers are JSON lines; the first request is the voice configuration
  and the worker answers with the voice it chose (or why it could not start);
* each ``say`` request is exactly one ``save_to_file`` + ``runAndWait`` into a file the
  parent named in its own temporary folder; the parent decodes it with soundfile
  (whatever the format: macOS writes AIFF), resamples, trims and deletes it;
* an answer that does not come within the timeout gets the worker killed; the next
  utterance starts a fresh one.  The worker's stderr goes to a temporary file whose
  last line explains a worker that died.

numpy, soundfile, soxr and pyttsx3 are imported inside functions only, so commands
that never speak start fast.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import errno
import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from voiceguide.errors import AudioError, display_path

if TYPE_CHECKING:
    from types import TracebackType

    import numpy as np
    import numpy.typing as npt

INSTALL_HINT = "on Debian/Ubuntu: sudo apt-get install espeak-ng"
"""How to get the speech engine; part of every "engine missing" message."""

DEFAULT_SAMPLE_RATE = 44_100
"""The rate guides are made at, unless asked otherwise."""

CACHE_ENV = "VOICEGUIDE_CACHE_DIR"
"""Environment variable naming voiceguide's cache folder (clips go in its ``clips``)."""

TRIM_PAD_SECONDS = 0.03
"""Silence kept before the first and after the last audible sample of an utterance."""

EDGE_FADE_SECONDS = 0.005
"""Raised-cosine fade at both ends of a trimmed utterance, so it starts and ends at 0."""

SILENCE_DB = -50.0
"""Samples quieter than this, relative to the utterance's peak, count as silence."""

START_TIMEOUT = 20.0
"""Seconds the worker may take to start the engine and choose a voice."""

CLIP_FORMAT = 2
"""Bumped whenever the way clips are made changes, so old cache entries are not reused."""

_DRIVERS = {"darwin": "nsss", "win32": "sapi5"}
DRIVER_POLL_SECONDS = 0.001
"""How often pyttsx3's espeak driver looks whether an utterance is done (its own 10 ms
were most of the time a short utterance took)."""
_SHORT_TEXT = 60


# --------------------------------------------------------------------------- models


@dataclass(frozen=True, eq=False)
class Clip:
    """One utterance: float32 mono samples at ``sample_rate`` (treat as read-only)."""

    samples: npt.NDArray[np.float32]
    sample_rate: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate


class Synthesizer(Protocol):
    """Turns text into a :class:`Clip`.

    ``key`` identifies everything that changes the audio (engine, voice, rate, volume,
    sample rate): clips cached under one key are reused only by the same key.
    """

    @property
    def key(self) -> str: ...

    def synthesize(self, text: str) -> Clip: ...


@dataclass(frozen=True)
class VoiceSettings:
    """Which voice speaks and how: a voice id (or the first voice for ``language``),
    the speaking rate in words per minute and the volume from 0 to 1."""

    voice: str | None = None
    language: str = "en"
    rate: int = 150
    volume: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.rate, bool) or not isinstance(self.rate, int) or self.rate <= 0:
            raise ValueError(
                f"speaking rate must be a positive number of words a minute, got {self.rate!r}"
            )
        if not 0.0 <= self.volume <= 1.0:
            raise ValueError(f"volume must be between 0 and 1, got {self.volume!r}")
        if self.voice is None and not self.language.strip():
            raise ValueError("give a voice id or a language")


@dataclass(frozen=True)
class VoiceInfo:
    """An installed voice as the engine reports it."""

    id: str
    name: str
    languages: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        languages = ", ".join(self.languages)
        return f"{self.id} ({self.name}; {languages})" if languages else f"{self.id} ({self.name})"


def _normalize_language(tag: str) -> str:
    return tag.strip().lower().replace("_", "-")


def language_rank(voice: VoiceInfo, language: str) -> int | None:
    """How well ``voice`` fits ``language`` (lower is better), or None when it does not.

    0: a language tag equals it (``en-us`` for ``en-us``); 1: the voice id names it
    (``gmw/en`` for ``en``); 2: a tag's primary subtag equals it (``en-gb`` for ``en``).
    ``ru-lv`` (Russian spoken in Latvia) is Russian, not Latvian.
    """
    wanted = _normalize_language(language)
    if not wanted:
        return None
    tags = [_normalize_language(tag) for tag in voice.languages]
    if wanted in tags:
        return 0
    if _normalize_language(voice.id.rsplit("/", 1)[-1]) == wanted:
        return 1
    primary = wanted.split("-", 1)[0]
    if any(tag.split("-", 1)[0] == primary for tag in tags):
        return 2
    return None


def voices_for(voices: Iterable[VoiceInfo], language: str) -> list[VoiceInfo]:
    """The voices that speak ``language``, best fit first (engine order among equals)."""
    ranked: list[tuple[int, int, VoiceInfo]] = []
    for index, voice in enumerate(voices):
        rank = language_rank(voice, language)
        if rank is not None:
            ranked.append((rank, index, voice))
    ranked.sort(key=lambda item: item[:2])
    return [voice for _, _, voice in ranked]


def choose_voice(voices: Sequence[VoiceInfo], language: str) -> VoiceInfo | None:
    """The voice to use for ``language``: the best fit, or None when none speaks it."""
    fits = voices_for(voices, language)
    return fits[0] if fits else None


def engine_missing_message(detail: str) -> str:
    """The one-line message for a speech engine that cannot start, with how to install it."""
    reason = _one_line(detail) or "no reason given"
    return f"the speech engine could not start ({reason}); is espeak-ng installed? {INSTALL_HINT}"


def _one_line(text: object, limit: int = 200) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _quote(text: str) -> str:
    """``text`` for a message: on one line, shortened, quoted."""
    flat = " ".join(text.split())
    if len(flat) > _SHORT_TEXT:
        flat = flat[: _SHORT_TEXT - 1] + "…"
    return repr(flat)


# --------------------------------------------------------------------------- the worker (child side)


class _StartError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _voice_info(voice: Any) -> VoiceInfo:
    languages: list[str] = []
    for language in getattr(voice, "languages", None) or ():
        if isinstance(language, bytes):  # older espeak drivers: a priority byte, then the tag
            language = language[1:].decode("utf-8", "replace")
        languages.append(str(language))
    voice_id = str(voice.id)
    return VoiceInfo(voice_id, str(getattr(voice, "name", None) or voice_id), tuple(languages))


class _QuickPoll:
    """The ``time`` module as pyttsx3's espeak driver sees it, with shorter sleeps.

    The driver's ``runAndWait`` loop starts espeak, then sleeps 10 ms at a time until
    espeak's callback says the utterance is written: 10 ms or more for each utterance,
    where espeak needs about 3 ms for a sentence. Polling each millisecond costs next to
    nothing and changes nothing else."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(min(seconds, DRIVER_POLL_SECONDS))


class _Engine:
    """The pyttsx3 engine inside the worker, with a voice chosen and errors collected.

    It starts without a voice; :meth:`configure` (or ``config``) chooses one."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        try:
            import pyttsx3
        except ImportError as exc:
            raise _StartError("engine", f"pyttsx3 cannot be imported: {_one_line(exc)}") from None
        try:
            self.engine = pyttsx3.init()
        except Exception as exc:
            raise _StartError("engine", _one_line(exc) or type(exc).__name__) from None
        self.errors: list[BaseException] = []
        self.engine.connect("error", self._on_error)
        # pyttsx3 2.99's espeak driver synthesizes on espeak's own thread, and the first
        # runAndWait of a fresh engine returns after ~10 ms, before a long utterance is
        # written; its audio then lands in the next utterance's file.  So each utterance
        # also waits for the driver's "finished-utterance", sent once the file is written.
        self.finished = threading.Event()
        self.completed = True
        self.engine.connect("finished-utterance", self._on_finished)
        self.wait_for_finish = getattr(self.engine, "driver_name", None) == "espeak"
        driver_module = sys.modules.get(type(self._driver()).__module__)
        if self.wait_for_finish and getattr(driver_module, "time", None) is time:
            driver_module.time = _QuickPoll()  # type: ignore[union-attr]
        self.voices = [_voice_info(voice) for voice in self.engine.getProperty("voices")]
        self.voice: VoiceInfo | None = None
        if config is not None:
            self.configure(config)

    def configure(self, config: dict[str, Any]) -> None:
        """Choose the voice (by id, else by language), the rate and the volume."""
        wanted, language = config.get("voice"), config.get("language")
        if wanted:
            self.voice = next((v for v in self.voices if v.id == wanted), None) or next(
                (v for v in self.voices if v.id.lower() == str(wanted).lower()), None
            )
            if self.voice is None:
                raise _StartError("voice", f"no installed speech voice has the id {wanted!r}")
        elif language:
            self.voice = choose_voice(self.voices, language)
            if self.voice is None:
                raise _StartError(
                    "voice",
                    f"no installed speech voice speaks {language!r}; choose a voice id "
                    f"or install more voices ({INSTALL_HINT})",
                )
        if self.voice is not None:
            self._set("voice", self.voice.id)
        if config.get("rate") is not None:
            self._set("rate", int(config["rate"]))
        if config.get("volume") is not None:
            self._set("volume", float(config["volume"]))

    def _driver(self) -> Any:
        return getattr(getattr(self.engine, "proxy", None), "_driver", None)

    def _on_error(self, **event: Any) -> None:
        exception = event.get("exception")
        self.errors.append(
            exception if isinstance(exception, BaseException) else RuntimeError(str(exception))
        )

    def _on_finished(self, **event: Any) -> None:
        self.completed = bool(event.get("completed", True))
        self.finished.set()

    def _set(self, name: str, value: object) -> None:
        self.errors.clear()
        self.engine.setProperty(name, value)
        if self.errors:
            raise _StartError(
                "voice", f"cannot set the {name} to {value!r}: {_one_line(self.errors[0])}"
            )

    def save(self, text: str, path: str) -> None:
        """Exactly one utterance into ``path``: one save_to_file, one runAndWait.

        pyttsx3 ends ``runAndWait`` with its driver's ``stop()``, and the espeak driver
        cancels an utterance that espeak is still synthesizing on its own thread, which
        happens whenever the machine is busy.  So that ``stop()`` is held off while we
        wait for the utterance to finish; one retry remains as a backstop.
        """
        for attempt in (1, 2):
            self.errors.clear()
            self.finished.clear()
            self.completed = True
            driver = self._driver()
            held = bool(self.wait_for_finish and hasattr(driver, "stop"))
            if held:
                original_stop = driver.stop
                driver.stop = lambda: None
            try:
                self.engine.save_to_file(text, path)
                self.engine.runAndWait()
                if self.wait_for_finish:
                    self.finished.wait()  # the parent's timeout guards against a hang
            finally:
                if held:
                    driver.stop = original_stop
            if self.errors:
                raise RuntimeError(_one_line(self.errors[0]))
            if self.completed:
                return
            if attempt == 2:
                raise RuntimeError("the utterance was cut short")


def _worker_main() -> None:
    """Entry point of the worker process: answer JSON-line requests on stdin."""
    import signal

    with contextlib.suppress(ValueError, OSError, AttributeError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # pyttsx3's and the engine's chatter goes nowhere
    os.close(null)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process

    request: dict[str, Any] = {}

    def answer(**fields: Any) -> None:
        channel.write(json.dumps({"id": request.get("id"), **fields}) + "\n")
        channel.flush()

    # The engine starts before the first request (which says what voice to use) is
    # read, so that a worker started ahead of need is ready when asked.
    failure: _StartError | None = None
    engine: _Engine | None = None
    try:
        engine = _Engine()
    except _StartError as exc:
        failure = exc
    except Exception as exc:  # whatever else breaks while starting is the engine's fault
        failure = _StartError("engine", _one_line(exc) or type(exc).__name__)
    requests = sys.stdin.buffer
    first = requests.readline()
    if not first:
        return
    request = json.loads(first)
    try:
        if failure is not None:
            raise failure
        assert engine is not None
        engine.configure(request)
    except _StartError as exc:
        answer(ok=False, kind=exc.kind, error=str(exc))
        return
    except Exception as exc:
        answer(ok=False, kind="engine", error=_one_line(exc) or type(exc).__name__)
        return
    voice = engine.voice
    answer(ok=True, voice=None if voice is None else [voice.id, voice.name, list(voice.languages)])
    for line in requests:
        request = json.loads(line)
        operation = request.get("op")
        try:
            if operation == "say":
                engine.save(str(request["text"]), str(request["path"]))
                answer(ok=True, path=request["path"])
            elif operation == "voices":
                answer(ok=True, voices=[[v.id, v.name, list(v.languages)] for v in engine.voices])
            else:
                answer(ok=False, error=f"unknown request {operation!r}")
        except Exception as exc:
            answer(ok=False, error=_one_line(exc) or type(exc).__name__)


# --------------------------------------------------------------------------- the worker (parent side)

_WORKER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from voiceguide.speech.engine import _worker_main; _worker_main()"
)


class _WorkerTimeout(Exception):
    pass


class _WorkerDied(Exception):
    pass


class _Worker:
    """A running worker process and the thread that reads its answers.

    Every request carries a number that its answer echoes, so an answer left over from
    an interrupted request is never taken for the next one's.
    """

    def __init__(self) -> None:
        self._sequence = 0
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
            raise _WorkerDied(f"cannot start {sys.executable}: {exc.strerror or exc}") from None
        self._answers: queue.Queue[bytes | None] = queue.Queue()
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
        self._answers.put(None)

    def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait for its answer; raise _WorkerTimeout or _WorkerDied."""
        return self.receive(self.send(request), timeout)

    def send(self, request: dict[str, Any]) -> int:
        """Queue a request at the worker (it answers requests in order); its number."""
        stdin = self.process.stdin
        assert stdin is not None
        self._sequence += 1
        number = self._sequence
        try:
            stdin.write(json.dumps({**request, "id": number}).encode("utf-8") + b"\n")
            stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise _WorkerDied(self._death()) from None
        return number

    def receive(self, number: int, timeout: float) -> dict[str, Any]:
        """The answer to request ``number``, skipping those to earlier ones; raise
        _WorkerTimeout when it takes more than ``timeout`` seconds, or _WorkerDied."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._answers.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                raise _WorkerTimeout() from None
            if line is None:
                raise _WorkerDied(self._death())
            try:
                answer = json.loads(line)
            except ValueError:
                raise _WorkerDied(f"garbled answer {_one_line(line[:80])}") from None
            if not isinstance(answer, dict):
                raise _WorkerDied(f"garbled answer {_one_line(line[:80])}")
            if answer.get("id") == number:
                return answer

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
                return _one_line(lines[-1])
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


_spares: list[tuple[_Worker, dict[str, str]]] = []
"""Engines started ahead of need, each with the environment it was started in."""
_spares_lock = threading.Lock()


def start_engine_early() -> None:
    """Start an engine process now, so that it boots on another processor while this
    one goes on (importing numpy, say); the next synthesizer to start takes it. One
    never taken is stopped when this process exits (or ends when it dies)."""
    with _spares_lock:
        if _spares:
            return
        try:
            _spares.append((_Worker(), dict(os.environ)))
        except _WorkerDied:
            return  # the synthesizer that needs one will say what is wrong
        atexit.register(_stop_spares)


def _stop_spares() -> None:
    with _spares_lock:
        while _spares:
            _spares.pop()[0].stop(kill=True)


def _start_worker(config: dict[str, Any]) -> tuple[_Worker, dict[str, Any]]:
    """A worker with its engine started and voice chosen, and its hello; or AudioError."""
    spare = None
    with _spares_lock:
        if _spares:
            spare, environment = _spares.pop()
            if environment != os.environ:  # started for other settings: not this one
                spare.stop(kill=True)
                spare = None
    try:
        worker = spare or _Worker()
    except _WorkerDied as exc:
        raise AudioError(engine_missing_message(str(exc))) from None
    try:
        hello = worker.call(config, START_TIMEOUT)
    except _WorkerDied as exc:
        worker.stop(kill=True)
        raise AudioError(engine_missing_message(str(exc))) from None
    except _WorkerTimeout:
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
        raise AudioError(error)
    return worker, hello


class _Resources:
    """What a Pyttsx3Synthesizer must release: its worker and its temporary folder."""

    def __init__(self) -> None:
        self.worker: _Worker | None = None
        self.folder: Path | None = None

    def close_worker(self, kill: bool = False) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop(kill=kill)

    def close(self) -> None:
        # Killed, not asked to stop: everything it made is in files already, and letting
        # its interpreter wind down would keep us waiting ~35 ms per engine.
        self.close_worker(kill=True)
        folder, self.folder = self.folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- pyttsx3 synthesizer


class Pyttsx3Synthesizer:
    """Speech from pyttsx3 (espeak-ng on Linux), made in a worker process.

    The worker starts on the first utterance (or when :attr:`voice` is asked for) and
    lives until :meth:`close`; use the synthesizer as a context manager.  ``timeout``
    is the most seconds one utterance may take; past it the worker is killed and
    restarted, and :class:`AudioError` names the text.
    """

    def __init__(
        self,
        settings: VoiceSettings | None = None,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
        timeout: float = 30.0,
    ) -> None:
        if sample_rate <= 0:
            raise ValueError(f"sample rate must be positive, got {sample_rate!r}")
        self.settings = settings or VoiceSettings()
        self.sample_rate = sample_rate
        self.timeout = timeout
        self.calls = 0
        """Utterances the engine has synthesized."""
        self.starts = 0
        """Worker processes started."""
        self._voice: VoiceInfo | None = None
        self._lock = threading.Lock()
        self._counter = 0
        self._resources = _Resources()
        self._finalizer = weakref.finalize(self, self._resources.close)

    @property
    def key(self) -> str:
        settings = self.settings
        voice = (
            f"voice={settings.voice}"
            if settings.voice
            else f"language={_normalize_language(settings.language)}"
        )
        driver = _DRIVERS.get(sys.platform, "espeak")
        # no sample rate: what is cached is the engine's recording, which does not
        # depend on it (see finish)
        return (
            f"pyttsx3/{driver} {voice} rate={settings.rate} volume={settings.volume:g} "
            f"format={CLIP_FORMAT}"
        )

    @property
    def voice(self) -> VoiceInfo | None:
        """The voice the engine speaks with (starts the worker if needed)."""
        with self._lock:
            self._ensure_worker()
        return self._voice

    def _ensure_worker(self) -> _Worker:
        resources = self._resources
        if resources.worker is not None and resources.worker.process.poll() is None:
            return resources.worker
        resources.close_worker(kill=True)
        if resources.folder is None:
            resources.folder = Path(tempfile.mkdtemp(prefix="voiceguide-speech-"))
        settings = self.settings
        worker, hello = _start_worker(
            {
                "voice": settings.voice,
                "language": settings.language,
                "rate": settings.rate,
                "volume": settings.volume,
            }
        )
        self.starts += 1
        resources.worker = worker
        voice = hello.get("voice")
        self._voice = VoiceInfo(voice[0], voice[1], tuple(voice[2])) if voice else None
        return worker

    def synthesize(self, text: str) -> Clip:
        """``text`` spoken, trimmed to :data:`TRIM_PAD_SECONDS` of silence at each end."""
        (clip,) = [clip for _, clip in self.synthesize_all([text])]
        return clip

    def synthesize_all(
        self,
        texts: Iterable[str],
        ahead: int = 2,
        keep_recording: Callable[[str, Path], object] | None = None,
    ) -> Generator[tuple[str, Clip], None, None]:
        """Each of ``texts`` with its clip, in order, as :meth:`synthesize` gives them.

        Up to ``ahead`` texts wait at the engine at a time, so that it goes on to the next
        while this process reads the last one. ``texts`` may be a generator that other
        threads also draw from: a text is taken only when the engine has room for it.
        ``keep_recording(text, path)`` may take the engine's file away (see :meth:`finish`)
        before it is deleted.
        """
        import numpy as np

        pending: collections.deque[tuple[str, Path, int] | str] = collections.deque()
        source = iter(texts)
        with self._lock:
            try:
                while True:
                    while len(pending) < max(ahead, 1):
                        text = next(source, None)
                        if text is None:
                            break
                        pending.append(self._send(text) if text.strip() else text)
                    if not pending:
                        return
                    waiting = pending.popleft()
                    if isinstance(waiting, str):  # nothing to say: no sound
                        yield waiting, Clip(np.zeros(0, dtype=np.float32), self.sample_rate)
                    else:
                        yield waiting[0], self._receive(*waiting, keep_recording)
            finally:
                for waiting in pending:
                    if not isinstance(waiting, str):
                        waiting[1].unlink(missing_ok=True)

    def _send(self, text: str) -> tuple[str, Path, int]:
        worker = self._ensure_worker()
        assert self._resources.folder is not None
        self._counter += 1
        path = self._resources.folder / f"utterance-{self._counter}.wav"
        try:
            return text, path, worker.send({"op": "say", "text": text, "path": str(path)})
        except _WorkerDied as exc:
            raise self._stopped(text, exc) from None

    def _receive(
        self,
        text: str,
        path: Path,
        number: int,
        keep_recording: Callable[[str, Path], object] | None = None,
    ) -> Clip:
        worker = self._resources.worker
        assert worker is not None
        try:
            answer = worker.receive(number, self.timeout)
            if not answer.get("ok"):
                raise AudioError(
                    f"the speech engine failed to say {_quote(text)}: {answer.get('error')}"
                )
            self.calls += 1
            clip = self.finish(read_recording(path, text))
            if keep_recording is not None:
                keep_recording(text, path)
            return clip
        except _WorkerTimeout:
            self._resources.close_worker(kill=True)
            raise AudioError(
                f"the speech engine took more than {self.timeout:g} s to say "
                f"{_quote(text)}; it was stopped and will restart"
            ) from None
        except _WorkerDied as exc:
            raise self._stopped(text, exc) from None
        finally:
            path.unlink(missing_ok=True)

    def _stopped(self, text: str, exc: _WorkerDied) -> AudioError:
        """The engine died while saying ``text``: let it go (the next text starts
        another) and say so."""
        self._resources.close_worker(kill=True)
        return AudioError(f"the speech engine stopped while saying {_quote(text)}: {exc}")

    def finish(self, recording: Clip) -> Clip:
        """The clip made from the engine's recording of a text (at the engine's own rate):
        resampled to :attr:`sample_rate` and trimmed to :data:`TRIM_PAD_SECONDS` of
        silence at each end. The clip cache keeps recordings, which are four times smaller
        than the clips and serve every sample rate."""
        from voiceguide.audio.tones import resample

        samples = resample(recording.samples, recording.sample_rate, self.sample_rate)
        return Clip(trim_silence(samples, self.sample_rate), self.sample_rate)

    def close(self) -> None:
        """Stop the worker and remove temporary files; the next utterance restarts it."""
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


def read_recording(path: Path, text: str) -> Clip:
    """Decode what the engine wrote for ``text`` (any format soundfile reads), as mono
    float samples at the rate it was written at."""
    import numpy as np
    import soundfile

    if not path.is_file() or path.stat().st_size == 0:
        raise AudioError(f"the speech engine wrote no audio for {_quote(text)}")
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, ValueError) as exc:
        raise AudioError(
            f"cannot decode the speech engine's audio for {_quote(text)}: {_one_line(exc)}"
        ) from None
    if data.shape[0] == 0:
        raise AudioError(f"the speech engine wrote no audio for {_quote(text)}")
    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    return Clip(np.ascontiguousarray(mono, dtype=np.float32), int(rate))


def trim_silence(
    samples: npt.NDArray[np.float32],
    sample_rate: int,
    pad: float = TRIM_PAD_SECONDS,
) -> npt.NDArray[np.float32]:
    """``samples`` with leading and trailing silence cut to ``pad`` seconds, ends faded to 0.

    Silence is anything :data:`SILENCE_DB` below the peak.  All-silent input becomes
    ``2 * pad`` seconds of silence.
    """
    import numpy as np

    keep = round(pad * sample_rate)
    magnitude = np.abs(samples)
    peak = float(magnitude.max()) if samples.size else 0.0
    if peak == 0.0:
        return np.zeros(min(2 * keep, samples.size), dtype=np.float32)
    loud = magnitude > peak * 10 ** (SILENCE_DB / 20)
    start = max(int(loud.argmax()) - keep, 0)  # the first loud sample, less the pad
    end = min(samples.size - int(loud[::-1].argmax()) + keep, samples.size)
    trimmed = np.array(samples[start:end], dtype=np.float32)
    fade = min(round(EDGE_FADE_SECONDS * sample_rate), trimmed.size // 2)
    if fade > 0:
        ramp = (0.5 * (1.0 - np.cos(np.pi * np.arange(fade) / fade))).astype(np.float32)
        trimmed[:fade] *= ramp
        trimmed[-fade:] *= ramp[::-1]
    return trimmed


def list_voices(language: str | None = None) -> list[VoiceInfo]:
    """The installed voices (for ``language``: those that speak it, best fit first)."""
    worker, _ = _start_worker({})
    try:
        answer = worker.call({"op": "voices"}, START_TIMEOUT)
    except (_WorkerDied, _WorkerTimeout) as exc:
        raise AudioError(engine_missing_message(str(exc) or "no answer")) from None
    finally:
        worker.stop()
    voices = [
        VoiceInfo(str(v[0]), str(v[1]), tuple(map(str, v[2]))) for v in answer.get("voices", [])
    ]
    return voices if language is None else voices_for(voices, language)


# --------------------------------------------------------------------------- cache


def default_cache_folder() -> Path:
    """Where clips are cached: ``$VOICEGUIDE_CACHE_DIR/clips``, else the user cache folder."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root).expanduser() / "clips"
    import platformdirs

    return Path(platformdirs.user_cache_dir("voiceguide")) / "clips"


class ClipCache:
    """Speech on disk, one WAV per (synthesizer key, text), named by their sha256.

    What is kept is what the synthesizer records: for the speech engine, its own file,
    moved in as it is (16-bit, at the engine's rate), from which a clip is finished at
    any sample rate; for other synthesizers, the clip itself, in float WAV (exact, with
    its rate). Either can be listened to. Entries appear atomically (written to a
    temporary file, then renamed), so a crash never leaves half of one; an unreadable
    entry counts as a miss.
    """

    SUFFIX = ".wav"

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_folder()

    def path(self, key: str, text: str) -> Path:
        """The file that holds (or would hold) the entry for ``key`` and ``text``."""
        digest = hashlib.sha256(json.dumps([CLIP_FORMAT, key, text]).encode("utf-8")).hexdigest()
        return self.folder / f"{digest}{self.SUFFIX}"

    def has(self, key: str, text: str) -> bool:
        return self.path(key, text).exists()

    def get(self, key: str, text: str) -> Clip | None:
        """The entry as it was stored (mono), or None."""
        path = self.path(key, text)
        if not path.is_file():
            return None
        import soundfile

        try:
            data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        except (RuntimeError, OSError, ValueError):
            path.unlink(missing_ok=True)  # damaged: make it again
            return None
        return Clip(data[:, 0] if data.shape[1] == 1 else data.mean(axis=1), int(rate))

    def put(self, key: str, text: str, clip: Clip) -> Path:
        """Store ``clip``; raise AudioError when the cache folder cannot be written."""
        import soundfile

        def write(name: str) -> None:
            soundfile.write(name, clip.samples, clip.sample_rate, subtype="FLOAT", format="WAV")

        return self._store(key, text, write)

    def adopt(self, key: str, text: str, recording: Path) -> Path:
        """Move the file ``recording`` in as the entry (a copy where it is on another
        file system); raise AudioError when the cache folder cannot be written."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.path(key, text)
            os.replace(recording, path)
            return path
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise self._unwritable(exc) from None
        return self._store(key, text, lambda name: shutil.copyfile(recording, name))

    def _store(self, key: str, text: str, write: Callable[[str], object]) -> Path:
        path = self.path(key, text)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=".", suffix=".part", dir=self.folder)
            os.close(handle)
            try:
                write(name)
                os.replace(name, path)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
        except (OSError, RuntimeError) as exc:
            raise self._unwritable(exc) from None
        return path

    def _unwritable(self, exc: Exception) -> AudioError:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else _one_line(exc)
        return AudioError(
            f"cannot write to the speech cache {display_path(self.folder)}: {reason} "
            f"(set {CACHE_ENV} to use another folder)"
        )

    def clear(self) -> int:
        """Remove every cached clip (and leftover temporary files); return how many files."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        for pattern in (f"*{self.SUFFIX}", ".*.part"):
            for path in self.folder.glob(pattern):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
        return removed

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob(f"*{self.SUFFIX}")) if self.folder.is_dir() else 0


class CachedSynthesizer:
    """A :class:`Synthesizer` that asks ``inner`` only for clips the cache lacks.

    ``hits`` and ``misses`` count lookups, so a caller (or a test) can see that a
    second run synthesized nothing.
    """

    def __init__(self, inner: Synthesizer, cache: ClipCache) -> None:
        self.inner = inner
        self.cache = cache
        self.hits = 0
        self.misses = 0

    @property
    def key(self) -> str:
        return self.inner.key

    def synthesize(self, text: str) -> Clip:
        key = self.inner.key
        inner = self.inner
        stored = self.cache.get(key, text)
        if stored is not None:
            self.hits += 1
            return inner.finish(stored) if isinstance(inner, Pyttsx3Synthesizer) else stored
        self.misses += 1
        if isinstance(inner, Pyttsx3Synthesizer):  # the cache keeps the engine's recording
            made = inner.synthesize_all(
                [text], keep_recording=lambda said, path: self.cache.adopt(key, said, path)
            )
            (clip,) = [clip for _, clip in made]  # to its end: the engine is let go
            return clip
        clip = inner.synthesize(text)
        self.cache.put(key, text, clip)
        return clip

    def close(self) -> None:
        """Close the inner synthesizer, when it has anything to close."""
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> CachedSynthesizer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
