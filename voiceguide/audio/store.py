"""The sounds of one guide at its sample rate: speech clips and cue sounds.

A :class:`ClipStore` is both the compiler's duration oracle (the measured length of
every clip) and what the renderer mixes from. Speech clips are kept in a small
in-memory LRU (:data:`CLIP_MEMORY_BYTES`); one that was pushed out is read again from
the clip cache (without one, synthesized again), so memory stays flat however much is
said. A text nobody handed in is synthesized when first asked for.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from voiceguide.audio.clips import finish
from voiceguide.audio.tones import load_sound_file, synthesize
from voiceguide.model.sounds import SOUNDS
from voiceguide.speech.cache import ClipCache, recordings

if TYPE_CHECKING:
    from voiceguide.ports import Recording, Samples, Synthesizer

CLIP_MEMORY_BYTES = 16 << 20
"""Speech kept in memory while rendering; the rest waits in the clip cache on disk.
16 MB (about three minutes of speech at 44.1 kHz): a cold FLAC export of 2.4 hours peaks
at 82 MB, as one of 1.5 hours does (with 32 MB: 101 and 96 MB)."""


class ClipStore:
    def __init__(
        self, synthesizer: Synthesizer, sample_rate: int, cache: ClipCache | None = None
    ) -> None:
        self.synthesizer = synthesizer
        self.sample_rate = sample_rate
        self.cache = cache
        self.frames: dict[str, int] = {}
        self.sounds: dict[str, Samples] = {}
        self._recent: OrderedDict[str, Samples] = OrderedDict()
        self._bytes = 0

    # -- the duration oracle

    def speech(self, text: str) -> float:
        return self.length(text) / self.sample_rate

    def sound(self, sound: str) -> float:
        return len(self.sound_clip(sound)) / self.sample_rate

    # -- clips

    def keep(self, text: str, recording: Recording) -> Samples:
        """Take ``text``'s recording (made by this store's synthesizer) into memory,
        finished at :attr:`sample_rate`; return the clip."""
        clip = finish(recording, self.sample_rate)
        self.frames[text] = len(clip)
        replaced = self._recent.pop(text, None)
        if replaced is not None:
            self._bytes -= replaced.nbytes
        self._recent[text] = clip
        self._bytes += clip.nbytes
        while self._bytes > CLIP_MEMORY_BYTES and len(self._recent) > 1:
            _, evicted = self._recent.popitem(last=False)
            self._bytes -= evicted.nbytes
        return clip

    def clip(self, text: str) -> Samples:
        clip = self._recent.get(text)
        if clip is not None:
            self._recent.move_to_end(text)
            return clip
        for made, recording in self._recordings([text]):
            clip = self.keep(made, recording)
        assert clip is not None
        return clip

    def length(self, text: str) -> int:
        """Frames of the clip for ``text``."""
        if text not in self.frames:
            self.clip(text)
        return self.frames[text]

    def sound_clip(self, sound: str) -> Samples:
        """A cue sound from the catalogue, or a sound file, at :attr:`sample_rate`."""
        clip = self.sounds.get(sound)
        if clip is None:
            if sound in SOUNDS:
                clip = synthesize(sound, self.sample_rate)
            else:
                clip = load_sound_file(sound, self.sample_rate)
            self.sounds[sound] = clip
        return clip

    def _recordings(self, texts: list[str]) -> Iterator[tuple[str, Recording]]:
        if self.cache is None:
            return self.synthesizer.synthesize(texts)
        return recordings(self.synthesizer, self.cache, texts)
