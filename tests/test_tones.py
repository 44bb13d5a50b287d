"""Cue sounds: the built-in palette is exact, click-free and distinct; user files load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from voiceguide.audio.tones import load_sound_file, synthesize
from voiceguide.errors import AudioError
from voiceguide.model.sounds import SOUNDS, ToneSpec

RATE = 44100
NAMES = sorted(SOUNDS)


def dominant_frequency(samples: npt.NDArray[np.float32], sample_rate: int) -> float:
    """The strongest frequency in ``samples`` (Hann-windowed, zero-padded FFT)."""
    windowed = samples * np.hanning(samples.size)
    spectrum = np.abs(np.fft.rfft(windowed, n=1 << 16))
    return float(np.fft.rfftfreq(1 << 16, 1 / sample_rate)[int(np.argmax(spectrum))])


def heard_notes(spec: ToneSpec, samples: npt.NDArray[np.float32], sample_rate: int) -> list[float]:
    """The pitch heard just after each note's onset, where that note is the loudest."""
    heard = []
    for index in range(len(spec.notes)):
        start = round((index * spec.note_seconds + 0.01) * sample_rate)
        window = round(min(spec.note_seconds or spec.decay_seconds, 0.08) * sample_rate)
        heard.append(dominant_frequency(samples[start : start + window], sample_rate))
    return heard


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("sample_rate", [RATE, 22050, 48000])
def test_sound_has_exact_length_and_safe_level(name: str, sample_rate: int) -> None:
    """A cue is float32 mono, exactly round(duration * rate) samples, peaking at its level."""
    spec = SOUNDS[name]
    samples = synthesize(name, sample_rate)
    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert samples.size == round(spec.duration * sample_rate)
    assert np.all(np.isfinite(samples))
    peak = float(np.max(np.abs(samples)))
    assert peak <= spec.level + 1e-6
    assert peak == pytest.approx(spec.level, rel=1e-3)
    assert spec.level <= 1.0


@pytest.mark.parametrize("name", NAMES)
def test_sound_is_click_free_and_centred(name: str) -> None:
    """A cue starts and ends at zero, fades in over milliseconds, and has no DC offset."""
    spec = SOUNDS[name]
    samples = synthesize(name, RATE)
    assert abs(samples[0]) < 1e-3
    assert abs(samples[-1]) < 1e-3
    one_ms = RATE // 1000
    # A raised-cosine attack of at least 5 ms is still quiet after 1 ms; a hard onset is not.
    assert np.max(np.abs(samples[:one_ms])) < 0.2 * spec.level
    assert np.max(np.abs(samples[-one_ms:])) < 0.05 * spec.level
    assert abs(float(np.mean(samples, dtype=np.float64))) < 1e-4


@pytest.mark.parametrize("name", NAMES)
def test_sound_plays_its_notes_in_order(name: str) -> None:
    """Each note of a cue is heard at its pitch (±15 Hz), one after another, in order."""
    spec = SOUNDS[name]
    heard = heard_notes(spec, synthesize(name, RATE), RATE)
    assert heard == pytest.approx(list(spec.notes), abs=15.0)


def test_sounds_are_distinct() -> None:
    """No two built-in cues sound alike: length or the heard sequence of pitches differs."""
    fingerprints = {}
    for name in NAMES:
        samples = synthesize(name, RATE)
        notes = tuple(round(f / 20) for f in heard_notes(SOUNDS[name], samples, RATE))
        fingerprints[name] = (samples.size, notes)
    assert len(set(fingerprints.values())) == len(NAMES), fingerprints


def test_unknown_sound_is_a_key_error() -> None:
    """Asking for a sound that is not in the palette raises KeyError with its name."""
    with pytest.raises(KeyError, match="whistle"):
        synthesize("whistle", RATE)


def test_importing_tones_does_not_import_numpy() -> None:
    """Checking a routine needs the palette's names and lengths only, never numpy."""
    code = (
        "import sys, voiceguide.model.sounds, voiceguide.audio.tones; "
        "print('numpy' in sys.modules, 'soundfile' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------- user sound files


def test_stereo_file_is_mixed_to_mono_and_resampled(tmp_path: Path) -> None:
    """A 22 050 Hz stereo WAV comes back as 44 100 Hz mono: channels averaged, length doubled."""
    seconds = 0.5
    t = np.arange(round(seconds * 22050)) / 22050
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    right = np.zeros_like(left)
    path = tmp_path / "cue.wav"
    soundfile.write(path, np.column_stack([left, right]), 22050, subtype="FLOAT")

    samples = load_sound_file(str(path), RATE)

    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert samples.size == 2 * left.size
    middle = samples[samples.size // 4 : 3 * samples.size // 4]
    assert float(np.max(np.abs(middle))) == pytest.approx(0.25, abs=0.01)
    assert dominant_frequency(middle, RATE) == pytest.approx(440, abs=5)


def test_file_at_session_rate_is_returned_unchanged(tmp_path: Path) -> None:
    """A mono FLAC already at the session rate is decoded without resampling."""
    samples = (0.3 * np.sin(np.linspace(0, 200 * np.pi, 4410))).astype(np.float32)
    path = tmp_path / "cue.flac"
    soundfile.write(path, samples, RATE, subtype="PCM_24")
    loaded = load_sound_file(path, RATE)
    assert loaded.size == samples.size
    np.testing.assert_allclose(loaded, samples, atol=1e-6)


def test_unreadable_file_is_an_audio_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that is not audio gives a one-line AudioError that names the file."""
    monkeypatch.chdir(tmp_path)
    Path("notes.wav").write_text("these are not samples\n", encoding="utf-8")
    with pytest.raises(AudioError) as caught:
        load_sound_file("notes.wav", RATE)
    message = str(caught.value)
    assert message.startswith("cannot read sound file 'notes.wav': ")
    assert "\n" not in message


def test_missing_file_is_an_audio_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that does not exist gives an AudioError that says so and names it."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AudioError) as caught:
        load_sound_file("missing.ogg", RATE)
    assert str(caught.value) == "cannot read sound file 'missing.ogg': no such file"
