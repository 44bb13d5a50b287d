"""`export --chapters json`: the Podcasting 2.0 chapters file beside the guide, the same
chapters the audio carries, for a guide and for every session of a course."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from voiceguide.cli import cli
from voiceguide.testing import FakeSpeech, installed

DATA = Path(__file__).parent / "data"
SHORT = str(DATA / "short.yaml")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def stages(*args: str) -> list[dict[str, Any]]:
    """The timeline's chapter marks (every segment but the transitions)."""
    result = invoke("preview", *args, "--exact", "--format", "json")
    assert result.exit_code == 0, result.output
    return [s for s in json.loads(result.stdout)["stages"] if s["kind"] != "transition"]


def test_the_chapters_file_has_the_guides_chapters(tmp_path: Path) -> None:
    """Version 1.2.0, the routine's title, and one chapter per stage part with its start,
    its end (the next one's start; the last: the guide's end) and its title."""
    target = tmp_path / "guide.flac"
    with installed(speech=FakeSpeech()):
        result = invoke("export", SHORT, "-o", str(target), "--chapters", "json")
        assert result.exit_code == 0, result.output
        expected = stages(SHORT)
        duration = json.loads(invoke("preview", SHORT, "--exact", "--format", "json").stdout)[
            "duration"
        ]
    written = json.loads((tmp_path / "guide.chapters.json").read_text(encoding="utf-8"))
    assert written["version"] == "1.2.0"
    assert written["title"] == "Short check"
    marks = written["chapters"]
    assert [m["title"] for m in marks] == [s["label"] for s in expected]
    assert [m["startTime"] for m in marks] == [round(s["start"], 3) for s in expected]
    ends = [m["startTime"] for m in marks[1:]] + [round(duration, 3)]
    assert [m["endTime"] for m in marks] == ends
    assert "guide.chapters.json" in result.stderr


def test_no_chapters_file_unless_asked_and_none_overwritten_without_force(
    tmp_path: Path,
) -> None:
    """By default only the audio and its subtitles are written; a chapters file already
    there stops the export before anything is said."""
    speech = FakeSpeech()
    with installed(speech=speech):
        assert invoke("export", SHORT, "-o", str(tmp_path / "a.mp3"), "-q").exit_code == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp3", "a.srt"]
        (tmp_path / "b.chapters.json").write_text("{}", encoding="utf-8")
        said = len(speech.spoken)
        result = invoke("export", SHORT, "-o", str(tmp_path / "b.mp3"), "--chapters", "json")
    assert result.exit_code == 1
    assert "b.chapters.json already exists; use --force to overwrite it" in result.stderr
    assert len(speech.spoken) == said
    assert (tmp_path / "b.chapters.json").read_text(encoding="utf-8") == "{}"
    assert not (tmp_path / "b.mp3").exists()


def test_every_session_of_a_course_gets_its_chapters_file(tmp_path: Path) -> None:
    """With --course, each session's guide has its own chapters file, with that
    session's chapters."""
    course = str(DATA / "course.yaml")
    with installed(speech=FakeSpeech()):
        result = invoke(
            "export", course, "--course", str(tmp_path), "--chapters", "json", "-q", "--jobs", "1"
        )
        assert result.exit_code == 0, result.output
        files = sorted(tmp_path.glob("*.chapters.json"))
        assert len(files) >= 2
        for number, path in enumerate(files, start=1):
            marks = json.loads(path.read_text(encoding="utf-8"))["chapters"]
            expected = stages(course, "--session", str(number))
            assert [m["title"] for m in marks] == [s["label"] for s in expected]
