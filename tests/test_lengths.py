"""One length everywhere: once a guide's speech is in the clip cache, routines, check,
preview, the status line and the export give the same length to the second; before,
the length is an estimate and says so ("about")."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import RunCli
from voiceguide.audio.clips import finish
from voiceguide.audio.store import ClipStore
from voiceguide.cli import cli
from voiceguide.durations import format_clock, format_length, format_session_length
from voiceguide.play.terminal import Display, Status
from voiceguide.speech.cache import ClipCache, recordings
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
TEXTS = ["Stroke down slowly.", "Rub the left side.", "Now the right side."]


def _made(cache: ClipCache, sample_rate: int = 44_100) -> ClipStore:
    """The clips of TEXTS made by a fake engine through ``cache``, as a guide makes them."""
    store = ClipStore(FakeSynthesizer(), sample_rate, cache)
    for text, recording in recordings(store.synthesizer, cache, TEXTS):
        store.keep(text, recording)
    return store


def test_the_cache_notes_each_clips_length_as_it_is_made(tmp_path: Path) -> None:
    """A clip's length is noted beside its recording when the clip is made, and read back
    without audio; at a rate not noted, the length at another (a few samples apart)."""
    cache = ClipCache(tmp_path)
    store = _made(cache)
    key = store.synthesizer.key
    for text in TEXTS:
        assert cache.clip_seconds(key, text, 44_100) == store.speech(text)
        assert cache.clip_seconds(key, text, 48_000) == store.speech(text)
    other = _made(cache, 48_000)
    for text in TEXTS:
        assert cache.clip_seconds(key, text, 48_000) == other.speech(text)
        assert cache.clip_seconds(key, text, 44_100) == store.speech(text)
        assert other.speech(text) == pytest.approx(store.speech(text), abs=0.001)
    assert cache.clip_seconds("another key", TEXTS[0], 44_100) is None


def test_a_note_goes_with_its_recording(tmp_path: Path) -> None:
    """A recording stored again, removed or cleared takes its note with it: no length is
    known for a clip that is not there."""
    cache = ClipCache(tmp_path)
    store = _made(cache)
    key, fake = store.synthesizer.key, FakeSynthesizer()
    cache.store(key, TEXTS[0], fake.hum("a different recording"))
    assert cache.clip_seconds(key, TEXTS[0], 44_100) is None
    cache.path(key, TEXTS[1]).unlink()
    assert cache.clip_seconds(key, TEXTS[1], 44_100) is None
    assert cache.clear() == 2
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_note_is_no_length(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    store = _made(cache)
    key = store.synthesizer.key
    for damaged in ["{", "[]", "{}", '{"44100": -3}', '{"rate": 10}']:
        cache.path(key, TEXTS[0]).with_suffix(".len").write_text(damaged, encoding="utf-8")
        assert cache.clip_seconds(key, TEXTS[0], 44_100) is None


def test_cached_durations_know_cached_clips_only(tmp_path: Path) -> None:
    """The oracle gives each cached text its clip's length and each cue sound the
    renderer's; a text not cached raises NotCached. A recording cached without a note is
    measured once and noted."""
    cache = ClipCache(tmp_path)
    store = _made(cache)
    key = store.synthesizer.key
    oracle = CachedDurations(cache, key, 44_100)
    assert oracle.knows(TEXTS)
    assert not oracle.knows([*TEXTS, "Not said yet."])
    assert [oracle.speech(t) for t in TEXTS] == [store.speech(t) for t in TEXTS]
    assert oracle.sound("chime") == store.sound("chime")
    assert oracle.speech("  ") == 0.0
    with pytest.raises(NotCached):
        oracle.speech("Not said yet.")
    fake = FakeSynthesizer()
    cache.store(key, "Old one.", fake.hum("Old one."))
    assert cache.clip_seconds(key, "Old one.", 44_100) is None
    fresh = CachedDurations(cache, key, 44_100)
    assert fresh.knows(["Old one."])
    length = len(finish(fake.hum("Old one."), 44_100)) / 44_100
    assert fresh.speech("Old one.") == length
    assert cache.clip_seconds(key, "Old one.", 44_100) == length


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
