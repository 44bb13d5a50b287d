"""One audio file per chapter and an M3U8 playlist of them in order (``export --split``),
for the players that know no chapters: a phone's music player plays a folder's files
one after the other, and shows each one's title.

Each file holds its chapter's frames of the one rendered guide, so the files laid end
to end are the guide; each is tagged with its chapter's title, the routine as the
album, and its track number. The names number the files in order and carry the titles
(letters of any script, digits and dashes). Nothing is renamed into place unless every
file was written, and nothing is overwritten without ``force``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.errors import ExportError
from voiceguide.export import writer
from voiceguide.export.tags import Chapter, Tags, chapters, tagging
from voiceguide.export.writer import AudioFormat
from voiceguide.files import atomic_output, check_target
from voiceguide.text import one_line

if TYPE_CHECKING:
    from voiceguide.audio.render import Renderer
    from voiceguide.model.script import Script
    from voiceguide.ports import Progress

NAME_ROOM = 48
"""The most characters of a chapter's title a file name keeps."""


@dataclass(frozen=True)
class Part:
    """One chapter's file."""

    number: int
    chapter: Chapter
    path: Path


def file_title(title: str) -> str:
    """``title`` as it goes in a file name: words of letters and digits joined by dashes."""
    words = "".join(c if c.isalnum() else " " for c in title).split()
    return "-".join(words)[:NAME_ROOM].strip("-") or "part"


def plan_parts(script: Script, folder: Path, suffix: str) -> list[Part]:
    """The files of ``script``'s chapters in ``folder``, numbered from 1."""
    marks = chapters(script)
    width = max(2, len(str(len(marks))))
    return [
        Part(number, chapter, folder / f"{number:0{width}d}-{file_title(chapter.title)}{suffix}")
        for number, chapter in enumerate(marks, start=1)
    ]


def playlist_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.m3u8"


def check_parts(parts: list[Part], playlist: Path, force: bool) -> None:
    """Refuse, before any work, files that may not be written (or overwritten)."""
    for path in [*(part.path for part in parts), playlist]:
        check_target(path, force, "--split")


def playlist(script: Script, parts: list[Part]) -> str:
    """The extended M3U playlist (UTF-8) of the parts, in order, with their lengths
    and titles; each entry is the file's name, beside the playlist."""
    lines = ["#EXTM3U", f"#PLAYLIST:{one_line(script.title)}"]
    for part in parts:
        seconds = round(part.chapter.end - part.chapter.start)
        lines += [f"#EXTINF:{seconds},{part.chapter.title}", part.path.name]
    return "\n".join(lines) + "\n"


def export_split(
    renderer: Renderer,
    folder: Path,
    fmt: AudioFormat,
    name: str,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Write one file per chapter of the guide in ``folder``, and the playlist
    ``name``.m3u8; return the files written (the playlist last)."""
    script = renderer.script
    rate = renderer.settings.sample_rate
    parts = plan_parts(script, folder, fmt.suffix)
    if not parts:
        raise ExportError("the guide has no chapters to split into")
    listing = playlist_path(folder, name)
    check_parts(parts, listing, force)
    bounds = [round(part.chapter.start * rate) for part in parts] + [renderer.total_frames]
    total, done = renderer.total_frames, 0

    def told(first: int) -> Progress | None:
        if progress is None:
            return None
        return lambda frames, _: progress(first + frames, total)

    with contextlib.ExitStack() as stack:
        for part, first, last in zip(parts, bounds, bounds[1:], strict=False):
            temporary = stack.enter_context(atomic_output(part.path, force))
            tags = part_tags(script, part, len(parts))
            writer.write_audio(
                renderer, temporary, part.path, fmt, told(done), frames=(first, last), tags=tags
            )
            tagging(lambda: _tag_part(temporary, fmt, script, part, len(parts)))  # noqa: B023
            done = last
        listed = stack.enter_context(atomic_output(listing, force))
        listed.write_text(playlist(script, parts), encoding="utf-8")
    return [*(part.path for part in parts), listing]


def part_tags(script: Script, part: Part, count: int) -> Tags:
    """The chapter's title, the routine's author, and which part of which routine it is."""
    base = Tags.for_script(script)
    return Tags(part.chapter.title, base.artist, f"{base.title}, {part.number}/{count}")


def _tag_part(target: Path, fmt: AudioFormat, script: Script, part: Part, count: int) -> None:
    """Title, artist, album (the routine) and track number, as each format keeps them
    (a WAV file has its title, artist and comment in its header already, and an MP4
    file its title, artist and comment)."""
    tags = part_tags(script, part, count)
    album, track = one_line(script.title), f"{part.number}/{count}"
    if fmt.container == "WAV":
        return
    if fmt.container == "MP4":  # (title, artist and comment are in it already)
        from mutagen.mp4 import MP4

        mp4 = MP4(target)
        mp4["\xa9alb"] = [album]
        mp4["trkn"] = [(part.number, count)]
        mp4.save()
        return
    if fmt.container == "MP3":
        from mutagen.id3 import ID3, TALB, TIT2, TPE1, TRCK

        id3 = ID3()
        id3.add(TIT2(encoding=3, text=tags.title))
        id3.add(TPE1(encoding=3, text=tags.artist))
        id3.add(TALB(encoding=3, text=album))
        id3.add(TRCK(encoding=3, text=track))
        id3.save(target, v2_version=4, padding=lambda info: 0)
        return
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    opener = {"FLAC": FLAC, "VORBIS": OggVorbis, "OPUS": OggOpus}
    audio = opener[fmt.subtype if fmt.container == "OGG" else "FLAC"](target)
    audio["TITLE"] = tags.title
    audio["ARTIST"] = tags.artist
    audio["ALBUM"] = album
    audio["TRACKNUMBER"] = track
    audio.save()
