"""Voices: the settings a guide is spoken with, the voices an engine has, and which of
them speaks a language; also how messages about the engine and its texts read.

Nothing here imports the audio libraries or starts an engine (except
:func:`list_voices`, which asks one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from voiceguide.errors import one_line

INSTALL_HINT = "on Debian/Ubuntu: sudo apt-get install espeak-ng"
"""How to get the speech engine; part of every "engine missing" message."""


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


def normalize_language(tag: str) -> str:
    """A language tag compared as the engines write it: ``en_US`` is ``en-us``."""
    return tag.strip().lower().replace("_", "-")


def language_rank(voice: VoiceInfo, language: str) -> int | None:
    """How well ``voice`` fits ``language`` (lower is better), or None when it does not.

    0: a language tag equals it (``en-us`` for ``en-us``); 1: the voice id names it
    (``gmw/en`` for ``en``); 2: a tag's primary subtag equals it (``en-gb`` for ``en``).
    ``ru-lv`` (Russian spoken in Latvia) is Russian, not Latvian.
    """
    wanted = normalize_language(language)
    if not wanted:
        return None
    tags = [normalize_language(tag) for tag in voice.languages]
    if wanted in tags:
        return 0
    if normalize_language(voice.id.rsplit("/", 1)[-1]) == wanted:
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


def list_voices(language: str | None = None) -> list[VoiceInfo]:
    """The installed voices (for ``language``: those that speak it, best fit first)."""
    from voiceguide.speech.process import installed_voices

    voices = installed_voices()
    return voices if language is None else voices_for(voices, language)


def engine_missing_message(detail: str) -> str:
    """The one-line message for a speech engine that cannot start, with how to install it."""
    reason = one_line(detail) or "no reason given"
    return f"the speech engine could not start ({reason}); is espeak-ng installed? {INSTALL_HINT}"
