"""`voiceguide export --split`: one file per chapter, numbered, and a playlist of them.

The files laid end to end are the single export's samples; each decodes to its
chapter's length and carries its chapter's title, the routine and its number; nothing
is overwritten without --force, and a failure leaves no file behind."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner, Result

from tests.test_export import ffprobe
from voiceguide.cli import cli
from voiceguide.testing import FakeSpeech, installed

SHORT = str(Path(__file__).parent / "data" / "short.yaml")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def playlist_entries(path: Path) -> list[tuple[int, str, str]]:
    """(seconds, title, file) of each entry of an extended M3U playlist."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    entries = []
    for info, name in zip(lines[2::2], lines[3::2], strict=True):
        assert info.startswith("#EXTINF:")
        seconds, title = info.removeprefix("#EXTINF:").split(",", 1)
        entries.append((int(seconds), title, name))
    return entries


@pytest.mark.audio
def test_the_parts_laid_end_to_end_are_the_single_export(tmp_path: Path) -> None:
    """FLAC parts, decoded and joined, are the single FLAC export's samples; the
    playlist lists every part in order, with the chapters' titles and lengths."""
    whole = tmp_path / "whole.flac"
    assert invoke("export", SHORT, "-o", str(whole), "-q").exit_code == 0
    result = invoke("export", SHORT, "--split", str(tmp_path / "parts"), "--split-format", "flac")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "parts"
    chapters = ffprobe(whole, "-show_chapters")["chapters"]
    entries = playlist_entries(folder / "short.m3u8")
    names = sorted(p.name for p in folder.iterdir() if p.suffix == ".flac")
    assert [name for _, _, name in entries] == names
    assert len(names) == len(chapters) > 2
    assert [title for _, title, _ in entries] == [c["tags"]["title"] for c in chapters]
    for (seconds, _, _), chapter in zip(entries, chapters, strict=True):
        assert seconds == round(float(chapter["end_time"]) - float(chapter["start_time"]))
    joined = np.concatenate([soundfile.read(folder / n, dtype="int16")[0] for n in names])
    np.testing.assert_array_equal(joined, soundfile.read(whole, dtype="int16")[0])
    assert f"wrote {len(names)} files in " in result.stderr


@pytest.mark.audio
@pytest.mark.parametrize("kind", ["mp3", "m4a", "ogg", "opus", "wav"])
def test_each_part_is_its_chapter_tagged(tmp_path: Path, kind: str) -> None:
    """In every format each part decodes to its chapter's length (within 50 ms), with
    the chapter's title, and (where the format keeps them) the routine as the album
    and the part's number of the whole."""
    whole = tmp_path / "whole.flac"
    assert invoke("export", SHORT, "-o", str(whole), "-q").exit_code == 0
    folder = tmp_path / "parts"
    result = invoke("export", SHORT, "--split", str(folder), "--split-format", kind, "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    chapters = ffprobe(whole, "-show_chapters")["chapters"]
    parts = sorted(folder.glob(f"*.{kind}"))
    assert len(parts) == len(chapters)
    for number, (part, chapter) in enumerate(zip(parts, chapters, strict=True), start=1):
        found = ffprobe(part, "-show_format", "-show_streams")
        length = float(chapter["end_time"]) - float(chapter["start_time"])
        assert float(found["format"]["duration"]) == pytest.approx(length, abs=0.05)
        tags = {k.lower(): v for k, v in found["format"].get("tags", {}).items()}
        tags |= {k.lower(): v for k, v in found["streams"][0].get("tags", {}).items()}
        assert tags["title"] == chapter["tags"]["title"]
        if kind != "wav":
            assert tags["album"] == "Short check"
            assert tags["track"] == f"{number}/{len(parts)}"


def test_files_are_kept_without_force_and_nothing_is_said(tmp_path: Path) -> None:
    """A part or playlist already there stops the export before anything is said,
    with one line naming it; --force writes over them."""
    speech = FakeSpeech()
    folder = tmp_path / "parts"
    with installed(speech=speech):
        assert invoke("export", SHORT, "--split", str(folder), "-q").exit_code == 0
        before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
        said = len(speech.spoken)
        again = invoke("export", SHORT, "--split", str(folder), "-q")
        assert again.exit_code == 1
        assert again.stderr == (
            f"voiceguide: error: {folder / '01-Introduction.mp3'} already exists; "
            "use --force to overwrite it\n"
        )
        assert len(speech.spoken) == said
        assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
        forced = invoke("export", SHORT, "--split", str(folder), "-q", "--force")
        assert forced.exit_code == 0, forced.output
    assert sorted(before) == sorted(p.name for p in folder.iterdir())
    assert "short.m3u8" in before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "x.mp3"], "'-o' / '--output': --split writes the files itself: leave it out"),
        (["--course", "c"], "'--course': --split writes the files itself: leave it out"),
        (["--jobs", "2"], "'-j' / '--jobs': --split writes the files itself: leave it out"),
        ([SHORT], "'--split': it writes the chapters of one routine: give one"),
        (
            ["--split-format", "opus", "--sample-rate", "44100"],
            "'--sample-rate': Ogg Opus takes a sample rate of 48000, 24000, 16000, 12000, "
            "8000 Hz, not 44100",
        ),
    ],
)
def test_options_that_do_not_go_with_split(tmp_path: Path, extra: list[str], message: str) -> None:
    """Options that make no sense with --split are refused, saying why, before anything
    is said or written."""
    speech = FakeSpeech()
    with installed(speech=speech):
        result = invoke("export", SHORT, "--split", str(tmp_path / "p"), *extra)
    assert result.exit_code == 2
    assert f"Error: Invalid value for {message}\n" in result.stderr
    assert speech.spoken == []
    assert not (tmp_path / "p").exists()


def test_a_failure_on_the_way_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills up at the third part: a one-line error, and none of the parts
    (nor the playlist) is left, not even the two written whole."""
    from voiceguide.export import writer

    written: list[Path] = []
    write = writer.write_audio

    def filling(*args: Any, **kwargs: Any) -> None:
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(args[1])
        write(*args, **kwargs)

    monkeypatch.setattr(writer, "write_audio", filling)
    folder = tmp_path / "parts"
    with installed(speech=FakeSpeech()):
        result = invoke("export", SHORT, "--split", str(folder), "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith("voiceguide: error: no space left to write ")
    assert len(result.stderr.splitlines()) == 1
    assert len(written) == 2
    assert list(folder.iterdir()) == []
