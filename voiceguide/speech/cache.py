"""The clip cache in front of a speech engine, and the one way the pipeline gets its
recordings: cached ones read, missing ones synthesized and stored (:func:`recordings`).

What is kept is what the synthesizer recorded, at its own rate: for pyttsx3, the
engine's own file (16-bit WAV) taken in as it is; for a synthesizer without a file (or
with one that is no WAV file), its samples in float WAV (exact). Each file is sealed
with a checksum (:mod:`voiceguide.speech.clipfile`) and checked whenever it is read: a
damaged one counts as a miss, is removed and made again. Clips at any sample rate are
finished from it (:func:`voiceguide.audio.clips.finish`). Beside them, one small file
for each key notes how long the clips made from its recordings are
(:meth:`ClipCache.note_lengths`), so the length of a cached guide is known without
decoding audio or hashing its texts.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from voiceguide.errors import AudioError, display_path, one_line
from voiceguide.ports import Progress, Recording, Synthesizer

CACHE_ENV = "VOICEGUIDE_CACHE_DIR"
"""Environment variable naming voiceguide's cache folder (clips go in its ``clips``)."""

CLIP_FORMAT = 3
"""Bumped whenever the way recordings are made or kept changes, so old entries are not
reused."""


def default_cache_folder() -> Path:
    """Where clips are cached: ``$VOICEGUIDE_CACHE_DIR/clips``, else the user cache folder
    (on Linux without ``$XDG_CACHE_HOME``, ``~/.cache/voiceguide``, as platformdirs says,
    known without importing it: ``preview`` looks here as it starts)."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root).expanduser() / "clips"
    if sys.platform == "linux" and not os.environ.get("XDG_CACHE_HOME", "").strip():
        return Path.home() / ".cache" / "voiceguide" / "clips"
    import platformdirs

    return Path(platformdirs.user_cache_dir("voiceguide")) / "clips"


class ClipCache:
    """Recordings on disk, one WAV per (synthesizer key, text), named by their sha256.

    Entries appear atomically (written to a temporary file and renamed), so a crash
    never leaves half of one; an entry that is unreadable, or whose checksum or lengths
    show it damaged since, counts as a miss (:attr:`damaged` counts those found). Either
    kind can be listened to.
    """

    SUFFIX = ".wav"

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_folder()
        self.damaged = 0
        """How many entries :meth:`get` found damaged (and removed)."""

    def path(self, key: str, text: str) -> Path:
        """The file that holds (or would hold) the entry for ``key`` and ``text``."""
        import hashlib  # here: looking up lengths needs none (see noted_lengths)

        digest = hashlib.sha256(json.dumps([CLIP_FORMAT, key, text]).encode("utf-8")).hexdigest()
        return self.folder / f"{digest}{self.SUFFIX}"

    def missing(self, key: str, texts: Iterable[str]) -> list[str]:
        """The texts, each once and in order, that are to be said and not cached."""
        return [t for t in dict.fromkeys(texts) if t.strip() and not self.path(key, t).exists()]

    def get(self, key: str, text: str) -> Recording | None:
        """The recording as it was stored (mono, at its rate), or None: when there is
        none, or when the entry is damaged (then it is removed, to be made again)."""
        from voiceguide.speech.clipfile import Damaged, unseal

        path = self.path(key, text)
        if not path.is_file():
            return None
        try:
            samples, rate = unseal(path.read_bytes())
        except OSError:
            return None
        except Damaged:
            with contextlib.suppress(OSError):  # a read-only cache: storing will say so
                path.unlink(missing_ok=True)
            self.damaged += 1
            return None
        return Recording(samples, rate)

    def store(self, key: str, text: str, recording: Recording) -> Path:
        """Keep ``recording`` (its ``file``, the engine's, taken in and removed, when it is
        a WAV file; else its samples), sealed. Raise AudioError when the cache folder
        cannot be written."""
        content = _sealed(recording)
        path = self._write(key, text, lambda name: Path(name).write_bytes(content))
        if recording.file is not None:
            recording.file.unlink(missing_ok=True)
        return path

    def lengths_path(self, key: str) -> Path:
        """The file that notes how long the clips made from ``key``'s recordings are (named
        by a checksum of the key, which the file holds too)."""
        import zlib

        return self.folder / f"lengths-{zlib.crc32(key.encode('utf-8')):08x}.json"

    def noted_lengths(self, key: str) -> dict[str, dict[str, Any]]:
        """What :meth:`note_lengths` noted for ``key``: for each text, ``file``, the name
        of its recording's entry, and ``frames``, its clip's frames at each sample rate
        (``{"44100": 22050}``); empty when nothing is noted or the note is unreadable. One
        small file read, no audio, no hashing."""
        try:
            noted = json.loads(self.lengths_path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(noted, dict) or noted.get("key") != key:
            return {}
        clips = noted.get("clips")
        return clips if isinstance(clips, dict) else {}

    def note_lengths(self, key: str, sample_rate: int, frames: Mapping[str, int]) -> None:
        """Note that the clips made at ``sample_rate`` from ``key``'s recordings of these
        texts are ``frames[text]`` frames long (kept with what is noted already). Only a
        shortcut: a note that cannot be written is left out."""
        clips = self.noted_lengths(key)
        rate = str(sample_rate)
        changed = False
        for text, count in frames.items():
            entry = clips.get(text)
            name = self.path(key, text).name
            if not isinstance(entry, dict) or entry.get("file") != name:
                entry = clips[text] = {"file": name, "frames": {}}
            if not isinstance(entry.get("frames"), dict):
                entry["frames"] = {}
            if entry["frames"].get(rate) != count:
                entry["frames"][rate] = count
                changed = True
        if changed:
            content = json.dumps({"key": key, "clips": clips}, ensure_ascii=False, indent=0)
            with contextlib.suppress(AudioError):
                self._write_file(
                    self.lengths_path(key), lambda name: Path(name).write_text(content, "utf-8")
                )

    def _write(self, key: str, text: str, write: Callable[[str], object]) -> Path:
        return self._write_file(self.path(key, text), write)

    def _write_file(self, path: Path, write: Callable[[str], object]) -> Path:
        import tempfile

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
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else one_line(exc)
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
        for note in self.folder.glob("lengths-*.json"):
            note.unlink(missing_ok=True)
        return removed


def _sealed(recording: Recording) -> bytes:
    """The file the cache keeps for ``recording``: the engine's own file when it is a
    whole WAV file, else its samples as float WAV; sealed with its checksum."""
    from voiceguide.speech.clipfile import Damaged, seal

    if recording.file is not None:
        try:
            return seal(recording.file.read_bytes())
        except (OSError, Damaged):
            pass
    import io

    import soundfile

    wav = io.BytesIO()
    soundfile.write(wav, recording.samples, recording.sample_rate, subtype="FLOAT", format="WAV")
    return seal(wav.getvalue())


def recordings(
    synthesizer: Synthesizer,
    cache: ClipCache,
    texts: Iterable[str],
    progress: Progress | None = None,
    missing: list[str] | None = None,
) -> Iterator[tuple[str, Recording]]:
    """Each of ``texts`` once, with its recording: those the cache lacks first (``missing``,
    when the caller has looked already), as the synthesizer makes them (each stored as
    it comes; ``progress`` is told (done, total) of these), then blank ones (empty) and
    the cached ones, read from the cache."""
    key = synthesizer.key
    unique = list(dict.fromkeys(texts))
    if missing is None:
        missing = cache.missing(key, unique)
    if missing:
        for done, (text, recording) in enumerate(synthesizer.synthesize(missing), start=1):
            cache.store(key, text, recording)
            if progress:
                progress(done, len(missing))
            yield text, recording
    made = set(missing)
    rest = [text for text in unique if text not in made]
    blank = [text for text in rest if not text.strip()]
    if blank:
        yield from synthesizer.synthesize(blank)
    lost: list[str] = []  # removed or damaged since: made again
    for text in rest:
        if text.strip():
            stored = cache.get(key, text)
            if stored is None:
                lost.append(text)
            else:
                yield text, stored
    if lost:
        for text, recording in synthesizer.synthesize(lost):
            cache.store(key, text, recording)
            yield text, recording
