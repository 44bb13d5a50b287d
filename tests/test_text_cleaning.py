"""A routine's texts on line-oriented output: one line each, no control characters.

A say text holding a blank line and a timing line must not become a subtitle cue of its
own, and a bell, a backspace or an escape sequence must not reach the terminal; Cyrillic
and Latvian letters pass as they are."""

from __future__ import annotations

import io
import json
import textwrap
import unicodedata
from pathlib import Path

import pytest
import srt
import webvtt

from tests.conftest import RunCli
from voiceguide.adapt import Variant
from voiceguide.export.tags import Tags, chapters
from voiceguide.formats import WRITERS
from voiceguide.load import load_routine
from voiceguide.pipeline import estimate
from voiceguide.play.terminal import Display, Status
from voiceguide.testing import FakeSpeech, installed
from voiceguide.text import one_line, stray_control

FORGED = "Stroke down.\\n\\n99\\n00:00:00,000 --> 00:00:05,000\\nForged cue\\n\\nmore"
"""A say text (as written in double quotes) that would forge a cue in subtitles."""

NOISY = "Bell \\a back\\bspace nul \\0 esc \\e[31mred\\e[0m del \\x7f csi \\x9b1m end"
"""A say text (as written in double quotes) with control characters for the terminal."""


def routine(say: str, *, name: str = "Stroking", title: str = "Neck") -> str:
    return textwrap.dedent(f"""\
        voiceguide: 1
        title: "{title}"
        description: "First line.\\n\\nSecond line."
        safety:
          contraindications: ["Fever\\n\\n# not a heading"]
          stop_if: ["dizziness\\a"]
        preparation: ["Sit\\n\\n| a | table |"]
        stages:
          - name: "{name}"
            technique: stroking
            duration: 30s
            say: "{say}"
          - name: Rubbing
            technique: rubbing
            duration: 20s
            say: Rub gently.
        """)


@pytest.fixture
def hostile(in_tmp: Path) -> Path:
    """A routine whose title, stage name and says hold line breaks and control characters,
    and the same routine with plain texts beside it (plain.yaml)."""
    path = in_tmp / "hostile.yaml"
    text = routine(FORGED, name="Strok\\ting\\nX\\a", title="Ne\\r\\nck\\a\\b")
    path.write_text(text.replace("Rub gently.", f'"{NOISY}"'), encoding="utf-8")
    (in_tmp / "plain.yaml").write_text(routine("Stroke down."), encoding="utf-8")
    return path


def _controls(text: str) -> list[str]:
    """The control characters of ``text`` other than the line feed."""
    return [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stroke down.\n\n99\n00:00:00,000 --> 00:00:05,000\nForged", "Stroke down. 99 "
         "00:00:00,000 --> 00:00:05,000 Forged"),
        ("one \r\n\t two", "one two"),
        ("one\ttwo", "one two"),
        ("bell\a, back\bspace, nul\0, esc\x1b[31m", "bell, backspace, nul, esc[31m"),
        ("del\x7f csi\x9b1m", "del csi1m"),
        ("next\x85line\u2028sep\u2029par\x0bv\x0cf", "next line sep par v f"),
        ("fs\x1cgs\x1drs\x1eus\x1f.", "fs gs rs us."),
        ("  both ends \n", "both ends"),
        ("a  b", "a  b"),
        ("10\u00a0s", "10\u00a0s"),
        ("Погладьте шию. Розітріть м'язи — ґ, є, ї.", "Погладьте шию. Розітріть м'язи — ґ, є, ї."),
        ("Glāstiet kaklu: ķ, ļ, ņ, ž, š, ū, ē, ģ.", "Glāstiet kaklu: ķ, ļ, ņ, ž, š, ū, ē, ģ."),
        ("", ""),
        ("\0\a\n\n", ""),
    ],
)  # fmt: skip
def test_one_line(text: str, expected: str) -> None:
    """Line breaks with the white space around them become one space, a tab a space;
    other control characters go; everything else stays, spacing inside a line too."""
    assert one_line(text) == expected


def test_one_line_leaves_no_control_character_whatever_it_is_given() -> None:
    """Every C0 and C1 control character, DEL and the Unicode separators, alone and
    between words: the result is one line without a control character."""
    specials = [chr(c) for c in range(0xA0) if unicodedata.category(chr(c)) == "Cc"]
    for char in [*specials, "\u2028", "\u2029"]:
        cleaned = one_line(f"a{char}b {char}{char} c{char}")
        assert not _controls(cleaned), repr(char)
        assert len(cleaned.splitlines()) == 1, repr(char)
        assert cleaned[0] + cleaned[-1] == "ac", repr(char)


def test_stray_control_names_the_first_one_and_where() -> None:
    assert stray_control("Say\tit\non two lines.\r\n") is None
    assert stray_control("Bell\a and \0") == "U+0007 (\\a in double quotes) at character 5"
    assert stray_control("csi \x9b") == "U+009B (\\x9b in double quotes) at character 5"


def _cue_count(run_cli: RunCli, routine_file: str) -> tuple[list[srt.Subtitle], list[str]]:
    """The cues of the routine's SubRip and WebVTT previews, parsed."""
    result = run_cli("preview", routine_file, "-f", "srt")
    assert result.exit_code == 0, result.stderr
    cues = list(srt.parse(result.stdout))
    result = run_cli("preview", routine_file, "-f", "vtt")
    assert result.exit_code == 0, result.stderr
    Path("cues.vtt").write_text(result.stdout, encoding="utf-8")
    return cues, [c.text for c in webvtt.read("cues.vtt").captions]


def test_a_forged_cue_stays_inside_its_utterances_cue(run_cli: RunCli, hostile: Path) -> None:
    """The say text with a blank line and a timing line gives exactly the cues the same
    routine with a plain text gives, in SubRip and in WebVTT; the forged lines are words
    of the utterance's one cue."""
    plain_srt, plain_vtt = _cue_count(run_cli, "plain.yaml")
    forged_srt, forged_vtt = _cue_count(run_cli, hostile.name)
    assert len(plain_srt) == len(plain_vtt) == 15
    assert len(forged_srt) == len(plain_srt)
    assert len(forged_vtt) == len(plain_vtt)
    assert [c.index for c in forged_srt] == list(range(1, len(plain_srt) + 1))
    said = "Stroke down. 99 00:00:00,000 {} 00:00:05,000 Forged cue more"
    assert said.format("→") in [c.content for c in forged_srt]
    assert said.format("--&gt;") in forged_vtt
    for content in [*(c.content for c in forged_srt), *forged_vtt]:
        assert "\n" not in content
        assert not _controls(content)


def test_a_text_that_is_a_timing_line_is_no_cue(run_cli: RunCli, in_tmp: Path) -> None:
    """A one-line text that reads as a cue's timing line: SubRip writes its arrow as
    "→", WebVTT escapes it, so neither reader takes it for a new cue."""
    Path("timing.yaml").write_text(
        routine("00:00:01,000 --> 00:00:09,000 Forged"), encoding="utf-8"
    )
    (in_tmp / "plain.yaml").write_text(routine("Stroke down."), encoding="utf-8")
    plain_srt, plain_vtt = _cue_count(run_cli, "plain.yaml")
    cues, captions = _cue_count(run_cli, "timing.yaml")
    assert len(cues) == len(plain_srt)
    assert len(captions) == len(plain_vtt)
    assert "00:00:01,000 → 00:00:09,000 Forged" in [c.content for c in cues]
    assert "00:00:01,000 --&gt; 00:00:09,000 Forged" in captions


@pytest.mark.parametrize("format_name", sorted(WRITERS))
def test_preview_shows_no_control_character(
    run_cli: RunCli, hostile: Path, format_name: str
) -> None:
    """Whatever the format, preview's output holds no control character but line feeds,
    and nothing on stderr does either; JSON keeps the texts whole, escaped."""
    result = run_cli("preview", hostile.name, "-f", format_name)
    assert result.exit_code == 0, result.stderr
    assert not _controls(result.stdout)
    assert not _controls(result.stderr)
    assert "\u2028" not in result.stdout
    if format_name == "json":
        texts = [e.get("text") for e in json.loads(result.stdout)["events"]]
        assert "Stroke down.\n\n99\n00:00:00,000 --> 00:00:05,000\nForged cue\n\nmore" in texts
    if format_name == "text":
        lines = result.stdout.splitlines()
        assert lines[0] == "Ne ck (about 1:11)"
        assert lines[1] == "First line. Second line."
        assert any(line.endswith(" ▶ Strok ing X (0:30)") for line in lines)
        assert any(
            line.endswith('   "Bell  backspace nul  esc [31mred[0m del  csi 1m end"')
            for line in lines
        )


def test_the_handout_keeps_each_text_in_its_item_and_row(hostile: Path) -> None:
    """In the Markdown handout a blank line in a text would end its list item and start
    a heading or a table: each text stays on its own line."""
    handout = WRITERS["markdown"](estimate(load_routine(str(hostile)), Variant()))
    assert "- Fever # not a heading\n" in handout
    assert "- dizziness\n" in handout
    assert ":** Sit | a | table |\n" in handout
    assert "\n# not a heading" not in handout
    rows = [line for line in handout.splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 1
    assert "Strok ing X" in rows[0]
    assert not _controls(handout)


def test_the_loader_warns_of_control_characters_where_they_are(
    run_cli: RunCli, hostile: Path
) -> None:
    """check names each text holding a control character other than a tab or a line
    break, at its file:line:column, with the character and how to fix it."""
    result = run_cli("check", hostile.name)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "hostile.yaml:2:8: warning: title holds the control character U+0007 (\\a in double "
        "quotes) at character 7, not said or shown; delete it",
        "hostile.yaml:6:13: warning: an item of stop_if holds the control character U+0007 "
        "(\\a in double quotes) at character 10, not said or shown; delete it",
        "hostile.yaml:9:11: warning: stage name holds the control character U+0007 (\\a in "
        "double quotes) at character 12, not said or shown; delete it",
        "hostile.yaml:16:10: warning: say holds the control character U+0007 (\\a in double "
        "quotes) at character 6, not said or shown; delete it",
    ]
    assert run_cli("check", hostile.name, "--strict").exit_code == 1


def test_exported_sidecars_chapters_and_tags_are_clean(run_cli: RunCli, hostile: Path) -> None:
    """An export's .srt and .vtt hold one cue per utterance; its chapter titles and tags
    are one line without control characters."""
    from mutagen.id3 import ID3

    with installed(speech=FakeSpeech()):
        plain = run_cli("export", "plain.yaml", "-o", "plain.mp3", "--subtitles", "both", "-q")
        result = run_cli("export", hostile.name, "-o", "g.mp3", "--subtitles", "both", "-q")
    assert plain.exit_code == 0, plain.stderr
    assert result.exit_code == 0, result.stderr
    for suffix in (".srt", ".vtt"):
        forged, fresh = Path(f"g{suffix}").read_text("utf-8"), Path(f"plain{suffix}").read_text()
        assert forged.count(" --> ") == fresh.count(" --> ") == 15
        assert not _controls(forged)
    assert len(list(srt.parse(Path("g.srt").read_text("utf-8")))) == 15
    assert len(webvtt.read("g.vtt").captions) == 15
    tag = ID3("g.mp3")
    titles = [str(chap.sub_frames["TIT2"]) for chap in tag.getall("CHAP")]
    assert "Strok ing X" in titles
    assert str(tag["TIT2"]) == "Ne ck"
    for text in [*titles, str(tag["TIT2"]), str(tag.getall("COMM")[0])]:
        assert not _controls(text)


def test_chapters_and_tags_of_any_format_are_one_line(hostile: Path) -> None:
    """The chapter titles and tags every container is given (WAV, Vorbis comments, ID3)."""
    script = estimate(load_routine(str(hostile)), Variant())
    tags = Tags.for_script(script)
    assert (tags.title, tags.artist) == ("Ne ck", "voiceguide")
    assert tags.comment.startswith("First line. Second line. ")
    assert [c.title for c in chapters(script)][:2] == ["Introduction", "Strok ing X"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream", [io.StringIO, _Terminal], ids=["lines", "terminal"])
def test_the_status_line_shows_labels_on_one_line(stream: type[io.StringIO]) -> None:
    """The play display puts a stage's label on its line without its line breaks,
    bells, backspaces or escape sequences."""
    out = stream()
    display = Display(out)
    display.status(Status(1, "Rub\n\nbing\a\b\x1b]0;x", 42.0, 300.0, 0.5, "Knead\ning", False, 1))
    display.message("paused\a\n\nhere")
    drawing = ("\r", "\x1b[2K", "\x1b[1m", "\x1b[22m")  # the display's own
    shown = out.getvalue()
    for code in drawing:
        shown = shown.replace(code, "")
    assert "Rub bing]0;x" in shown
    assert not _controls(shown)
    assert "paused here\n" in shown
    if stream is _Terminal:
        assert "next: Knead ing" in shown
