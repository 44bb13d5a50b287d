"""The sounds of one guide at its sample rate: speech clips and cue sounds.

A :class:`ClipStore` is both the compiler's duration oracle (the measured length of
every clip) and what the renderer mixes from. Speech clips are kept in a small
in-memory LRU (:data:`CLIP_MEMORY_BYTES`); one that is pushed out waits, finished, in a
file of its own in a temporary folder, and is read back from there when it plays again
(without resampling it or checking the cache's file again), so memory stays flat however
much is said. A text nobody handed in is synthesized when first asked for.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

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
    """Speech clips and cue sounds at ``sample_rate``, at most ``memory_bytes`` of speech
    in memory at a time."""

    def __init__(
        self,
        synthesizer: Synthesizer,
        sample_rate: int,
        cache: ClipCache | None = None,
        *,
        memory_bytes: int = CLIP_MEMORY_BYTES,
    ) -> None:
        self.synthesizer = synthesizer
        self.sample_rate = sample_rate
        self.cache = cache
        self.memory_bytes = memory_bytes
        self.frames: dict[str, int] = {}
        self.sounds: dict[str, Samples] = {}
        self._recent: OrderedDict[str, Samples] = OrderedDict()
        self._bytes = 0
        self._spilled = _Spilled()
        weakref.finalize(self, self._spilled.remove)

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
        self._spilled.forget(text)
        self._remember(text, clip)
        return clip

    def write_out(self) -> None:
        """Write the clips held in memory to files too (those not written yet), so that
        a forked copy (:mod:`voiceguide.audio.halves`), which writes none, reads back
        any it pushes out rather than make it again from the clip cache."""
        for text, clip in self._recent.items():
            self._spilled.keep(text, clip)

    def _remember(self, text: str, clip: Samples) -> None:
        """Hold ``clip`` in memory, pushing the least recently used ones out to files."""
        replaced = self._recent.pop(text, None)
        if replaced is not None:
            self._bytes -= replaced.nbytes
        self._recent[text] = clip
        self._bytes += clip.nbytes
        while self._bytes > self.memory_bytes and len(self._recent) > 1:
            evicted_text, evicted = self._recent.popitem(last=False)
            self._bytes -= evicted.nbytes
            self._spilled.keep(evicted_text, evicted)

    def clip(self, text: str) -> Samples:
        clip = self._recent.get(text)
        if clip is not None:
            self._recent.move_to_end(text)
            return clip
        clip = self._spilled.get(text, self.frames.get(text, -1))
        if clip is not None:
            self._remember(text, clip)
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


class _Spilled:
    """Finished clips pushed out of memory: one file of raw float32 samples each, in a
    temporary folder made when the first is pushed out and removed with the store.

    Reading one back costs a read from the page cache; making it again would cost
    reading and checking the cache's file and resampling it (about 1.5 ms a clip,
    which a render paid for most of its clips in each pass over a long guide).
    A clip that cannot be written or read back is made again from the clip cache.
    A forked copy of the process (:mod:`voiceguide.audio.halves`) reads the files but
    writes, removes and replaces none: they are its parent's."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.files: dict[str, Path] = {}
        self.written = 0
        self.owner = os.getpid()

    def keep(self, text: str, clip: Samples) -> None:
        if text in self.files or os.getpid() != self.owner:
            return  # the same samples are there already, or they are not ours to write
        try:
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="voiceguide-clips-"))
            self.written += 1
            path = self.folder / f"{self.written}.f32"
            clip.tofile(path)
        except OSError:
            return  # a full disk only costs time: the clip is made again when needed
        self.files[text] = path

    def get(self, text: str, frames: int) -> Samples | None:
        """The clip of ``text`` if one was pushed out and comes back whole (``frames``)."""
        path = self.files.get(text)
        if path is None:
            return None
        try:
            clip = np.fromfile(path, dtype=np.float32)
        except OSError:
            clip = None
        if clip is None or len(clip) != frames:
            self.forget(text)
            return None
        return clip

    def forget(self, text: str) -> None:
        path = self.files.pop(text, None)
        if path is not None and os.getpid() == self.owner:
            path.unlink(missing_ok=True)

    def remove(self) -> None:
        folder, self.folder = self.folder, None
        self.files.clear()
        if folder is not None and os.getpid() == self.owner:
            shutil.rmtree(folder, ignore_errors=True)
