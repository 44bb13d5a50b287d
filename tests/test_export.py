"""`voiceguide export` on the real engine: every format decoded, probed and analysed."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
import srt
import webvtt

from tests.audio_oracles import gain_to_db, integrated
from tests.conftest import RunCli
from tests.real_export import export_stopped_while_writing
from voiceguide.audio.loudness import LoudnessMeter, true_peak
from voiceguide.audio.render import TONE_GAIN_DB
from voiceguide.audio.tones import synthesize

pytestmark = pytest.mark.audio

SHORT = str(Path(__file__).parent / "data" / "short.yaml")
FORMATS = [".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4b", ".m4a"]
MP4 = (".m4b", ".m4a")


def exact_script(run_cli: RunCli, *options: str) -> dict[str, Any]:
    result = run_cli("preview", SHORT, "--exact", "--format", "json", *options)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def ffprobe(path: Path, *entries: str) -> dict[str, Any]:
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", *entries, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data: dict[str, Any] = json.loads(output)
    return data


def rate_of(path: Path) -> int:
    """The sample rate of the audio in ``path``, as ffprobe reads it."""
    stream = ffprobe(path, "-select_streams", "a:0", "-show_entries", "stream=sample_rate")
    return int(stream["streams"][0]["sample_rate"])


def ffmpeg_decode(path: Path, rate: int) -> np.ndarray:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "f32le",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.float32)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The short routine exported once to every format, with both subtitle files."""
    from click.testing import CliRunner

    from voiceguide.cli import cli

    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for suffix in FORMATS:
        target = folder / f"guide-{suffix[1:]}{suffix}"
        result = CliRunner().invoke(
            cli, ["export", SHORT, "-o", str(target), "--subtitles", "both", "-q"]
        )
        assert result.exit_code == 0, result.output
        assert result.stderr == ""  # -q: no progress, no summary
        files[suffix] = target
    return files


@pytest.mark.parametrize("suffix", FORMATS)
def test_decoded_length_is_the_script_duration(
    exported: dict[str, Path], suffix: str, run_cli: RunCli
) -> None:
    """Decoded by libsndfile (MP4 aside: it does not read it) and by ffmpeg, and as
    ffprobe reports it (less the encoder delay it shows as start_time), the guide lasts
    the script's duration within 20 ms."""
    path = exported[suffix]
    rate = rate_of(path)
    # the timeline of the audio at its own rate (.opus: 48 kHz): clip lengths, and with
    # them the spoken introduction, differ by a few samples from one rate to another
    duration = exact_script(run_cli, "--sample-rate", str(rate))["duration"]
    if suffix not in MP4:
        info = soundfile.info(str(path))
        assert abs(info.frames / info.samplerate - duration) <= 0.020
    assert abs(len(ffmpeg_decode(path, rate)) / rate - duration) <= 0.020
    probed = ffprobe(path, "-show_entries", "format=duration,start_time")["format"]
    delay = float(probed.get("start_time", 0.0))  # the encoder delay of MP3
    if suffix == ".opus":  # ffprobe counts the decoder's pre-skip in Ogg Opus' duration
        head = path.read_bytes()
        at = head.index(b"OpusHead")
        delay += int.from_bytes(head[at + 10 : at + 12], "little") / 48_000
    probed_length = float(probed["duration"]) - delay
    if suffix == ".mp3":
        # ffprobe counts whole MP3 frames, so its figure includes the encoder's padding
        # at the end (less than one frame); the LAME header, read by mutagen, has it.
        from mutagen.mp3 import MP3

        gapless = MP3(str(path)).info.length
        assert abs(gapless - duration) <= 0.020
        assert 0 <= probed_length - gapless <= 1152 / rate + 0.001
    else:
        assert abs(probed_length - duration) <= 0.020


@pytest.mark.parametrize("suffix", MP4)
def test_an_mp4_guide_is_aac(exported: dict[str, Path], suffix: str) -> None:
    """.m4b and .m4a hold one AAC stream (the chapters' text track aside), mono."""
    streams = ffprobe(exported[suffix], "-show_streams")["streams"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert [(s["codec_name"], s["channels"]) for s in audio] == [("aac", 1)]


@pytest.mark.parametrize("suffix", FORMATS)
def test_chapters_are_read_back_by_ffprobe(
    exported: dict[str, Path], suffix: str, run_cli: RunCli
) -> None:
    """ffprobe lists one chapter per stage part, plus introduction and end, at their times."""
    script = exact_script(run_cli)
    expected = [s for s in script["stages"] if s["kind"] != "transition"]
    found = ffprobe(exported[suffix], "-show_chapters")["chapters"]
    assert [c["tags"]["title"] for c in found] == [s["label"] for s in expected]
    for chapter, segment in zip(found, expected, strict=True):
        assert abs(float(chapter["start_time"]) - segment["start"]) <= 0.001


@pytest.mark.parametrize("suffix", FORMATS)
def test_tags(exported: dict[str, Path], suffix: str) -> None:
    """Title, artist and comment tags are set."""
    probed = ffprobe(exported[suffix], "-show_entries", "format_tags:stream_tags")
    found = {**probed["format"].get("tags", {}), **probed["streams"][0].get("tags", {})}
    tags = {k.lower(): v for k, v in found.items()}
    assert tags["title"] == "Short check"
    assert tags["artist"] == "voiceguide"
    assert "Made with voiceguide" in tags["comment"]


@pytest.mark.parametrize("suffix", FORMATS)
def test_each_tone_starts_at_its_scheduled_sample(
    exported: dict[str, Path], suffix: str, run_cli: RunCli
) -> None:
    """Analysing the decoded file: every cue sound starts within 1 ms of its time."""
    path = exported[suffix]
    rate = rate_of(path)
    audio = ffmpeg_decode(path, rate)
    script = exact_script(run_cli, "--sample-rate", str(rate))  # the timeline at its rate
    tones = [e for e in script["events"] if e["kind"] == "tone"]
    assert len(tones) >= 10
    for tone in tones:
        reference = synthesize(tone["sound"], rate) * 10 ** (TONE_GAIN_DB / 20)
        at = round(tone["time"] * rate)
        lo = max(at - rate // 20, 0)
        window = audio[lo : at + rate // 20 + len(reference)]
        correlation = np.correlate(window, reference, mode="valid")
        found = lo + int(np.argmax(correlation))
        assert abs(found - at) / rate <= 0.001, (tone, (found - at) / rate)


def test_loudness_and_peak(exported: dict[str, Path]) -> None:
    """The guide sits at -16 LUFS (within 0.1 LU) with its true peak at or under -1 dBTP."""
    audio, rate = soundfile.read(str(exported[".wav"]), dtype="float32", always_2d=True)
    meter = LoudnessMeter(rate, 1)
    meter.add(audio)
    assert integrated(meter) == pytest.approx(-16.0, abs=0.1)
    assert gain_to_db(true_peak(audio[:, 0])) <= -1.0 + 0.1
    assert np.abs(audio).max() < 0.999


def test_a_target_out_of_reach_is_noted_with_the_level_reached(
    in_tmp: Path, run_cli: RunCli
) -> None:
    """Asked for a loudness the peak ceiling leaves no room for, export says how loud the
    guide is instead, and the file is that loud (within 0.1 LU); a second export, with
    the level cached, says the same."""
    for _ in range(2):
        result = run_cli("export", SHORT, "-o", "loud.wav", "--loudness", "-6", "--force")
        assert result.exit_code == 0, result.output
        match = re.fullmatch(
            r"note: the guide is (-\d+\.\d) LUFS, (\d+\.\d) LU under the -6 LUFS asked for: "
            r"louder, its peaks would be limited by more than 6 dB under the -1 dBTP ceiling",
            result.stderr.splitlines()[0],
        )
        assert match, result.stderr
        reached = float(match[1])
        assert reached == pytest.approx(-6.0 - float(match[2]), abs=0.051)
        audio, rate = soundfile.read("loud.wav", dtype="float32", always_2d=True)
        meter = LoudnessMeter(rate, 1)
        meter.add(audio)
        assert integrated(meter) == pytest.approx(reached, abs=0.1)
    assert "note:" not in run_cli("export", SHORT, "-o", "plain.wav").stderr


@pytest.mark.parametrize("kind", ["srt", "vtt"])
def test_subtitles_are_timed_to_the_audio(
    exported: dict[str, Path], kind: str, run_cli: RunCli
) -> None:
    """The sidecar subtitles parse, and their times are the measured speech times."""
    speech = [e for e in exact_script(run_cli)["events"] if e["kind"] == "speech"]
    path = exported[".wav"].with_suffix(f".{kind}")
    if kind == "srt":
        cues = [(c.content, c.start.total_seconds()) for c in srt.parse(path.read_text("utf-8"))]
    else:
        cues = [
            (c.text, c.start_in_seconds + int(c.start.split(".")[1]) / 1000)
            for c in webvtt.read(str(path)).captions
        ]
    assert cues == [(s["text"], round(s["time"], 3)) for s in speech]


def test_second_export_synthesizes_nothing(
    in_tmp: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the clip cache warm, exporting again never asks the speech engine for a
    text; --no-cache asks again for every one (each once)."""
    from voiceguide.testing import FakeSpeech, installed

    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(in_tmp / "cache"))
    speech = FakeSpeech()
    with installed(speech=speech):
        assert run_cli("export", SHORT, "-o", "a.wav", "-q").exit_code == 0
        said = list(speech.spoken)
        assert said
        assert len(said) == len(set(said))
        assert run_cli("export", SHORT, "-o", "b.wav", "-q").exit_code == 0
        assert speech.spoken == said
        assert run_cli("export", SHORT, "-o", "c.wav", "-q", "--no-cache").exit_code == 0
    assert sorted(speech.spoken[len(said) :]) == sorted(said)
    assert len(speech.opened_for) == 3


def test_default_output_is_audio_folder_mp3(in_tmp: Path, run_cli: RunCli) -> None:
    """Without -o, the guide lands in audio/<routine>.mp3 beside its subtitles."""
    result = run_cli("export", SHORT)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (in_tmp / "audio").iterdir()) == ["short.mp3", "short.srt"]
    assert result.stderr.startswith("wrote audio/short.mp3 and audio/short.srt (")


def test_unknown_extension_lists_the_formats(in_tmp: Path, run_cli: RunCli) -> None:
    """An unsupported extension is refused before any work, as a usage error naming what
    is supported."""
    result = run_cli("export", SHORT, "-o", "guide.aac")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '-o' / '--output': cannot export to 'guide.aac': unknown extension "
        "'.aac'; use one of .wav, .flac, .ogg, .opus, .mp3, .m4b, .m4a, .html"
    )
    assert list(in_tmp.iterdir()) == []


def test_existing_files_are_kept_without_force(in_tmp: Path, run_cli: RunCli) -> None:
    """An existing subtitle file blocks the export too, before anything is written."""
    (in_tmp / "g.srt").write_text("mine", encoding="utf-8")
    result = run_cli("export", SHORT, "-o", "g.wav")
    assert result.exit_code == 1
    assert result.stderr == "voiceguide: error: g.srt already exists; use --force to overwrite it\n"
    assert sorted(p.name for p in in_tmp.iterdir()) == ["g.srt"]


def _run(args: list[str], cwd: Path, **extra: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        **extra,
    )


def test_missing_speech_engine_says_how_to_install_it(tmp_path: Path) -> None:
    """When espeak-ng cannot start: one line with the command that installs it."""
    empty = tmp_path / "no-espeak-data"
    empty.mkdir()
    env = {**os.environ, "ESPEAK_DATA_PATH": str(empty)}
    process = _run(["export", SHORT, "-o", "g.wav", "--no-cache"], tmp_path, env=env)
    assert process.returncode == 1
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("voiceguide: error: ")
    assert "sudo apt-get install espeak-ng" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["no-espeak-data"]


def _limit_file_size(size: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return limit


@pytest.mark.parametrize(
    ("name", "room"), [("g.wav", 300_000), ("g.mp3", 20_000), ("g.m4b", 20_000)]
)
def test_full_disk_leaves_no_file(tmp_path: Path, name: str, room: int) -> None:
    """A write that runs out of room (a size-limited file) is a clear error, from
    libsndfile, LAME's writer and FFmpeg's MP4 muxer alike; nothing is left."""
    process = _run(["export", SHORT, "-o", name], tmp_path, preexec_fn=_limit_file_size(room))
    assert process.returncode == 1, process.stderr
    assert (
        process.stderr == f"voiceguide: error: no space left to write {name}; nothing was written\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_full_tmpfs_leaves_no_file(tmp_path: Path) -> None:
    """The same on a real, tiny tmpfs (needs root to mount; skipped elsewhere)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        process = _run(["export", SHORT, "-o", "disk/g.flac"], tmp_path)
        assert process.returncode == 1, process.stderr
        assert process.stderr == (
            "voiceguide: error: no space left to write disk/g.flac; nothing was written\n"
        )
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_ctrl_c_during_export_exits_130_and_leaves_nothing(tmp_path: Path) -> None:
    """Ctrl-C while the file is being written: exit 130, no target, no temporary file."""
    code, stderr = export_stopped_while_writing(tmp_path, signal.SIGINT)
    assert code == 130
    assert stderr.strip().splitlines()[-1] == "voiceguide: interrupted"
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_opus_needs_an_opus_rate(in_tmp: Path, run_cli: RunCli) -> None:
    """Opus takes 48 kHz (the default for .opus); 44.1 kHz is refused before any work, as a
    usage error, with the rates it takes."""
    result = run_cli("export", SHORT, "-o", "g.opus", "--sample-rate", "44100")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Ogg Opus takes a sample rate of 48000, 24000, 16000, 12000, 8000 Hz, not 44100\n"
    )
    assert [p.name for p in in_tmp.iterdir()] == []


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    """With standard error on a terminal the export draws its progress; -q draws none."""
    import pty

    def run(*extra: str) -> str:
        controller, terminal = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "voiceguide", "export", SHORT, "-o", "g.wav", "--force", *extra],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=terminal,
        )
        os.close(terminal)
        chunks = []
        while True:
            try:
                data = os.read(controller, 4096)
            except OSError:  # the other end closed
                break
            if not data:
                break
            chunks.append(data)
        process.wait(timeout=60)
        os.close(controller)
        assert process.returncode == 0
        return b"".join(chunks).decode("utf-8", "replace")

    shown = run()
    assert "Encoding" in shown
    assert "100%" in shown
    assert run("-q") == ""


def test_16_bit_samples_are_the_floats_rounded(tmp_path: Path) -> None:
    """The exporter's float to 16-bit conversion: clipped to ±1, x 32767, rounded to the
    nearest step; silence stays exactly silent. It is within two steps of libsndfile's own
    conversion."""
    from voiceguide.export.writer import _pcm16

    rng = np.random.default_rng(7)
    blocks = [
        rng.uniform(-1.2, 1.2, (4096, 1)).astype(np.float32),
        rng.normal(0, 1e-4, (4096, 1)).astype(np.float32),
        np.zeros((4096, 1), dtype=np.float32),
        np.array([[1.0], [-1.0], [0.49 / 32767], [-0.51 / 32767], [1.5 / 32767]], np.float32),
    ]
    for number, block in enumerate(blocks):
        converted = _pcm16(block)
        assert converted.dtype == np.int16
        assert converted.shape == block.shape
        exact = np.clip(block.astype(np.float64), -1.0, 1.0) * 32767
        assert np.abs(converted - exact).max() <= 0.5 + 2**-8  # float32 arithmetic
        path = tmp_path / f"{number}.wav"
        soundfile.write(str(path), block, 44_100, subtype="PCM_16")
        theirs, _ = soundfile.read(str(path), dtype="int16", always_2d=True)
        assert np.abs(converted.astype(int) - theirs).max() <= 2
    assert not _pcm16(blocks[2]).any()
    assert _pcm16(blocks[3])[:, 0].tolist() == [32767, -32767, 0, -1, 2]
