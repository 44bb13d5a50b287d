"""Ogg Opus through libopus and libogg: the samples come back at their length, sounding
as they went in, in a file ffprobe reads; and without the encoders' own libraries (LAME's
too) the export still works through libsndfile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from tests.audio_oracles import speech_like
from tests.conftest import RunCli
from tests.test_export import ffprobe
from voiceguide.errors import ExportError
from voiceguide.export import writer
from voiceguide.export.opus import BITRATE, OpusWriter, opus_libraries

pytestmark = pytest.mark.skipif(opus_libraries() is None, reason="libopus is not installed")

RATE = 48_000
SHORT = str(Path(__file__).parent / "data" / "short.yaml")


def envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """Loudness every 10 ms, channel by channel (Opus keeps what is heard, not the
    waveform: in its speech mode the samples differ while the sound is the same)."""
    window = rate // 100
    usable = len(samples) // window * window
    power = np.square(samples[:usable].astype(np.float64)).reshape(-1, window, samples.shape[1])
    loudness: np.ndarray = np.sqrt(power.mean(axis=1))
    return loudness


@pytest.mark.parametrize(
    ("channels", "rate", "seconds"),
    [
        (1, 48_000, 7.31),
        (1, 48_000, 7.3 + 800 / 48_000),  # the last 800 frames and the look-ahead: 2 frames
        (2, 48_000, 7.31),
        (1, 24_000, 7.31),
    ],
)
def test_what_opus_writes_decodes_to_the_same_frames(
    tmp_path: Path, channels: int, rate: int, seconds: float
) -> None:
    """Written in blocks of odd sizes, the file decodes (libsndfile, which applies the
    pre-skip and the end's granule position) to exactly as many frames; each channel's
    loudness follows its own 10 ms by 10 ms, in time; at the bitrate asked for."""
    samples = speech_like(seconds, channels, rate)
    target = tmp_path / "g.opus"
    with OpusWriter(target, rate, channels) as opus:
        for start in range(0, len(samples), 40_001):
            opus.write(samples[start : start + 40_001])
    decoded, decoded_rate = soundfile.read(target, dtype="float32", always_2d=True)
    assert decoded_rate == rate
    assert decoded.shape == samples.shape
    heard, played = envelope(decoded, rate), envelope(samples, rate)
    for channel in range(channels):
        shifted = [
            np.corrcoef(np.roll(heard[:, channel], shift), played[:, channel])[0, 1]
            for shift in (-1, 0, 1)
        ]
        assert shifted[1] > 0.98, shifted  # in time: no 10-ms window off
        assert shifted[1] == max(shifted), shifted
    level = 20 * np.log10(heard.mean(axis=0) / played.mean(axis=0))
    assert np.all(np.abs(level) < 1.0), level  # dB
    kbps = target.stat().st_size * 8 / (len(samples) / rate) / 1000
    assert 0.5 * BITRATE * channels / 1000 < kbps < 1.3 * BITRATE * channels / 1000


def test_ffprobe_reads_it_as_opus(tmp_path: Path) -> None:
    target = tmp_path / "g.opus"
    with OpusWriter(target, RATE, 1) as opus:
        opus.write(speech_like(2.0, 1, RATE))
    stream = ffprobe(target, "-show_streams")["streams"][0]
    assert (stream["codec_name"], stream["channels"], stream["sample_rate"]) == ("opus", 1, "48000")


def test_a_rate_opus_cannot_take_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="Opus takes a sample rate of 48000, 24000"):
        OpusWriter(tmp_path / "g.opus", 44_100, 1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.audio
@pytest.mark.parametrize(
    ("suffix", "own", "libraries"),
    [(".mp3", "LameWriter", "lame_library"), (".opus", "OpusWriter", "opus_libraries")],
)
def test_without_its_library_each_format_goes_through_libsndfile(
    in_tmp: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    own: str,
    libraries: str,
) -> None:
    """Both ways give a file of the same length; the encoder's own library is the one
    used when it is there."""
    made: list[tuple[object, ...]] = []
    writer_class = getattr(writer, own)

    def own_writer(*args: Any) -> Any:
        made.append(args)
        return writer_class(*args)

    monkeypatch.setattr(writer, own, own_writer)
    assert run_cli("export", SHORT, "-o", f"own{suffix}", "-q").exit_code == 0
    assert len(made) == 1
    monkeypatch.setattr(writer, libraries, lambda: None)
    assert run_cli("export", SHORT, "-o", f"sndfile{suffix}", "-q").exit_code == 0
    assert len(made) == 1
    lengths = [soundfile.info(str(in_tmp / f"{way}{suffix}")).frames for way in ("own", "sndfile")]
    assert lengths[0] == lengths[1] > 0
