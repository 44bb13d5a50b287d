"""How long a guide's speech is when its clips are in the clip cache, known without
speaking and without decoding audio: the duration oracle of :func:`voiceguide.pipeline.timeline`.

The lengths are those the clips had when they were made (noted in the cache beside each
recording), so a timeline compiled with them is the one play and export compile.
"""

from __future__ import annotations

from voiceguide.model.sounds import SOUNDS
from voiceguide.speech.cache import ClipCache


class NotCached(LookupError):
    """A text whose clip is not in the cache (or whose length was never noted)."""


class CachedDurations:
    """The :class:`~voiceguide.ports.DurationOracle` of clips already made: each text's
    length as noted in ``cache`` under ``key`` (the synthesizer's) at ``sample_rate``,
    each cue sound's as the renderer makes it. A text the cache lacks raises
    :class:`NotCached`. An old recording without a note is measured once (decoded) and
    noted."""

    def __init__(self, cache: ClipCache, key: str, sample_rate: int) -> None:
        self.cache = cache
        self.key = key
        self.sample_rate = sample_rate
        self._speech: dict[str, float] = {}
        self._sounds: dict[str, float] = {}

    def knows(self, texts: list[str]) -> bool:
        """Whether every one of ``texts`` is in the cache (so :meth:`speech` will not raise
        for them)."""
        return all(self._known(text) for text in texts)

    def speech(self, text: str) -> float:
        known = self._speech.get(text)
        if known is None:
            known = self._speech[text] = self._length(text)
        return known

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
        if text in self._speech or not text.strip():
            return True
        seconds = self.cache.clip_seconds(self.key, text, self.sample_rate)
        if seconds is not None:
            self._speech[text] = seconds
            return True
        return self.cache.path(self.key, text).is_file()

    def _length(self, text: str) -> float:
        if not text.strip():
            return 0.0
        seconds = self.cache.clip_seconds(self.key, text, self.sample_rate)
        if seconds is not None:
            return seconds
        recording = self.cache.get(self.key, text)
        if recording is None:
            raise NotCached(text)
        from voiceguide.audio.clips import finish

        frames = len(finish(recording, self.sample_rate))
        self.cache.note_clip(self.key, text, self.sample_rate, frames)
        return frames / self.sample_rate


__all__ = ["CachedDurations", "NotCached"]
