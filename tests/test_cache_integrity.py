"""The clip cache checks every clip it reads: a clip cut short, overwritten or changed in
a single byte is not heard but made again, and the guide is the one a fresh export makes."""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.conftest import RunCli
from voiceguide.ports import Recording
from voiceguide.speech.cache import ClipCache, recordings
from voiceguide.speech.clipfile import Damaged, seal, unseal
from voiceguide.testing import FakeSpeech, FakeSynthesizer, installed

DATA = Path(__file__).parent / "data"
SHORT = str(DATA / "short.yaml")
TEXT = "Stroke the back of your neck from the hairline down to the shoulders."


def _engine_file(folder: Path, seconds: float = 2.0) -> Path:
    """A 16-bit WAV file as espeak-ng writes one (a 44-byte header, then the samples)."""
    rate = 22_050
    t = np.arange(round(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
    path = folder / "engine.wav"
    soundfile.write(path, samples, rate, subtype="PCM_16")
    return path


def _stored(tmp_path: Path) -> tuple[ClipCache, Path, Recording]:
    """A cache holding the engine file's recording of TEXT; the entry and the recording."""
    cache = ClipCache(tmp_path / "clips")
    file = _engine_file(tmp_path)
    samples, rate = soundfile.read(file, dtype="float32")
    recording = Recording(samples, rate, file)
    return cache, cache.store("key", TEXT, recording), Recording(samples, rate)


def _cut_keeping_header(data: bytes) -> bytes:
    """The first third of the file: its header still promises all the samples."""
    return data[: len(data) // 3]


def _samples_at(data: bytes) -> int:
    """Where the samples start: after the ``data`` chunk's header."""
    position = 12
    while data[position : position + 4] != b"data":
        (size,) = struct.unpack_from("<I", data, position + 4)
        position += 8 + size + size % 2
    return position + 8


def _cut_with_matching_header(data: bytes) -> bytes:
    """The first third, its RIFF and data sizes rewritten to fit: a valid, shorter WAV."""
    start = _samples_at(data)
    cut = bytearray(data[: start + (len(data) - start) // 3 // 4 * 4])
    struct.pack_into("<I", cut, 4, len(cut) - 8)
    struct.pack_into("<I", cut, start - 4, len(cut) - start)
    return bytes(cut)


def _noise_after_header(data: bytes) -> bytes:
    """Random bytes in place of everything after the header, length kept."""
    start = _samples_at(data)
    return data[:start] + os.urandom(len(data) - start)


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "cut, header kept": _cut_keeping_header,
    "cut, header fitted": _cut_with_matching_header,
    "noise after the header": _noise_after_header,
    "a byte more": lambda data: data + b"\0",
    "emptied": lambda data: b"",
}


def test_a_sealed_clip_reads_back_exactly() -> None:
    """seal() adds a checksum chunk libsndfile skips; unseal() gives libsndfile's samples."""
    import io

    wav = io.BytesIO()
    samples = FakeSynthesizer().hum(TEXT).samples
    soundfile.write(wav, samples, 22_050, subtype="PCM_16", format="WAV")
    sealed = seal(wav.getvalue())
    read, rate = unseal(sealed)
    expected, expected_rate = soundfile.read(io.BytesIO(sealed), dtype="float32")
    assert (rate, expected_rate) == (22_050, 22_050)
    np.testing.assert_array_equal(read, expected)


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_clip_is_a_miss_and_removed(tmp_path: Path, damage: str) -> None:
    """Whatever the damage, get() finds it, removes the entry and counts it; decoders
    would have taken the damaged file as a shorter clip or as noise."""
    cache, path, _ = _stored(tmp_path)
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    assert cache.get("key", TEXT) is None
    assert not path.exists()
    assert cache.damaged == 1


def test_without_the_check_the_damage_would_be_heard(tmp_path: Path) -> None:
    """The damage the cache guards against: libsndfile decodes a clip cut short without
    a word (a third of the speech), and noise after the header as samples."""
    _, path, recording = _stored(tmp_path)
    data = path.read_bytes()
    path.write_bytes(_cut_keeping_header(data))
    cut, _ = soundfile.read(path, dtype="float32")
    assert 0 < len(cut) < len(recording.samples) / 2
    path.write_bytes(_noise_after_header(data))
    noise, _ = soundfile.read(path, dtype="float32")
    assert len(noise) >= len(recording.samples)
    assert not np.array_equal(noise[: len(recording.samples)], recording.samples)


def test_the_checksum_catches_any_single_flipped_byte(tmp_path: Path) -> None:
    """One bit changed anywhere in a clip file (header, samples, the checksum itself)
    makes it damaged; the untouched file reads back."""
    _, path, recording = _stored(tmp_path)
    data = path.read_bytes()
    samples, _ = unseal(data)
    np.testing.assert_array_equal(samples, recording.samples)
    step = max(1, len(data) // 509)
    positions = sorted({*range(0, len(data), step), *range(len(data) - 16, len(data))})
    for position in positions:
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        with pytest.raises(Damaged):
            unseal(bytes(flipped))


def test_damaged_clips_are_made_again_transparently(tmp_path: Path) -> None:
    """recordings() gives a damaged entry's text the synthesizer's recording again, and
    stores it anew; the intact ones are read, not spoken."""
    cache = ClipCache(tmp_path)
    fake = FakeSynthesizer()
    texts = ["One two.", "Three four five.", "Six."]
    first = dict(recordings(fake, cache, texts))
    path = cache.path(fake.key, texts[1])
    path.write_bytes(_noise_after_header(path.read_bytes()))
    fake.spoken.clear()
    again = dict(recordings(fake, cache, texts))
    assert fake.spoken == [texts[1]]
    assert cache.damaged == 1
    for text in texts:
        np.testing.assert_array_equal(again[text].samples, first[text].samples)
    stored = cache.get(fake.key, texts[1])
    assert stored is not None
    np.testing.assert_array_equal(stored.samples, first[texts[1]].samples)


def _entries(cache_root: Path) -> list[Path]:
    return sorted((cache_root / "clips").glob("*.wav"), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize("damage", ["cut, header kept", "noise after the header"])
def test_an_export_from_a_damaged_cache_is_a_fresh_exports(
    in_tmp: Path, run_cli: RunCli, empty_cache: Path, damage: str
) -> None:
    """export with damaged clips in the cache: one warning line saying how many were made
    again, and a guide sample for sample the same as the export before the damage."""
    with installed(speech=FakeSpeech()):
        result = run_cli("export", SHORT, "-o", "fresh.wav", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    entries = _entries(empty_cache.parent)
    damaged = entries[-2:]  # the longest speech: the most to lose
    for entry in damaged:
        entry.write_bytes(DAMAGE[damage](entry.read_bytes()))
    speech = FakeSpeech()
    with installed(speech=speech):
        result = run_cli("export", SHORT, "-o", "again.wav", "-q")
    assert result.exit_code == 0, result.stderr
    fresh, fresh_rate = soundfile.read("fresh.wav", dtype="int16")
    again, again_rate = soundfile.read("again.wav", dtype="int16")
    assert again_rate == fresh_rate
    np.testing.assert_array_equal(again, fresh)
    assert Path("again.srt").read_text("utf-8") == Path("fresh.srt").read_text("utf-8")
    assert len(speech.spoken) == 2
    assert result.stderr == (
        f"voiceguide: warning: 2 speech clips were damaged in the cache {empty_cache} "
        "and made again\n"
    )
    with installed(speech=FakeSpeech()):
        result = run_cli("preview", SHORT, "--exact", "-f", "json")
    assert result.exit_code == 0
    assert result.stderr == ""  # made again once: whole from then on


def test_preview_exact_warns_of_damaged_clips(
    in_tmp: Path, run_cli: RunCli, empty_cache: Path
) -> None:
    """preview --exact reads the cache too: it warns the same way, one line."""
    with installed(speech=FakeSpeech()):
        assert run_cli("preview", SHORT, "--exact").exit_code == 0
        (entry, *_) = _entries(empty_cache.parent)
        entry.write_bytes(_cut_keeping_header(entry.read_bytes()))
        result = run_cli("preview", SHORT, "--exact")
    assert result.exit_code == 0
    assert result.stderr == (
        f"voiceguide: warning: 1 speech clip was damaged in the cache {empty_cache} "
        "and made again\n"
    )


def _play(routine: str) -> tuple[str, np.ndarray]:
    """``voiceguide play ROUTINE --yes`` with every part faked: its stderr and what the
    device played."""
    from click.testing import CliRunner

    from voiceguide.cli import cli
    from voiceguide.testing import FakeClock, FakeDisplay, FakeKeys, FakeOutput

    clock = FakeClock()
    sinks = FakeOutput(clock)
    keys, display = FakeKeys(clock), FakeDisplay()
    with installed(speech=FakeSpeech(), output=sinks, clock=clock, keys=keys, display=display):
        result = CliRunner().invoke(cli, ["play", routine, "--yes"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    (sink,) = sinks.opened
    return result.stderr, sink.played


def test_play_warns_of_damaged_clips_and_plays_what_it_played_before(
    in_tmp: Path, empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """play reads the cache on its way to the first sound: a damaged clip is said again,
    one warning line says so, and the patient hears what an undamaged cache gave."""
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(in_tmp / "data"))
    _, before = _play(SHORT)
    entry = _entries(empty_cache.parent)[-1]
    entry.write_bytes(_noise_after_header(entry.read_bytes()))
    stderr, after = _play(SHORT)
    np.testing.assert_array_equal(after, before)
    warnings = [line for line in stderr.splitlines() if "warning" in line]
    assert warnings == [
        f"voiceguide: warning: 1 speech clip was damaged in the cache {empty_cache} and made again"
    ]


@pytest.mark.audio
def test_a_damaged_clip_of_the_real_engine_is_said_again(
    in_tmp: Path, run_cli: RunCli, empty_cache: Path
) -> None:
    """With espeak-ng: a clip cut short in the cache is spoken again; the guide's speech
    is as long as a fresh export's (espeak-ng's recordings vary by a few milliseconds
    from one run to the next, so lengths are compared, not samples)."""
    import json

    def speech_lengths() -> list[float]:
        result = run_cli("preview", SHORT, "--exact", "-f", "json")
        assert result.exit_code == 0, result.stderr
        events = json.loads(result.stdout)["events"]
        return [e["duration"] for e in events if e["kind"] == "speech"]

    assert run_cli("export", SHORT, "-o", "fresh.wav", "-q").exit_code == 0
    fresh = speech_lengths()
    entry = _entries(empty_cache.parent)[-1]
    entry.write_bytes(_cut_keeping_header(entry.read_bytes()))
    result = run_cli("export", SHORT, "-o", "again.wav", "-q")
    assert result.exit_code == 0, result.stderr
    again = speech_lengths()
    assert again == pytest.approx(fresh, abs=0.25)
    assert sum(again) == pytest.approx(sum(fresh), abs=0.25)
    assert "1 speech clip was damaged" in result.stderr


@pytest.mark.parametrize(
    ("suffix", "subtype", "channels"),
    [(".wav", "PCM_16", 1), (".wav", "PCM_16", 2), (".wav", "FLOAT", 1), (".aiff", "PCM_16", 1)],
)
def test_an_engine_file_is_read_as_libsndfile_reads_it(
    tmp_path: Path, suffix: str, subtype: str, channels: int
) -> None:
    """An engine's recording gives the samples libsndfile reads from it (channels
    averaged), whether it is a WAV file (decoded as the cache decodes its own) or
    another format (AIFF, as macOS writes); an empty file is an error that says so."""
    from voiceguide.audio.clips import read_recording
    from voiceguide.errors import AudioError

    rate = 22_050
    t = np.arange(rate) / rate
    wave = np.stack([0.3 * np.sin(2 * np.pi * 180 * t), 0.2 * np.sin(2 * np.pi * 90 * t)], 1)
    path = tmp_path / f"engine{suffix}"
    soundfile.write(path, wave[:, :channels].astype(np.float32), rate, subtype=subtype)
    expected, _ = soundfile.read(path, dtype="float32", always_2d=True)
    recording = read_recording(path, TEXT)
    assert recording.sample_rate == rate
    assert recording.file == path
    np.testing.assert_array_equal(recording.samples, expected.mean(axis=1, dtype=np.float32))
    path.write_bytes(b"")
    with pytest.raises(AudioError, match="the speech engine wrote no audio"):
        read_recording(path, TEXT)
