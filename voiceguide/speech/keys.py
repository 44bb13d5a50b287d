"""The keys recordings are cached under, known without starting an engine or importing
its module, so that a look in the clip cache (``routines``, ``check``, ``preview``)
stays light."""

from __future__ import annotations

import sys

from voiceguide.speech.cache import CLIP_FORMAT
from voiceguide.speech.voices import VoiceSettings, normalize_language

_DRIVERS = {"darwin": "nsss", "win32": "sapi5"}


def pyttsx3_key(settings: VoiceSettings) -> str:
    """The key of pyttsx3's recordings with ``settings``: the driver, the voice (or the
    language it is chosen for), the rate and the volume."""
    voice = (
        f"voice={settings.voice}"
        if settings.voice
        else f"language={normalize_language(settings.language)}"
    )
    driver = _DRIVERS.get(sys.platform, "espeak")
    return (
        f"pyttsx3/{driver} {voice} rate={settings.rate} volume={settings.volume:g} "
        f"format={CLIP_FORMAT}"
    )


def recordings_key(settings: VoiceSettings) -> str:
    """The key of the recordings the speech engine in use makes with ``settings``: the
    installed engine's (see :func:`voiceguide.testing.installed`), else pyttsx3's."""
    from voiceguide.ports import plugged

    installed = plugged().speech
    return installed.key(settings) if installed is not None else pyttsx3_key(settings)


__all__ = ["pyttsx3_key", "recordings_key"]
