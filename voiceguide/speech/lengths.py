"""How long a guide's speech is when its clips are in the clip cache, known without
speaking and without decoding audio: the duration oracle of :func:`voiceguide.pipeline.timeline`.

The lengths are those the clips had when a guide was last made from them (play, export,
``preview --exact`` note them in the cache), so a timeline compiled with them is the one
play and export compile. A recording cached without a noted length (by an older
voiceguide) counts as not cached until a guide is made from it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voiceguide.model.sounds import SOUNDS
from voiceguide.speech.cache import ClipCache


class NotCached(LookupError):
    """A text whose clip is not in the cache, or whose length was never noted."""


class CachedDurations:
    """The :class:`~voiceguide.ports.DurationOracle` of clips already made: each text's
    length as noted in ``cache`` under ``key`` (the synthesizer's) at ``sample_rate`` (at
    another rate when only that is noted: a few samples apart), each cue sound's as the
    renderer makes it. A text the cache lacks raises :class:`NotCached`."""

    def __init__(self, cache: ClipCache, key: str, sample_rate: int) -> None:
        self.cache = cache
        self.key = key
        self.sample_rate = sample_rate
        self._speech: dict[str, float] = {}
        self._sounds: dict[str, float] = {}
        self._noted: dict[str, dict[str, Any]] | None = None
        """The lengths noted for the key, read when first needed."""

    @property
    def empty(self) -> bool:
        """Whether no length at all is noted for the key (nothing to look for)."""
        return not self._lengths()

    def knows(self, texts: list[str]) -> bool:
        """Whether every one of ``texts`` is in the cache with its length (so
        :meth:`speech` will not raise for them)."""
        return all(self._known(text) for text in texts)

    def speech(self, text: str) -> float:
        if not self._known(text):
            raise NotCached(text)
        return self._speech[text]

    def sound(self, sound: str) -> float:
        known = self._sounds.get(sound)
        if known is None:
            rate = self.sample_rate
            spec = SOUNDS.get(sound)
            if spec is not None:
                frames = round(spec.duration * rate)
            else:
                from voiceguide.audio.tones import load_sound_file

                frames = len(load_sound_file(sound, rate))
            known = self._sounds[sound] = frames / rate
        return known

    def _known(self, text: str) -> bool:
        if text in self._speech:
            return True
        if not text.strip():
            self._speech[text] = 0.0
            return True
        entry = self._lengths().get(text)
        seconds = _seconds(entry, self.sample_rate)
        if seconds is None or not self._recorded(entry):
            return False
        self._speech[text] = seconds
        return True

    def _lengths(self) -> dict[str, dict[str, Any]]:
        if self._noted is None:
            folder = self.cache.folder.is_dir()
            self._noted = self.cache.noted_lengths(self.key) if folder else {}
        return self._noted

    def _recorded(self, entry: object) -> bool:
        """Whether the recording an entry of noted lengths names is in the cache."""
        name = entry.get("file") if isinstance(entry, dict) else None
        return (
            isinstance(name, str)
            and name == Path(name).name
            and (self.cache.folder / name).is_file()
        )


def _seconds(entry: object, sample_rate: int) -> float | None:
    """The length an entry of noted lengths gives: at ``sample_rate`` when it is noted,
    else at the first rate that is; None when there is none."""
    frames = entry.get("frames") if isinstance(entry, dict) else None
    if not isinstance(frames, dict):
        return None
    wanted = str(sample_rate)
    for rate in [wanted, *(r for r in frames if r != wanted)]:
        count = frames.get(rate)
        if isinstance(count, int) and count >= 0 and rate.isdigit() and int(rate) > 0:
            return count / int(rate)
    return None


__all__ = ["CachedDurations", "NotCached"]
