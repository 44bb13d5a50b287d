"""The lengths of cached clips, known without speaking or decoding: noted in the clip
cache as each clip is made, and read back by the duration oracle of cached clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceguide.audio.clips import finish
from voiceguide.audio.store import ClipStore
from voiceguide.speech.cache import ClipCache, recordings
from voiceguide.speech.keys import pyttsx3_key, recordings_key
from voiceguide.speech.lengths import CachedDurations, NotCached
from voiceguide.speech.voices import VoiceSettings
from voiceguide.testing import FakeSpeech, FakeSynthesizer, installed

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
