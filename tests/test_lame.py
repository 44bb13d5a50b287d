"""MP3 through LAME's own library: the samples come back at their length, close to what
went in, with the LAME tag (where the library is missing: tests/test_opus.py's
test_without_its_library_each_format_goes_through_libsndfile)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.audio_oracles import speech_like
from tests.conftest import RunCli
from voiceguide.errors import ExportError
from voiceguide.export.lame import LameWriter, lame_library

pytestmark = pytest.mark.skipif(lame_library() is None, reason="libmp3lame is not installed")

RATE = 44_100
SHORT = str(Path(__file__).parent / "data" / "short.yaml")


@pytest.mark.parametrize("channels", [1, 2])
def test_what_lame_writes_decodes_to_the_same_frames(tmp_path: Path, channels: int) -> None:
    """Written in blocks of odd sizes, the file decodes (libsndfile, reading the LAME
    tag's delay and padding) to exactly as many frames, each channel close to its own."""
    samples = speech_like(7.3, channels, RATE)
    target = tmp_path / "g.mp3"
    with LameWriter(target, RATE, channels) as mp3:
        for start in range(0, len(samples), 40_001):
            mp3.write(samples[start : start + 40_001])
    decoded, rate = soundfile.read(target, dtype="float32", always_2d=True)
    assert (rate, decoded.shape) == (RATE, samples.shape)
    error = np.sqrt(np.mean((decoded - samples) ** 2, axis=0))
    level = np.sqrt(np.mean(samples**2, axis=0))
    assert np.all(error < 0.1 * level), (error, level)
    head = target.read_bytes()[:1200]
    assert b"LAME" in head
    assert b"Info" in head or b"Xing" in head


def test_a_rate_mp3_cannot_hold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="MP3 takes a sample rate of 44100, 48000"):
        LameWriter(tmp_path / "g.mp3", 44_110, 1)
    assert list(tmp_path.iterdir()) == []


def test_an_mp3_rate_is_checked_before_any_work(in_tmp: Path, run_cli: RunCli) -> None:
    result = run_cli("export", SHORT, "-o", "g.mp3", "--sample-rate", "44110")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "MP3 takes a sample rate of 44100, 48000, 32000, 24000, 22050, 16000, 12000, "
        "11025, 8000 Hz, not 44110\n"
    )
    assert list(in_tmp.iterdir()) == []


def test_a_library_is_found_by_its_name_when_not_by_its_soname() -> None:
    from voiceguide.export.libraries import load_library

    assert load_library("libmp3lame.so.999", "mp3lame") is not None
    assert load_library("libvoiceguide-none.so.0", "voiceguide-none") is None
