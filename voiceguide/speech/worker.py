"""The speech worker, child side: pyttsx3 in a process of its own.

pyttsx3 is unreliable in-process (only the last ``save_to_file`` before ``runAndWait``
counts, ``init()`` hands back a cached engine, it prints "Audio saved to ..." on stdout,
a bad call can hang), so it runs here, started by :mod:`voiceguide.speech.process`:

* the worker moves its own stdout (fd 1, so C-level writes too) to the null device and
  keeps a private duplicate of the original pipe as the answer channel;
* requests and answers are JSON lines, each answer carrying its request's ``id``; the
  first request is the voice configuration and the worker answers with the voice it
  chose (or why it could not start);
* each ``say`` request is exactly one ``save_to_file`` + ``runAndWait`` into the file
  the parent named; ``voices`` lists the installed voices.

The engine starts before the first request is read, so a worker started ahead of need
is ready when asked.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from typing import Any

from voiceguide.errors import one_line
from voiceguide.speech.voices import INSTALL_HINT, VoiceInfo, choose_voice

DRIVER_POLL_SECONDS = 0.001
"""How often pyttsx3's espeak driver looks whether an utterance is done (its own 10 ms
were most of the time a short utterance took)."""

HEAP_KEEPS_BYTES = 64 << 20
"""Blocks up to this size come from the heap, and the heap keeps this much it freed."""


def keep_large_blocks_on_the_heap() -> None:
    """Tell glibc's malloc to serve large blocks from the heap and keep what is freed.

    pyttsx3's espeak driver collects an utterance by appending each piece espeak hands
    it to a bytes object, a new copy each time. By default every copy over 128 KB is a
    fresh mapping whose pages fault in one by one, which made the first long utterance
    of a worker take twice what espeak takes (the neck routine's 800 characters: 0.19 s
    against 0.08 s; its 40 texts in one worker, 0.49 s against 0.36 s). Elsewhere than
    glibc nothing changes."""
    import ctypes
    import ctypes.util

    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    mallopt(m_mmap_threshold, HEAP_KEEPS_BYTES // 2)
    mallopt(m_trim_threshold, HEAP_KEEPS_BYTES)


class StartError(Exception):
    """The engine cannot start (``kind`` "engine") or cannot take the voice ("voice")."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def voice_info(voice: Any) -> VoiceInfo:
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


class Engine:
    """The pyttsx3 engine inside the worker, with a voice chosen and errors collected.

    It starts without a voice; :meth:`configure` (or ``config``) chooses one."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        try:
            import pyttsx3
        except ImportError as exc:
            raise StartError("engine", f"pyttsx3 cannot be imported: {one_line(exc)}") from None
        try:
            self.engine = pyttsx3.init()
        except Exception as exc:
            raise StartError("engine", one_line(exc) or type(exc).__name__) from None
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
        self.voices = [voice_info(voice) for voice in self.engine.getProperty("voices")]
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
                raise StartError("voice", f"no installed speech voice has the id {wanted!r}")
        elif language:
            self.voice = choose_voice(self.voices, language)
            if self.voice is None:
                raise StartError(
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
            raise StartError(
                "voice", f"cannot set the {name} to {value!r}: {one_line(self.errors[0])}"
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
                raise RuntimeError(one_line(self.errors[0]))
            if self.completed:
                return
            if attempt == 2:
                raise RuntimeError("the utterance was cut short")


def main() -> None:
    """Entry point of the worker process: answer JSON-line requests on stdin."""
    import signal

    with contextlib.suppress(ValueError, OSError, AttributeError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # pyttsx3's and the engine's chatter goes nowhere
    os.close(null)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if sys.platform == "linux":
        keep_large_blocks_on_the_heap()

    request: dict[str, Any] = {}

    def answer(**fields: Any) -> None:
        channel.write(json.dumps({"id": request.get("id"), **fields}) + "\n")
        channel.flush()

    # The engine starts before the first request (which says what voice to use) is
    # read, so that a worker started ahead of need is ready when asked.
    failure: StartError | None = None
    engine: Engine | None = None
    try:
        engine = Engine()
    except StartError as exc:
        failure = exc
    except Exception as exc:  # whatever else breaks while starting is the engine's fault
        failure = StartError("engine", one_line(exc) or type(exc).__name__)
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
    except StartError as exc:
        answer(ok=False, kind=exc.kind, error=str(exc))
        return
    except Exception as exc:
        answer(ok=False, kind="engine", error=one_line(exc) or type(exc).__name__)
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
            answer(ok=False, error=one_line(exc) or type(exc).__name__)
