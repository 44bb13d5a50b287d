"""A guide's chapters and tags, and how each format keeps them: ID3v2 CHAP/CTOC frames
(MP3), CHAPTERnnn Vorbis comments (FLAC, Ogg), cue and label chunks (WAV), and the
Podcasting 2.0 JSON chapters file. (MP4 files get theirs as they are written: see
:mod:`voiceguide.export.aac`.)
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide import __version__
from voiceguide.errors import ExportError
from voiceguide.model.script import Script
from voiceguide.text import one_line
from voiceguide.words import made_with

if TYPE_CHECKING:
    from voiceguide.export.writer import AudioFormat


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float
    end: float


def chapters(script: Script) -> list[Chapter]:
    """One chapter per stage part (and the introduction and ending); a transition
    belongs to the chapter before it, so chapters tile the guide."""
    marks = [s for s in script.segments if s.kind != "transition"]
    result = []
    for number, segment in enumerate(marks):
        end = marks[number + 1].start if number + 1 < len(marks) else script.duration
        result.append(Chapter(one_line(segment.label), segment.start, end))
    return result


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str
    comment: str

    @classmethod
    def for_script(cls, script: Script) -> Tags:
        comment = one_line(script.description or script.title)
        return cls(
            title=one_line(script.title),
            artist=one_line(script.author or "voiceguide"),
            comment=f"{comment} {made_with(__version__, script.language)}",
        )


def podcast_chapters(script: Script) -> str:
    """The guide's chapters as a Podcasting 2.0 JSON chapters file (version 1.2.0):
    each with its start and end in seconds and its title, for the podcast apps that
    read them."""
    import json

    marks = [
        {"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title}
        for c in chapters(script)
    ]
    data = {"version": "1.2.0", "title": one_line(script.title), "chapters": marks}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_metadata(target: Path, fmt: AudioFormat, script: Script) -> None:
    """Chapters and tags; a full disk is an OSError, as when the audio is written."""
    tagging(lambda: _tag(target, fmt, script))


def tagging(write: Callable[[], object]) -> None:
    """Run ``write``, which tags a file with mutagen: a full disk is an OSError, as when
    the audio is written, anything else an ExportError."""
    from mutagen import MutagenError

    try:
        write()
    except MutagenError as exc:  # mutagen wraps the OSError it met
        cause = next((c for c in (*exc.args[:1], exc.__context__) if isinstance(c, OSError)), None)
        if cause is not None:
            raise cause from None
        raise ExportError(f"cannot write the chapters and tags: {exc}") from None


def _tag(target: Path, fmt: AudioFormat, script: Script) -> None:
    tags = Tags.for_script(script)
    marks = chapters(script)
    if fmt.container == "MP4":
        return  # written with the audio (see AacWriter)
    if fmt.container == "WAV":
        _wav_chapters(target, marks, script)
    elif fmt.container == "MP3":
        _id3(target, marks, tags)
    else:
        _vorbis_comments(target, fmt, marks, tags)


def _clock(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _vorbis_comments(target: Path, fmt: AudioFormat, marks: list[Chapter], tags: Tags) -> None:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    opener = {"FLAC": FLAC, "VORBIS": OggVorbis, "OPUS": OggOpus}
    audio = opener[fmt.subtype if fmt.container == "OGG" else "FLAC"](target)
    audio["TITLE"] = tags.title
    audio["ARTIST"] = tags.artist
    audio["COMMENT"] = tags.comment
    for number, chapter in enumerate(marks, start=1):
        audio[f"CHAPTER{number:03d}"] = _clock(chapter.start)
        audio[f"CHAPTER{number:03d}NAME"] = chapter.title
    audio.save()


def _id3(target: Path, marks: list[Chapter], tags: Tags) -> None:
    from mutagen.id3 import CHAP, COMM, CTOC, ID3, TIT2, TPE1, CTOCFlags

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.comment))
    ids = [f"chp{number}" for number in range(len(marks))]
    id3.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text="Chapters")],
        )
    )
    for element_id, chapter in zip(ids, marks, strict=True):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=round(chapter.start * 1000),
                end_time=round(chapter.end * 1000),
                sub_frames=[TIT2(encoding=3, text=chapter.title)],
            )
        )
    id3.save(target, v2_version=4, padding=lambda info: 0)
    _order_chapter_frames(target)


def _syncsafe(value: bytes) -> int:
    return (value[0] << 21) | (value[1] << 14) | (value[2] << 7) | value[3]


def _order_chapter_frames(target: Path) -> None:
    """Put the CHAP frames of the ID3v2.4 tag at the start of ``target`` in time order.

    mutagen orders frames by size; players follow the CTOC frame, but some tools
    (ffprobe among them) list chapters in file order.
    """
    with target.open("r+b") as handle:
        header = handle.read(10)
        if header[:3] != b"ID3" or header[3] != 4:
            return
        size = _syncsafe(header[6:10])
        body = handle.read(size)
        frames: list[bytes] = []
        position = 0
        while position + 10 <= len(body) and body[position : position + 4].strip(b"\0"):
            length = _syncsafe(body[position + 4 : position + 8])
            frames.append(body[position : position + 10 + length])
            position += 10 + length
        padding = body[position:]

        def start(frame: bytes) -> int:
            data = frame[10:]
            element_end = data.index(b"\0")
            return int.from_bytes(data[element_end + 1 : element_end + 5], "big")

        chapters_in_order = iter(sorted((f for f in frames if f[:4] == b"CHAP"), key=start))
        ordered = [next(chapters_in_order) if f[:4] == b"CHAP" else f for f in frames]
        handle.seek(10)
        handle.write(b"".join(ordered) + padding)


def _wav_chapters(target: Path, marks: list[Chapter], script: Script) -> None:
    """Append a ``cue `` chunk and a ``LIST``/``adtl`` chunk of ``labl`` names."""
    import soundfile

    rate = soundfile.info(str(target)).samplerate
    points = [(number, round(chapter.start * rate)) for number, chapter in enumerate(marks, 1)]
    cue = struct.pack("<I", len(points)) + b"".join(
        struct.pack("<II4sIII", number, frame, b"data", 0, 0, frame) for number, frame in points
    )
    adtl = b"adtl"
    for (number, _), chapter in zip(points, marks, strict=True):
        body = struct.pack("<I", number) + chapter.title.encode("utf-8") + b"\0"
        adtl += b"labl" + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")
    extra = (
        b"cue " + struct.pack("<I", len(cue)) + cue + b"LIST" + struct.pack("<I", len(adtl)) + adtl
    )
    with target.open("r+b") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        if size % 2:
            handle.write(b"\0")
            size += 1
        handle.write(extra)
        riff_size = size + len(extra) - 8
        if riff_size > 0xFFFFFFFF:
            raise ExportError("the guide is too long for a WAV file; export to .flac instead")
        handle.seek(4)
        handle.write(struct.pack("<I", riff_size))
