"""Speech: voices (:mod:`.voices`), the pyttsx3 synthesizer (:mod:`.pyttsx3`) on engines
in worker processes (:mod:`.process` starts them, :mod:`.worker` is their side), and the
clip cache in front of it (:mod:`.cache`), with :func:`.cache.recordings`, the one way
the pipeline gets its recordings.

:func:`speech_engine` is the engine in use: the one a test installed, else pyttsx3."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voiceguide.ports import SpeechEngine


def speech_engine() -> SpeechEngine:
    """The speech engine to use: the one installed (see :func:`voiceguide.testing.installed`),
    else pyttsx3."""
    from voiceguide.ports import plugged

    installed = plugged().speech
    if installed is not None:
        return installed
    from voiceguide.speech.pyttsx3 import Pyttsx3Engine

    return Pyttsx3Engine()
