"""One length everywhere: once a guide's speech is in the clip cache, routines, check,
preview, the status line and the export give the same length to the second; before,
the length is an estimate and says so ("about")."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import RunCli
from voiceguide.adapt import Variant
from voiceguide.cli import cli
from voiceguide.compiler import compile_routine, spoken_texts
from voiceguide.durations import format_clock, format_length, format_session_length
from voiceguide.load import load_routine
from voiceguide.model.script import Script
from voiceguide.pipeline import VoiceOptions, measure
from voiceguide.play.terminal import Display, Status
from voiceguide.speech.cache import ClipCache, default_cache_folder
from voiceguide.speech.keys import pyttsx3_key, recordings_key
from voiceguide.speech.lengths import CachedDurations, NotCached
from voiceguide.speech.voices import VoiceSettings
from voiceguide.testing import (
    FakeClock,
    FakeDisplay,
    FakeKeys,
    FakeOutput,
    FakeSpeech,
    FakeSynthesizer,
    installed,
)

DATA = Path(__file__).parent / "data"
SHORT = str(DATA / "short.yaml")


def _made(sample_rate: int = 44_100) -> tuple[Script, ClipCache, str]:
    """short.yaml as play and export make it with the fake engine, through the clip cache
    of the test: its timeline, the cache and the key of its recordings."""
    speech = FakeSpeech()
    with installed(speech=speech):
        script = measure(load_routine(SHORT), Variant(), VoiceOptions(), sample_rate)
    return script, ClipCache(), speech.opened[-1].key


def test_making_a_guide_notes_its_clips_lengths(empty_cache: Path) -> None:
    """Once a guide is made, the lengths of its clips are known from the cache alone, and
    compile to the very timeline the guide has; at another rate, that rate's (a few
    samples apart until a guide is made at it)."""
    script, cache, key = _made()
    routine = load_routine(SHORT)
    texts = spoken_texts(routine)
    lengths = CachedDurations(cache, key, 44_100)
    assert lengths.knows(texts)
    assert compile_routine(routine, lengths) == script
    other = CachedDurations(cache, key, 48_000)
    for text in texts:
        assert other.speech(text) == lengths.speech(text)
    at_48k, _, _ = _made(48_000)
    again = CachedDurations(cache, key, 48_000)
    assert compile_routine(routine, again) == at_48k
    assert CachedDurations(cache, key, 44_100).speech(texts[0]) == lengths.speech(texts[0])
    assert sorted(cache.noted_lengths(key)[texts[0]]["frames"]) == ["44100", "48000"]


def test_a_length_counts_only_with_its_recording(tmp_path: Path) -> None:
    """A noted length whose recording is gone is not known, nor a recording with no
    noted length (as one cached by an older voiceguide); clear removes both."""
    cache, fake = ClipCache(tmp_path), FakeSynthesizer()
    cache.note_lengths(fake.key, 44_100, {"Noted only.": 22_050})
    cache.store(fake.key, "Recorded only.", fake.hum("Recorded only."))
    lengths = CachedDurations(cache, fake.key, 44_100)
    assert not lengths.knows(["Noted only."])
    assert not lengths.knows(["Recorded only."])
    with pytest.raises(NotCached):
        lengths.speech("Recorded only.")
    cache.store(fake.key, "Noted only.", fake.hum("Noted only."))
    assert CachedDurations(cache, fake.key, 44_100).speech("Noted only.") == 0.5
    assert lengths.speech("  ") == 0.0
    assert lengths.sound("chime") == round(0.86 * 44_100) / 44_100
    assert cache.clear() == 2
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_note_is_no_length(tmp_path: Path) -> None:
    """A note that is not one, or is another key's (their checksums alike), or names a
    file outside the cache, gives no length."""
    cache, fake = ClipCache(tmp_path), FakeSynthesizer()
    cache.store(fake.key, "Said.", fake.hum("Said."))
    cache.note_lengths(fake.key, 44_100, {"Said.": 100})
    assert CachedDurations(cache, fake.key, 44_100).knows(["Said."])
    file = cache.path(fake.key, "Said.").name
    good = {"file": file, "frames": {"44100": 100}}
    for damaged in [
        "{",
        "[]",
        json.dumps({"key": "another key", "clips": {"Said.": good}}),
        json.dumps({"key": fake.key, "clips": []}),
        json.dumps({"key": fake.key, "clips": {"Said.": {**good, "frames": {"44100": -3}}}}),
        json.dumps({"key": fake.key, "clips": {"Said.": {**good, "frames": {"x": 10}}}}),
        json.dumps({"key": fake.key, "clips": {"Said.": {**good, "file": f"../{file}"}}}),
    ]:
        cache.lengths_path(fake.key).write_text(damaged, encoding="utf-8")
        assert not CachedDurations(cache, fake.key, 44_100).knows(["Said."]), damaged
    cache.note_lengths(fake.key, 44_100, {"Said.": 100})
    assert CachedDurations(cache, fake.key, 44_100).speech("Said.") == 100 / 44_100


def test_the_key_is_known_without_starting_the_engine() -> None:
    """The key looked up is the one the engine in use stores its recordings under."""
    settings = VoiceSettings(language="uk", rate=140)
    assert recordings_key(settings) == pyttsx3_key(settings)
    speech = FakeSpeech()
    with installed(speech=speech):
        assert recordings_key(settings) == speech.open(settings).key


def _length(text: str) -> int:
    """Seconds in the first M:SS or MM:SS in ``text``."""
    found = re.search(r"(\d+):(\d\d)", text)
    assert found, text
    return int(found.group(1)) * 60 + int(found.group(2))


def test_every_command_gives_the_exported_length_once_cached(
    in_tmp: Path, empty_cache: Path, run_cli: RunCli
) -> None:
    """Before: estimates, said to be ones. After an export has put the speech in the
    cache: routines, check, preview (the very timeline of preview --exact), the status
    line of play and the export itself all give one length, with no "about"."""
    with installed(speech=FakeSpeech()):
        before = run_cli("routines").stdout
        assert re.search(r"^desk-break +about \d+:\d\d  ", before, re.MULTILINE)
        exported = run_cli("export", "desk-break", "-o", "d.wav", "--subtitles", "none")
        assert exported.exit_code == 0, exported.stderr
        length = _length(exported.stderr.splitlines()[-1])
        routines = run_cli("routines").stdout
        check = run_cli("check", "desk-break")
        preview = run_cli("preview", "desk-break")
        exact = run_cli("preview", "desk-break", "--exact")
        uncached = run_cli("preview", "desk-break", "--no-cache")
    (line,) = [line for line in routines.splitlines() if line.startswith("desk-break ")]
    assert re.fullmatch(r"desk-break +\d+:\d\d  Desk break for the neck", line)
    assert _length(line) == length
    assert re.match(
        rf"desk-break: ok: 'Desk break for the neck', 4 stages, {format_length(length)}[;\n]",
        check.stdout,
    )
    assert preview.stdout == exact.stdout
    assert preview.stdout.splitlines()[0] == f"Desk break for the neck ({format_length(length)})"
    assert preview.stdout.splitlines()[-1] == f"{format_clock(length)} ■ end"
    assert uncached.stdout.splitlines()[0].startswith("Desk break for the neck (about ")
    display, clock = FakeDisplay(), FakeClock()
    keys = FakeKeys(clock, [(5.0, "quit")])
    with installed(
        speech=FakeSpeech(), output=FakeOutput(clock), clock=clock, keys=keys, display=display
    ):
        played = CliRunner().invoke(cli, ["play", "desk-break", "--yes"], catch_exceptions=False)
    assert played.exit_code == 0, played.stderr
    shown = io.StringIO()
    Display(shown).status(display.statuses[0])
    assert _length(shown.getvalue()) == length


def test_the_status_line_rounds_time_left_as_lengths_are() -> None:
    """Time left is rounded to the nearest second, as a length is: a session of 2:37.6
    starts at 02:38, as routines and the export say; positions on a timeline are not."""
    shown = io.StringIO()
    status = Status(0, "Introduction", 9.6, 157.6, 0.0, "Stroking", False, 1.0)
    Display(shown).status(status)
    assert shown.getvalue() == "02:38 left · Introduction\n"
    assert format_length(157.6) == "2:38"
    assert format_clock(157.6) == "02:37"
    assert format_clock(157.6, nearest=True) == "02:38"
    assert format_session_length(157.6, estimated=True) == "about 2:38"
    assert format_session_length(157.6, estimated=False) == "2:38"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux folder")
def test_the_user_cache_folder_is_platformdirs_without_importing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where clips go by default is platformdirs' user cache folder, found without
    importing platformdirs (a look in the cache is part of preview's start)."""
    import platformdirs

    monkeypatch.delenv("VOICEGUIDE_CACHE_DIR", raising=False)
    for xdg in (None, "", "  "):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        expected = Path(platformdirs.user_cache_dir("voiceguide")) / "clips"
        assert default_cache_folder() == expected
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/else")
    assert default_cache_folder() == Path("/somewhere/else/voiceguide/clips")
