"""Speech: the pyttsx3 synthesizer on the real engine, voice choice, the clip cache, fakes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from voiceguide.audio.clips import TRIM_PAD_SECONDS, finish, trim_silence
from voiceguide.errors import AudioError
from voiceguide.ports import Recording, Synthesizer
from voiceguide.speech.cache import CLIP_FORMAT, ClipCache, default_cache_folder, recordings
from voiceguide.speech.process import WorkerTimeout, start_worker
from voiceguide.speech.pyttsx3 import Pyttsx3Synthesizer
from voiceguide.speech.voices import (
    VoiceInfo,
    VoiceSettings,
    choose_voice,
    engine_missing_message,
    list_voices,
    voices_for,
)
from voiceguide.speech.worker import Engine, StartError
from voiceguide.testing import FakeSynthesizer

SENTENCE = "Stroke gently down the back of the neck, from the hairline to the shoulders."
SHORT = "Stroke down."
INSTALL = "sudo apt-get install espeak-ng"


def rms(samples: npt.NDArray[np.float32]) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def said(synthesizer: Synthesizer, text: str, sample_rate: int = 44_100) -> Recording:
    """``text`` as the renderer gets it: the engine's recording, finished at ``sample_rate``."""
    ((_, recording),) = synthesizer.synthesize([text])
    return Recording(finish(recording, sample_rate), sample_rate)


def loud_span(clip: Recording) -> tuple[int, int]:
    """Index of the first and last sample louder than -50 dB re the peak."""
    magnitude = np.abs(clip.samples)
    loud = np.flatnonzero(magnitude > magnitude.max() * 10 ** (-50 / 20))
    return int(loud[0]), int(loud[-1])


@pytest.fixture(scope="module")
def english() -> Iterator[Pyttsx3Synthesizer]:
    """One English synthesizer (one worker) shared by the tests that only listen."""
    with Pyttsx3Synthesizer(VoiceSettings(language="en")) as synthesizer:
        yield synthesizer


# --------------------------------------------------------------------------- the real engine


@pytest.mark.audio
def test_sentence_becomes_audible_speech_at_the_requested_rate() -> None:
    """A sentence is float32 mono at the asked sample rate, audible, about as long as said."""
    with Pyttsx3Synthesizer() as synthesizer:
        clip = said(synthesizer, SENTENCE, 48000)
    assert clip.sample_rate == 48000
    assert clip.samples.dtype == np.float32
    assert clip.samples.ndim == 1
    assert rms(clip.samples) > 0.02
    # 14 words at 150 words a minute: about 5.6 s; espeak is a little quicker.
    assert 3.0 < clip.duration < 8.0


@pytest.mark.audio
def test_resampling_keeps_the_length(english: Pyttsx3Synthesizer) -> None:
    """The same sentence lasts the same time whatever the session's sample rate."""
    recording = next(english.synthesize([SENTENCE]))[1]
    at_22050 = Recording(finish(recording, 22050), 22050)
    at_44100 = Recording(finish(recording, 44100), 44100)
    assert at_22050.sample_rate == 22050
    assert at_44100.sample_rate == 44100
    assert at_44100.duration == pytest.approx(at_22050.duration, abs=0.01)


@pytest.mark.audio
def test_longer_text_gives_a_longer_clip(english: Pyttsx3Synthesizer) -> None:
    """Three sentences take clearly longer than two words."""
    short = said(english, SHORT)
    long = said(english, " ".join([SENTENCE] * 3))
    assert short.duration > 0.3
    assert long.duration > 5 * short.duration


@pytest.mark.audio
def test_each_text_gets_its_own_audio(english: Pyttsx3Synthesizer) -> None:
    """Texts said in a row each get their own audio, the same text the same audio
    (pyttsx3 honours only the last save_to_file before runAndWait)."""
    first = said(english, SHORT)
    second = said(english, SENTENCE)
    again = said(english, SHORT)
    with Pyttsx3Synthesizer() as alone:
        sentence_alone = said(alone, SENTENCE)
    # espeak-ng is not bit-exact from run to run (a few ms differ), so compare lengths.
    assert second.duration > 2 * first.duration
    assert second.duration == pytest.approx(sentence_alone.duration, abs=0.02)
    assert again.duration == pytest.approx(first.duration, abs=0.02)
    assert rms(again.samples) == pytest.approx(rms(first.samples), rel=0.1)


@pytest.mark.audio
def test_many_texts_come_back_each_with_its_own_audio() -> None:
    """synthesize keeps several texts at two engines at once and gives each back as it
    is done, as alone: blank ones as empty recordings, without an engine; each
    recording is the engine's own, at its rate, with its file."""
    texts = [SHORT, " ", SENTENCE, SHORT + " Again.", ""]
    with Pyttsx3Synthesizer(workers=2) as synthesizer:
        together = {}
        for text, recording in synthesizer.synthesize(texts):
            assert recording.file is None or recording.file.is_file()
            together[text] = recording
        assert (synthesizer.calls, synthesizer.starts) == (3, 2)
        alone = {text: next(synthesizer.synthesize([text]))[1] for text in texts}
    assert sorted(together) == sorted(texts)
    for text, recording in together.items():
        assert recording.sample_rate == alone[text].sample_rate
        assert recording.duration == pytest.approx(alone[text].duration, abs=0.02)
        assert (recording.file is None) == (not text.strip())
    assert together[SENTENCE].sample_rate == 22_050
    assert together[" "].samples.size == together[""].samples.size == 0
    assert together[SENTENCE].duration > 2 * together[SHORT].duration


@pytest.mark.audio
def test_leaving_synthesize_early_frees_the_engine() -> None:
    """Left after its first recording, synthesize lets go of the engine: the next text
    is spoken, with its own audio (the answers still owed are skipped)."""
    with Pyttsx3Synthesizer(workers=1) as synthesizer:
        made = synthesizer.synthesize([SHORT, SENTENCE, SHORT])
        text, first = next(made)
        file = first.file
        made.close()
        assert file is not None
        assert not file.exists()
        folder = synthesizer._resources.folder
        after = next(synthesizer.synthesize([SENTENCE]))[1]
        assert synthesizer.starts == 1
    assert text == SENTENCE  # the longest text is said first
    assert after.duration == pytest.approx(first.duration, abs=0.02)
    assert folder is not None
    assert not folder.exists()


@pytest.mark.audio
def test_recordings_says_each_missing_text_once_and_caches_it(tmp_path: Path) -> None:
    """Texts missing from the cache are each said once, by two engines, their recordings
    moved into the cache as they come; texts already cached are read, blank ones are
    empty; progress counts the ones said."""
    settings = VoiceSettings()
    cache = ClipCache(tmp_path)
    synthesizer = Pyttsx3Synthesizer(settings, workers=2)
    key = synthesizer.key
    cache.store(key, "Already here.", Recording(np.ones(10, dtype=np.float32), 22050))
    texts = [f"Stage {n}, stroke down." for n in range(6)]
    progress: list[tuple[int, int]] = []
    with synthesizer:
        made = dict(
            recordings(
                synthesizer,
                cache,
                [*texts, texts[0], "Already here.", "  "],
                lambda done, total: progress.append((done, total)),
            )
        )
        assert (synthesizer.calls, synthesizer.starts) == (6, 2)
    assert sorted(made) == sorted([*texts, "Already here.", "  "])
    assert progress == [(n, 6) for n in range(1, 7)]
    assert made["  "].samples.size == 0
    np.testing.assert_array_equal(made["Already here."].samples, np.ones(10))
    for text in texts:
        stored = cache.get(key, text)
        assert stored is not None
        np.testing.assert_array_equal(stored.samples, made[text].samples)
        assert made[text].duration > 0.5
    assert len(list(tmp_path.iterdir())) == 7


@pytest.mark.audio
def test_a_long_first_utterance_is_complete() -> None:
    """The first utterance of a fresh engine is written in full before it is read, and
    does not leak into the next one (pyttsx3's first runAndWait returns early)."""
    text = "One two three four five six seven. " * 20
    with Pyttsx3Synthesizer() as synthesizer:
        first = said(synthesizer, text)
        second = said(synthesizer, text)
    assert first.duration > 30
    assert first.duration == pytest.approx(second.duration, abs=0.05)


@pytest.mark.audio
def test_speaking_rate_and_volume_are_applied() -> None:
    """A slower rate makes a longer clip; a lower volume a quieter one."""
    with Pyttsx3Synthesizer(VoiceSettings(rate=100)) as slow:
        slow_clip = said(slow, SENTENCE)
    with Pyttsx3Synthesizer(VoiceSettings(rate=200, volume=0.4)) as fast_quiet:
        fast_clip = said(fast_quiet, SENTENCE)
    assert slow_clip.duration > 1.5 * fast_clip.duration
    assert float(np.max(np.abs(fast_clip.samples))) < 0.7 * float(np.max(np.abs(slow_clip.samples)))


@pytest.mark.audio
def test_silence_is_trimmed_to_a_small_pad(english: Pyttsx3Synthesizer) -> None:
    """At most the fixed pad of silence is left before and after the speech, and the
    clip starts and ends at zero."""
    clip = said(english, SENTENCE)
    first, last = loud_span(clip)
    pad = round(TRIM_PAD_SECONDS * clip.sample_rate)
    assert first <= pad
    assert clip.samples.size - 1 - last <= pad
    assert clip.samples[0] == 0.0
    assert clip.samples[-1] == 0.0


@pytest.mark.audio
def test_nothing_reaches_our_stdout_or_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """The engine's chatter ("Audio saved to ...") never reaches our stdout or stderr."""
    with Pyttsx3Synthesizer() as synthesizer:
        said(synthesizer, SHORT)
        said(synthesizer, SENTENCE)
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


@pytest.mark.audio
def test_blank_text_is_an_empty_clip_without_the_engine() -> None:
    """Blank text gives an empty clip and does not even start the engine."""
    with Pyttsx3Synthesizer() as synthesizer:
        clip = said(synthesizer, "  \n ")
        assert (synthesizer.starts, synthesizer.calls) == (0, 0)
    assert clip.samples.size == 0
    assert clip.duration == 0.0


@pytest.mark.audio
def test_close_ends_the_worker_and_removes_its_files() -> None:
    """Leaving the with-block ends the worker process and deletes its temporary folder."""
    with Pyttsx3Synthesizer() as synthesizer:
        said(synthesizer, SHORT)
        worker = synthesizer._resources.lanes[0].worker
        folder = synthesizer._resources.folder
        assert worker is not None
        assert folder is not None
        assert list(folder.iterdir()) == []  # each utterance's file is deleted once read
    assert worker.process.poll() is not None
    assert not folder.exists()


@pytest.mark.audio
def test_a_dead_worker_is_replaced() -> None:
    """When the worker process dies between utterances, the next one starts a new worker."""
    with Pyttsx3Synthesizer() as synthesizer:
        said(synthesizer, SHORT)
        worker = synthesizer._resources.lanes[0].worker
        assert worker is not None
        worker.process.kill()
        worker.process.wait()
        clip = said(synthesizer, SHORT)
        assert synthesizer.starts == 2
    assert clip.duration > 0.3


@pytest.mark.audio
def test_an_engine_started_early_is_taken_by_the_next_synthesizer() -> None:
    """start_engine_early boots an engine process that the next synthesizer takes
    instead of starting its own."""
    from voiceguide.speech import process as speech

    speech.start_engine_early()
    assert len(speech._spares) == 1
    spare = speech._spares[0][0]
    with Pyttsx3Synthesizer() as synthesizer:
        clip = said(synthesizer, SHORT)
        assert synthesizer.starts == 1
        assert synthesizer._resources.lanes[0].worker is spare
    assert speech._spares == []
    assert clip.duration > 0.3


@pytest.mark.audio
def test_an_engine_started_in_another_environment_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine started before the environment changed (here: espeak-ng's data moved
    away) is stopped, not used: the synthesizer starts one as things are now."""
    from voiceguide.speech import process as speech

    speech.start_engine_early()
    spare = speech._spares[0][0]
    monkeypatch.setenv("ESPEAK_DATA_PATH", str(tmp_path))
    with Pyttsx3Synthesizer() as synthesizer, pytest.raises(AudioError, match=INSTALL):
        said(synthesizer, SHORT)
    assert speech._spares == []
    assert spare.process.poll() is not None


@pytest.mark.audio
def test_engines_are_started_early_only_for_something_to_say() -> None:
    """warm_up starts the engines that will say the texts ahead (one per text, up to
    the synthesizer's workers), none for nothing (or only blanks); a second warm_up
    adds none."""
    from voiceguide.speech import process as speech

    engine = Pyttsx3Synthesizer(workers=2)
    try:
        engine.warm_up([])
        engine.warm_up(["  "])
        assert speech._spares == []
        engine.warm_up(["Not said yet.", " "])
        assert len(speech._spares) == 1
        engine.warm_up(["Not said yet.", "Another.", "And a third."])
        assert len(speech._spares) == 2
        engine.warm_up(["Not said yet.", "Another.", "And a third."])
        assert len(speech._spares) == 2
        spares = [worker for worker, _ in speech._spares]
        said = dict(engine.synthesize(["Not said yet.", "Another."]))
        assert sorted(said) == ["Another.", "Not said yet."]
        assert [lane.worker for lane in engine._resources.lanes] == spares[::-1]
        assert speech._spares == []
    finally:
        engine.close()
        speech._stop_spares()


@pytest.mark.audio
def test_timeout_names_the_text_and_the_next_call_works() -> None:
    """An utterance past the timeout raises AudioError naming the text; the worker is
    restarted and the next utterance is spoken."""
    long_text = "Breathe in slowly, and let the shoulders drop. " * 30
    with Pyttsx3Synthesizer(timeout=0.001) as synthesizer:
        assert synthesizer.voice is not None  # the worker is up: only the utterance is timed
        with pytest.raises(AudioError) as caught:
            said(synthesizer, long_text)
        assert str(caught.value) == (
            "the speech engine took more than 0.001 s to say "
            "'Breathe in slowly, and let the shoulders drop. Breathe in s…'; "
            "it was stopped and will restart"
        )
        synthesizer.timeout = 30.0
        clip = said(synthesizer, SHORT)
        assert synthesizer.starts == 2
        assert synthesizer.calls == 1
    assert clip.duration > 0.3


# --------------------------------------------------------------------------- voices


def test_voice_choice_prefers_the_language_itself() -> None:
    """For a language, a voice tagged with it wins over one whose id names it, which wins
    over a regional variant; Russian-in-Latvia is not Latvian."""
    voices = [
        VoiceInfo("gmw/en-029", "English (Caribbean)", ("en-029",)),
        VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
        VoiceInfo("zle/ru-lv", "Russian (Latvia)", ("ru-lv",)),
        VoiceInfo("bat/lv", "Latvian", ("lv",)),
        VoiceInfo("gmw/en-us", "English (America)", ("en-us",)),
    ]
    languages = ["en", "en-GB", "lv", "en_US", "ru", "uk"]
    chosen = {lang: choose_voice(voices, lang) for lang in languages}
    assert {lang: v.id if v else None for lang, v in chosen.items()} == {
        "en": "gmw/en",
        "en-GB": "gmw/en",
        "lv": "bat/lv",
        "en_US": "gmw/en-us",
        "ru": "zle/ru-lv",
        "uk": None,
    }
    assert [v.id for v in voices_for(voices, "en")] == [
        "gmw/en",
        "gmw/en-029",
        "gmw/en-us",
    ]


@pytest.mark.audio
def test_installed_voices_include_ukrainian_and_latvian() -> None:
    """The engine here lists Ukrainian and Latvian voices, each first for its language."""
    everything = list_voices()
    assert len(everything) > 50
    assert [v.id for v in list_voices("uk")] == ["zle/uk"]
    assert list_voices("lv")[0].id == "bat/lv"
    assert "zle/ru-lv" not in [v.id for v in list_voices("lv")]


@pytest.mark.audio
@pytest.mark.parametrize(
    ("language", "voice_id", "text"),
    [
        ("uk", "zle/uk", "Повільно погладьте шию згори донизу."),
        ("lv", "bat/lv", "Lēnām glaudiet kaklu no augšas uz leju."),
        ("en", "gmw/en", SHORT),
    ],
)
def test_language_picks_its_voice(language: str, voice_id: str, text: str) -> None:
    """A language picks that language's voice, which then speaks text in it."""
    with Pyttsx3Synthesizer(VoiceSettings(language=language)) as synthesizer:
        assert synthesizer.voice is not None
        assert synthesizer.voice.id == voice_id
        clip = said(synthesizer, text)
    assert rms(clip.samples) > 0.02


@pytest.mark.audio
def test_voice_by_id_wins_over_language() -> None:
    """A voice id is used as given, whatever the language says."""
    settings = VoiceSettings(voice="gmw/en-us", language="uk")
    with Pyttsx3Synthesizer(settings) as synthesizer:
        assert synthesizer.voice == VoiceInfo("gmw/en-us", "English (America)", ("en-us",))


@pytest.mark.audio
def test_unknown_voice_or_language_is_an_audio_error() -> None:
    """A voice id or a language nothing speaks is reported in one line, naming it."""
    with (
        Pyttsx3Synthesizer(VoiceSettings(voice="xx/nobody")) as synthesizer,
        pytest.raises(AudioError) as caught,
    ):
        said(synthesizer, SHORT)
    assert str(caught.value) == "no installed speech voice has the id 'xx/nobody'"
    with (
        Pyttsx3Synthesizer(VoiceSettings(language="tlh")) as synthesizer,
        pytest.raises(AudioError) as caught,
    ):
        said(synthesizer, SHORT)
    assert str(caught.value) == (
        "no installed speech voice speaks 'tlh'; choose a voice id or install more voices "
        f"(on Debian/Ubuntu: {INSTALL})"
    )


def test_settings_are_checked() -> None:
    """A rate that is not a positive integer or a volume outside 0..1 is refused."""
    with pytest.raises(ValueError, match="speaking rate"):
        VoiceSettings(rate=0)
    with pytest.raises(ValueError, match="volume"):
        VoiceSettings(volume=1.5)


def test_key_names_engine_voice_rate_and_volume_not_the_sample_rate() -> None:
    """The cache key changes with anything that changes the engine's recording, without
    starting it; not with the sample rate, as clips at every rate come from one
    recording."""
    base = Pyttsx3Synthesizer(VoiceSettings(language="uk"))
    keys = {
        base.key,
        Pyttsx3Synthesizer(VoiceSettings(language="lv")).key,
        Pyttsx3Synthesizer(VoiceSettings(voice="zle/uk")).key,
        Pyttsx3Synthesizer(VoiceSettings(language="uk", rate=151)).key,
        Pyttsx3Synthesizer(VoiceSettings(language="uk", volume=0.9)).key,
    }
    assert len(keys) == 5
    assert base.key == Pyttsx3Synthesizer(VoiceSettings(language="uk")).key
    assert base.starts == 0


# --------------------------------------------------------------------------- a missing engine


def test_missing_engine_message_says_how_to_install() -> None:
    """The message for an engine that cannot start is one line with the install command."""
    assert engine_missing_message("libespeak-ng.so.1:\n cannot open") == (
        "the speech engine could not start (libespeak-ng.so.1: cannot open); "
        f"is espeak-ng installed? on Debian/Ubuntu: {INSTALL}"
    )


@pytest.mark.audio
def test_broken_espeak_data_is_reported_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With espeak-ng's data folder missing the worker dies at start; the user gets one
    line saying why and how to install espeak-ng."""
    monkeypatch.setenv("ESPEAK_DATA_PATH", str(tmp_path))
    with Pyttsx3Synthesizer() as synthesizer, pytest.raises(AudioError) as caught:
        said(synthesizer, SHORT)
    message = str(caught.value)
    assert message.startswith("the speech engine could not start (")
    assert message.endswith(INSTALL)
    assert "\n" not in message
    with pytest.raises(AudioError, match=INSTALL):
        list_voices()


def test_worker_reports_pyttsx3_that_cannot_be_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the worker, a pyttsx3 that cannot be imported is an engine failure."""
    monkeypatch.setitem(sys.modules, "pyttsx3", None)
    with pytest.raises(StartError) as caught:
        Engine({})
    assert caught.value.kind == "engine"
    assert str(caught.value).startswith("pyttsx3 cannot be imported: ")


def test_worker_reports_espeak_that_cannot_be_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the worker, pyttsx3.init failing (no libespeak-ng) is an engine failure whose
    message carries pyttsx3's reason."""
    import pyttsx3

    def no_library(*args: object, **kwargs: object) -> None:
        raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")

    monkeypatch.setattr(pyttsx3, "init", no_library)
    with pytest.raises(StartError) as caught:
        Engine({})
    assert caught.value.kind == "engine"
    assert engine_missing_message(str(caught.value)) == (
        "the speech engine could not start (This means you probably do not have eSpeak or "
        f"eSpeak-ng installed!); is espeak-ng installed? on Debian/Ubuntu: {INSTALL}"
    )


# --------------------------------------------------------------------------- cache


@pytest.mark.audio
def test_second_run_synthesizes_nothing(tmp_path: Path) -> None:
    """With the cache, a second run of the same texts is all hits: the engine is not even
    started, and the recordings are the same samples."""
    texts = [SHORT, SENTENCE, SHORT]
    with Pyttsx3Synthesizer() as engine:
        first = dict(recordings(engine, ClipCache(tmp_path), texts))
        assert engine.calls == 2
    inner = Pyttsx3Synthesizer()
    with inner:
        second = dict(recordings(inner, ClipCache(tmp_path), texts))
    assert (inner.calls, inner.starts) == (0, 0)
    assert sorted(second) == sorted(first) == sorted([SHORT, SENTENCE])
    for text, before in first.items():
        assert second[text].sample_rate == before.sample_rate
        np.testing.assert_array_equal(second[text].samples, before.samples)


def test_a_cached_text_is_not_said_again(tmp_path: Path) -> None:
    """The same text, twice in one list and again later, reaches the synthesizer once."""
    fake = FakeSynthesizer()
    cache = ClipCache(tmp_path)
    one = dict(recordings(fake, cache, [SENTENCE, SENTENCE]))
    two = dict(recordings(fake, cache, [SENTENCE]))
    assert fake.spoken == [SENTENCE]
    np.testing.assert_array_equal(one[SENTENCE].samples, two[SENTENCE].samples)
    assert cache.missing(fake.key, [SENTENCE, "new", " ", "new"]) == ["new"]


def test_cache_round_trip_is_exact_and_keyed(tmp_path: Path) -> None:
    """A stored recording without a file comes back sample for sample at its rate, only
    for the same key and text; no temporary files are left."""
    cache = ClipCache(tmp_path / "clips")
    recording = FakeSynthesizer(sample_rate=22050).hum(SENTENCE)
    path = cache.store("key-a", SENTENCE, recording)
    assert path.parent == tmp_path / "clips"
    back = cache.get("key-a", SENTENCE)
    assert back is not None
    assert back.sample_rate == 22050
    assert back.samples.dtype == np.float32
    np.testing.assert_array_equal(back.samples, recording.samples)
    assert cache.get("key-b", SENTENCE) is None
    assert cache.get("key-a", SENTENCE + " ") is None
    assert sorted(p.name for p in (tmp_path / "clips").iterdir()) == [path.name]


def test_clear_empties_the_cache(tmp_path: Path) -> None:
    """clear() removes every clip, says how many, and later lookups miss."""
    cache = ClipCache(tmp_path)
    fake = FakeSynthesizer()
    for text in ["one", "two words", "three more words"]:
        cache.store(fake.key, text, fake.hum(text))
    assert cache.clear() == 3
    assert cache.get(fake.key, "one") is None
    assert list(tmp_path.iterdir()) == []
    assert cache.clear() == 0
    assert ClipCache(tmp_path / "never-made").clear() == 0


def test_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    """A cache file that cannot be decoded counts as a miss and is removed."""
    cache = ClipCache(tmp_path)
    cache.path("key", "text").write_bytes(b"RIFF but not really")
    assert cache.get("key", "text") is None
    assert not cache.path("key", "text").exists()


def test_unwritable_cache_is_an_audio_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder that cannot be made is reported naming it and the variable to set."""
    monkeypatch.chdir(tmp_path)
    Path("taken").write_text("a file, not a folder", encoding="utf-8")
    cache = ClipCache(Path("taken") / "clips")
    with pytest.raises(AudioError) as caught:
        cache.store("key", "text", FakeSynthesizer().hum("text"))
    message = str(caught.value)
    assert message.startswith("cannot write to the speech cache taken/clips: ")
    assert message.endswith("(set VOICEGUIDE_CACHE_DIR to use another folder)")


@pytest.mark.audio
def test_the_cache_keeps_the_engines_recording_for_every_sample_rate(tmp_path: Path) -> None:
    """What is cached is the engine's own file, moved in (16-bit, at its rate, a quarter
    of a float clip); clips at any rate are finished from it, the same as fresh ones."""
    import soundfile

    cache = ClipCache(tmp_path)
    with Pyttsx3Synthesizer() as engine:
        ((_, recording),) = recordings(engine, cache, [SENTENCE])
        file = recording.file
    assert file is not None
    assert not file.exists()  # moved in
    fresh = finish(recording, 44_100)
    (entry,) = tmp_path.iterdir()
    info = soundfile.info(str(entry))
    assert (info.subtype, info.samplerate, info.channels) == ("PCM_16", 22_050, 1)
    for rate in (44_100, 48_000, 16_000):
        inner = Pyttsx3Synthesizer()
        ((_, stored),) = recordings(inner, ClipCache(tmp_path), [SENTENCE])
        assert inner.starts == 0
        clip = finish(stored, rate)
        assert len(clip) / rate == pytest.approx(len(fresh) / 44_100, abs=0.001)
        if rate == 44_100:
            np.testing.assert_array_equal(clip, fresh)
    assert sorted(tmp_path.iterdir()) == [entry]  # one entry serves every rate


def test_a_recordings_wav_file_is_taken_in_sealed(tmp_path: Path) -> None:
    """store keeps a recording's own WAV file as it is, with the checksum's chunk after
    its chunks, and removes the engine's file; a file that is no WAV file gives way to
    the recording's samples. Both come back sample for sample; no temporary file stays."""
    import soundfile

    cache = ClipCache(tmp_path / "cache")
    file = tmp_path / "utterance.wav"
    samples = FakeSynthesizer().hum("one two three").samples
    soundfile.write(file, samples, 22050, subtype="PCM_16")
    original = file.read_bytes()
    path = cache.store("k", "one", Recording(samples, 22050, file))
    stored = path.read_bytes()
    assert stored[:4] + stored[8 : len(original)] == original[:4] + original[8:]
    assert stored[len(original) :][:4] == b"vgck"
    assert len(stored) == len(original) + 12
    assert not file.exists()
    back = cache.get("k", "one")
    assert back is not None
    np.testing.assert_array_equal(
        back.samples, soundfile.read(io.BytesIO(original), dtype="float32")[0]
    )

    file.write_bytes(b"RIFF recorded, but not a WAV file")
    path = cache.store("k", "two", Recording(samples, 22050, file))
    back = cache.get("k", "two")
    assert back is not None
    np.testing.assert_array_equal(back.samples, samples)
    assert not file.exists()
    assert sorted(p.name for p in cache.folder.iterdir()) == sorted(
        [cache.path("k", "one").name, path.name]
    )


def test_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VOICEGUIDE_CACHE_DIR moves the cache; otherwise it is the user cache folder."""
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_folder() == tmp_path / "mine" / "clips"
    assert ClipCache().folder == tmp_path / "mine" / "clips"
    monkeypatch.delenv("VOICEGUIDE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_cache_folder() == tmp_path / "xdg" / "voiceguide" / "clips"
    assert default_cache_folder().parts[-2:] == ("voiceguide", "clips")


def test_cache_file_names_depend_on_format_key_and_text(tmp_path: Path) -> None:
    """Entries are named by a sha256 of the clip format, the key and the text."""
    import hashlib
    import json

    cache = ClipCache(tmp_path)
    expected = hashlib.sha256(json.dumps([CLIP_FORMAT, "k", "t"]).encode()).hexdigest()
    assert cache.path("k", "t") == tmp_path / f"{expected}.wav"


# --------------------------------------------------------------------------- helpers and fakes


def test_trim_silence_keeps_a_fixed_pad_and_fades_the_ends() -> None:
    """One second of silence either side of a tone is cut to the pad; the ends are 0."""
    rate = 8000
    tone = (0.5 * np.sin(2 * np.pi * 200 * np.arange(4000) / rate)).astype(np.float32)
    silence = np.zeros(rate, dtype=np.float32)
    trimmed = trim_silence(np.concatenate([silence, tone, silence]), rate)
    pad = round(TRIM_PAD_SECONDS * rate)
    first, last = loud_span(Recording(trimmed, rate))
    assert first == pad
    assert trimmed.size - 1 - last == pad
    assert trimmed[0] == 0.0
    assert trimmed[-1] == 0.0
    assert trim_silence(np.zeros(rate, dtype=np.float32), rate).size == 2 * pad


def test_fake_synthesizer_records_and_is_deterministic() -> None:
    """The fake records what it was asked to say, in order, and its recording's length
    follows the word count, at its own rate."""
    fake = FakeSynthesizer(words_per_minute=120, sample_rate=16000)
    port: Synthesizer = fake  # it is a Synthesizer (mypy checks this line)
    made = list(port.synthesize(["three little words", "three little words", ""]))
    (_, one), (_, two), (_, empty) = made
    assert fake.spoken == ["three little words", "three little words", ""]
    assert one.sample_rate == 16000
    assert one.duration == pytest.approx(1.5)
    assert one.file is None
    assert empty.samples.size == 0
    np.testing.assert_array_equal(one.samples, two.samples)
    assert float(np.max(np.abs(one.samples))) == pytest.approx(0.1, rel=1e-3)
    assert one.samples[0] == 0.0


def test_fake_speech_opens_fakes_that_share_what_was_said() -> None:
    """The fake engine notes the voice asked for, collects what every fake it opened
    said, and lists its voices as the real engine does (best match first)."""
    from voiceguide.ports import SpeechEngine
    from voiceguide.testing import FakeSpeech

    speech = FakeSpeech()
    engine: SpeechEngine = speech
    uk = VoiceSettings(language="uk")
    list(engine.open(uk).synthesize(["one"]))
    list(engine.open(VoiceSettings()).synthesize(["two"]))
    assert speech.opened_for == [uk, VoiceSettings()]
    assert speech.spoken == ["one", "two"]
    assert speech.opened[0].sample_rate == 22_050
    assert [v.id for v in engine.voices("uk")] == ["fake/uk"]
    assert [v.id for v in engine.voices()] == ["fake/en", "fake/uk"]


def test_importing_speech_stays_light() -> None:
    """Importing speech and testing pulls in none of the audio libraries."""
    heavy = ["numpy", "soundfile", "soxr", "pyttsx3", "platformdirs"]
    code = (
        "import sys, voiceguide.speech.pyttsx3, voiceguide.speech.cache, voiceguide.testing; "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.audio
def test_a_late_answer_is_not_taken_for_the_next_request() -> None:
    """An answer to a request the parent stopped waiting for is skipped, not mistaken for
    the answer to the next request."""
    worker, _ = start_worker({})
    try:
        with pytest.raises(WorkerTimeout):
            worker.call({"op": "say", "text": "One two three. " * 30, "path": os.devnull}, 0.0)
        answer = worker.call({"op": "voices"}, 10.0)
    finally:
        worker.stop()
    assert answer["ok"] is True
    assert "voices" in answer
