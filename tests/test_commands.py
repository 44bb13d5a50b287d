"""Every command that speaks, run in-process with the fakes of voiceguide.testing: what
was said, played and shown, and that each variant is compiled once. No speech engine, no
sound card: these run in milliseconds (the real adapters have tests of their own)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner, Result

from tests.conftest import RunCli
from voiceguide.adapt import Variant
from voiceguide.cli import cli
from voiceguide.history import History
from voiceguide.load import load_routine
from voiceguide.model.script import Script
from voiceguide.pipeline import VoiceOptions, measure
from voiceguide.play.terminal import HELP
from voiceguide.testing import (
    FakeClock,
    FakeDisplay,
    FakeKeys,
    FakeOutput,
    FakeSpeech,
    installed,
)
from voiceguide.testing.play import FAKE_DEVICES

DATA = Path(__file__).parent / "data"
SHORT = str(DATA / "short.yaml")
COURSE = str(DATA / "course.yaml")


def _fake_timeline(routine: str) -> Script:
    """The timeline the fake engine's lengths give (what an export with it must hold)."""
    with installed(speech=FakeSpeech()):
        return measure(load_routine(routine), Variant(), VoiceOptions(), use_cache=False)


def test_export_says_each_text_once_and_writes_the_timeline(
    in_tmp: Path, run_cli: RunCli, compiles: list[str]
) -> None:
    """export: every text of the timeline is synthesized exactly once, the routine is
    compiled once, and the WAV holds the whole timeline."""
    speech = FakeSpeech()
    with installed(speech=speech):
        result = run_cli("export", SHORT, "-o", "g.wav", "--no-cache", "-q")
    assert result.exit_code == 0, result.stderr
    assert compiles == ["Short check"]
    script = _fake_timeline(SHORT)
    said = [s.text for s in script.speech()]
    assert sorted(speech.spoken) == sorted(dict.fromkeys(said))
    assert [v.language for v in speech.opened_for] == ["en"]
    audio, rate = soundfile.read("g.wav")
    assert rate == 44_100
    assert len(audio) == round(script.duration * rate)
    assert sorted(p.name for p in in_tmp.iterdir()) == ["g.srt", "g.wav"]


def test_export_of_a_course_compiles_each_session_once(
    in_tmp: Path, run_cli: RunCli, compiles: list[str]
) -> None:
    """export --course writes one guide per session, each session compiled once (one
    job: in this process, where the fake engine is; several jobs run in processes of
    their own, on the real engine: tests/test_export_course.py)."""
    routine = load_routine(COURSE)
    assert routine.course is not None
    with installed(speech=FakeSpeech()):
        result = run_cli(
            "export", COURSE, "--course", "guides", "-q", "--subtitles", "none", "--jobs", "1"
        )
    assert result.exit_code == 0, result.stderr
    sessions = routine.course.sessions
    assert len(compiles) == sessions
    assert sorted(p.name for p in (in_tmp / "guides").iterdir()) == [
        f"course-session-{n:02d}.mp3" for n in range(1, sessions + 1)
    ]


def test_default_export_folder_is_made_only_when_written(in_tmp: Path, run_cli: RunCli) -> None:
    """A refused export (a bad option) leaves no audio/ folder behind; a good one makes it."""
    with installed(speech=FakeSpeech()):
        refused = run_cli("export", SHORT, "--session", "1")
        assert refused.exit_code == 2
        assert not (in_tmp / "audio").exists()
        assert run_cli("export", SHORT, "-q").exit_code == 0
    assert sorted(p.name for p in (in_tmp / "audio").iterdir()) == ["short.mp3", "short.srt"]


def test_exact_preview_uses_the_engines_lengths(run_cli: RunCli, compiles: list[str]) -> None:
    """preview --exact lays the speech out at the lengths the engine made (the fake speaks
    a word each 60/rate seconds, at --rate), compiled once."""
    speech = FakeSpeech()
    with installed(speech=speech):
        result = run_cli(
            "preview", SHORT, "--exact", "--format", "json", "--no-cache", "--rate", "120"
        )
    assert result.exit_code == 0, result.stderr
    assert len(compiles) == 1
    assert [settings.rate for settings in speech.opened_for] == [120]
    said = [e for e in json.loads(result.stdout)["events"] if e["kind"] == "speech"]
    assert said
    for event in said:
        words = len(event["text"].split())
        # the hum is trimmed to its sound, 0.03 s of silence kept at each end
        assert event["duration"] == pytest.approx(words * 60 / 120, abs=0.07)


def _play(
    *args: str, keys: Sequence[tuple[float, str]] = (), devices: Sequence[str] = FAKE_DEVICES
) -> tuple[Result, FakeOutput, FakeDisplay]:
    """Run ``voiceguide play ARGS --yes`` with every part faked; the patient gives
    ``keys`` at their times; the machine has ``devices``."""
    clock = FakeClock()
    sinks = FakeOutput(clock, names=devices)
    display = FakeDisplay()
    with installed(
        speech=FakeSpeech(),
        output=sinks,
        clock=clock,
        keys=FakeKeys(clock, keys),
        display=display,
    ):
        result = CliRunner().invoke(cli, ["play", *args, "--yes"], catch_exceptions=False)
    return result, sinks, display


def test_play_plays_the_whole_guide(compiles: list[str], private_history: Path) -> None:
    """play: the sink receives the guide from its first frame to its last, the help line
    is shown, the session is recorded as finished, and the routine is compiled once."""
    result, sinks, display = _play(SHORT)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "Session complete. Rest for a few minutes before you get up."
    )
    assert compiles == ["Short check"]  # before the test's own compile below
    assert display.messages == [HELP]
    (sink,) = sinks.opened
    script = _fake_timeline(SHORT)
    heard = np.flatnonzero(np.abs(sink.played) > 1e-4)
    assert heard[-1] / sink.rate <= script.duration
    assert heard[-1] / sink.rate > script.duration - 3.0
    assert sink.closed
    (record,) = History().records(str(Path(SHORT).resolve()))
    assert record.outcome == "finished"


def test_play_quit_names_the_command_that_goes_on(compiles: list[str]) -> None:
    """q stops the session where it was and says how to go on from that stage."""
    result, sinks, _ = _play(SHORT, keys=[(40.0, "quit")])
    assert result.exit_code == 0, result.stderr
    assert len(compiles) == 1
    stage = _fake_timeline(SHORT).segment_at(40.0)
    assert stage.label == "Rubbing (left)"
    assert result.stderr.splitlines()[-1] == (
        f"Stopped: Rubbing (left) at 00:40. To go on from there: voiceguide play {SHORT} "
        f"--start-at {stage.stage_number}"
    )
    assert sinks.opened[0].stopped


def test_play_next_session_of_a_course(private_history: Path) -> None:
    """--session auto plays the session after the last one completed."""
    first, _, _ = _play(COURSE, "--session", "auto")
    assert first.exit_code == 0, first.stderr
    second, _, _ = _play(COURSE, "--session", "auto")
    assert second.exit_code == 0, second.stderr
    sessions = {r.session for r in History().records(str(Path(COURSE).resolve()))}
    assert sessions == {1, 2}


@pytest.fixture
def private_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_voices_lists_the_engines_voices(run_cli: RunCli) -> None:
    """voices: the engine's voices, one a line; a language nobody speaks is an error."""
    with installed(speech=FakeSpeech()):
        listed = run_cli("voices")
        wanted = run_cli("voices", "--language", "uk")
        nobody = run_cli("voices", "--language", "xx")
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["fake/en", "fake/uk"]
    assert wanted.stdout.split()[:2] == ["fake/uk", "uk"]
    assert nobody.exit_code == 1
    assert nobody.stderr == "voiceguide: error: no installed voice speaks 'xx'\n"


def test_devices_lists_the_outputs_and_play_finds_one(private_history: Path) -> None:
    """devices lists the outputs with the default marked; play --device takes part of a
    name, and a device that is not there stops play before any work."""
    clock = FakeClock()
    output = FakeOutput(clock)
    with installed(output=output):
        listed = CliRunner().invoke(cli, ["devices"])
    assert listed.exit_code == 0
    assert [line.split()[:2] for line in listed.stdout.splitlines()] == [["*", "0"], ["1", "Fake"]]
    played, outputs, _ = _play(SHORT, "--device", "headph")
    assert played.exit_code == 0, played.stderr
    assert outputs.devices_opened == [1]
    missing, outputs, _ = _play(SHORT, "--device", "hdmi")
    assert missing.exit_code == 2
    assert missing.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--device': no output device matches 'hdmi'; "
        "outputs are 0: Fake speakers, 1: Fake headphones"
    )
    assert outputs.opened == []


def test_cache_info_and_clear(
    in_tmp: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cache info counts the clips an export left; cache clear removes them."""
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(in_tmp / "cache"))
    speech = FakeSpeech()
    with installed(speech=speech):
        assert run_cli("export", SHORT, "-o", "g.wav", "-q").exit_code == 0
    clips = len(set(speech.spoken))
    info = run_cli("cache", "info")
    folder, count, _ = info.stdout.rstrip("\n").split("\t")
    assert (folder, count) == (str(in_tmp / "cache" / "clips"), f"{clips} clips")
    cleared = run_cli("cache", "clear")
    assert cleared.stderr == f"removed {clips} clips from {in_tmp / 'cache' / 'clips'}\n"
    assert run_cli("cache", "info").stdout.split("\t")[1] == "0 clips"


@pytest.mark.parametrize("command", ["export", "preview"])
def test_an_unknown_voice_is_a_usage_error(in_tmp: Path, run_cli: RunCli, command: str) -> None:
    """--voice naming no installed voice is a usage error that says where to look, and
    nothing is written."""
    extra = ["-o", "g.wav"] if command == "export" else ["--exact"]
    with installed(speech=FakeSpeech()):
        result = run_cli(command, SHORT, "--voice", "nobody", "--no-cache", *extra)
        chosen = run_cli(command, SHORT, "--voice", "fake/uk", "--no-cache", *extra)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--voice': no installed speech voice has the id 'nobody' "
        "(see 'voiceguide voices')"
    )
    assert chosen.exit_code == 0, chosen.stderr
    assert sorted(p.name for p in in_tmp.iterdir()) == (
        ["g.srt", "g.wav"] if command == "export" else []
    )


def test_the_engine_is_warmed_up_for_what_the_cache_lacks(
    in_tmp: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before anything is synthesized the engine hears what is to be said, so it can start
    early: every text on a cold cache, nothing once all is cached."""
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(in_tmp / "cache"))
    speech = FakeSpeech()
    with installed(speech=speech):
        assert run_cli("export", SHORT, "-o", "a.wav", "-q").exit_code == 0
        assert run_cli("export", SHORT, "-o", "b.wav", "-q").exit_code == 0
    cold, warm = speech.opened
    assert sorted(cold.warmed) == sorted(set(speech.spoken))
    assert warm.warmed == []


def test_hints_name_the_session_side_and_stage(private_history: Path) -> None:
    """Stopped mid-way, play names the command that goes on from there with all it needs:
    the session (the one --session auto chose), the painful side, the voice and the stage."""
    routine = load_routine(COURSE)
    first, _, _ = _play(COURSE, "--session", "auto", "--painful-side", "left")
    assert first.exit_code == 0, first.stderr
    stopped, _, _ = _play(
        COURSE,
        "--session",
        "auto",
        "--painful-side",
        "left",
        "--voice",
        "fake/en",
        keys=[(30.0, "quit")],
    )
    assert stopped.exit_code == 0, stopped.stderr
    last = stopped.stderr.splitlines()[-1]
    assert last.startswith("Stopped: ")
    with installed(speech=FakeSpeech()):
        heard = measure(routine, Variant(2, "left"), VoiceOptions("fake/en"), use_cache=False)
    stage = heard.segment_at(30.0)
    assert last == (
        f"Stopped: {stage.label} at 00:30. To go on from there: voiceguide play {COURSE} "
        f"--session 2 --painful-side left --voice fake/en --start-at {stage.stage_number}"
    )


def test_the_status_line_names_the_course_session(private_history: Path) -> None:
    """Playing a session of a course, every status shown says which session it is."""
    routine = load_routine(COURSE)
    assert routine.course is not None
    result, _, display = _play(COURSE, "--session", "2", keys=[(5.0, "quit")])
    assert result.exit_code == 0, result.stderr
    assert display.statuses
    assert {s.course for s in display.statuses} == {f"session 2 of {routine.course.sessions}"}
    plain, _, plain_display = _play(SHORT, keys=[(5.0, "quit")])
    assert plain.exit_code == 0, plain.stderr
    assert {s.course for s in plain_display.statuses} == {None}


def test_no_device_says_which_export_to_make(private_history: Path) -> None:
    """With no sound output, play names the export that gives the same guide."""
    result, output, _ = _play(SHORT, "--session", "1", devices=())
    assert result.exit_code == 2  # --session: the short routine has no course
    result, output, _ = _play(SHORT, "--painful-side", "right", devices=())
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "voiceguide: error: no audio output device found; export the guide instead: "
        f"voiceguide export {SHORT} --painful-side right"
    )
    assert output.opened == []


def test_the_command_is_named_as_it_was_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hints name 'voiceguide' when the shell finds that very program, else the path the
    user typed (scripts/run users run .venv/bin/voiceguide), or 'python -m voiceguide'."""
    import sys

    from voiceguide.cli.group import invoked_as

    program = tmp_path / "bin" / "voiceguide"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(program), "play", "neck"])
    monkeypatch.setenv("PATH", "/nowhere")
    assert invoked_as() == str(program)
    monkeypatch.setenv("PATH", str(program.parent))
    assert invoked_as() == "voiceguide"
    monkeypatch.setattr(sys, "argv", ["/x/voiceguide/__main__.py", "play"])
    assert invoked_as() == f"{Path(sys.executable).name} -m voiceguide"


def test_jobs_is_for_several_guides(in_tmp: Path, run_cli: RunCli) -> None:
    """--jobs for one guide is a usage error that says what it is for; nothing runs."""
    with installed(speech=FakeSpeech()):
        result = run_cli("export", SHORT, "-o", "g.wav", "--jobs", "2")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "it is for --course or several routines, which export several guides"
    )
    assert list(in_tmp.iterdir()) == []


def test_several_routines_go_to_one_folder_under_their_names(in_tmp: Path, run_cli: RunCli) -> None:
    """Several routines: each to FOLDER/ROUTINE.mp3 (the folder made), with subtitles."""
    with installed(speech=FakeSpeech()):
        result = run_cli("export", SHORT, COURSE, "-o", "guides/", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (in_tmp / "guides").iterdir()) == [
        "course.mp3",
        "course.srt",
        "short.mp3",
        "short.srt",
    ]
    assert "wrote guides/short.mp3 and guides/short.srt (" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "g.mp3"], "with several routines it is a folder: -o FOLDER/"),
        (["--course", "c"], "it writes the sessions of one routine: give one"),
        (["--session", "1"], "it is for one routine: export them one by one"),
    ],
)
def test_what_several_routines_cannot_take(
    in_tmp: Path, run_cli: RunCli, extra: list[str], message: str
) -> None:
    with installed(speech=FakeSpeech()):
        result = run_cli("export", SHORT, COURSE, *extra)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(message)
    assert list(in_tmp.iterdir()) == []


def test_two_routines_of_one_name_are_refused(in_tmp: Path, run_cli: RunCli) -> None:
    with installed(speech=FakeSpeech()):
        result = run_cli("export", SHORT, SHORT)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "two of the routines would both be written to audio/short.mp3"
    )
    assert list(in_tmp.iterdir()) == []
