"""A private PulseAudio server with a null sink, a recorder of its monitor, and the
voiceguide runs the live tests and bench/timing compare recordings with."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

RATE = 44_100
SINK = "voiceguide_test"


class PulseServer:
    """``pulseaudio`` in its own folder with one null sink; clients reach it through
    :attr:`env` (PULSE_SERVER), never the user's own sound server."""

    def __init__(self, folder: Path) -> None:
        if not shutil.which("pulseaudio"):
            raise RuntimeError("pulseaudio is not installed; scripts/setup installs it")
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        socket = folder / "native"
        self.env = {
            **os.environ,
            "PULSE_SERVER": f"unix:{socket}",
            "XDG_RUNTIME_DIR": str(folder),
            "HOME": str(folder),
            "PULSE_COOKIE": str(folder / "cookie"),
        }
        self.log = (folder / "pulseaudio.log").open("w")
        self.process = subprocess.Popen(
            [
                "pulseaudio",
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disable-shm=yes",
                "--high-priority=yes",
                "--realtime=yes",
                "--log-target=stderr",
                "-L",
                f"module-null-sink sink_name={SINK} rate={RATE}",
                "-L",
                f"module-native-protocol-unix auth-anonymous=1 socket={socket}",
            ],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            ready = subprocess.run(
                ["pactl", "info"], env=self.env, capture_output=True, check=False
            )
            if ready.returncode == 0:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pulseaudio did not start; see {folder / 'pulseaudio.log'}")

    def record(self, path: Path) -> Recorder:
        return Recorder(self, path)

    def kill(self) -> None:
        """Kill the server as a crash would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


class Recorder:
    """parec on the null sink's monitor, as mono float32 at 44.1 kHz.

    Ready once parec delivers its first samples: it can take about two seconds to start
    on a busy machine, and a sound played before would lose its beginning."""

    def __init__(self, server: PulseServer, path: Path) -> None:
        self.path = path
        self.handle = path.open("wb")
        self.process = subprocess.Popen(
            [
                "parec",
                f"--device={SINK}.monitor",
                "--format=float32le",
                f"--rate={RATE}",
                "--channels=1",
                "--raw",
                "--latency-msec=20",
            ],
            env=server.env,
            stdout=self.handle,
        )
        deadline = time.monotonic() + 15
        while path.stat().st_size == 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("parec records nothing from the null sink's monitor")
            time.sleep(0.05)
        time.sleep(0.2)

    def stop(self) -> np.ndarray:
        time.sleep(0.3)
        self.process.terminate()
        self.process.wait(timeout=10)
        self.handle.close()
        return np.fromfile(self.path, dtype=np.float32)


def normalized_lag(
    reference: np.ndarray, recording: np.ndarray, around: int, search: int
) -> tuple[int, float]:
    """The lag (in samples, within ±``search``) at which ``recording`` best matches
    ``reference`` placed at ``around``, and the normalized correlation there."""
    best, best_score = 0, -1.0
    energy = float(np.dot(reference, reference))
    for lag in range(-search, search + 1):
        start = around + lag
        if start < 0 or start + len(reference) > len(recording):
            continue
        piece = recording[start : start + len(reference)]
        denominator = np.sqrt(energy * float(np.dot(piece, piece)))
        score = float(np.dot(reference, piece)) / denominator if denominator else 0.0
        if score > best_score:
            best, best_score = lag, score
    return best, best_score


def find_offset(reference: np.ndarray, recording: np.ndarray, seconds: float = 4.0) -> int:
    """Where the reference's first sounding seconds begin in the recording."""
    first = int(np.argmax(np.abs(reference) > 0.01))
    probe = reference[first : first + int(seconds * RATE)]
    size = 1 << (len(recording) + len(probe)).bit_length()
    correlation = np.fft.irfft(
        np.fft.rfft(recording, size) * np.conj(np.fft.rfft(probe, size)), size
    )
    return int(np.argmax(correlation[: len(recording)])) - first


def exact_timeline(routine: str, env: dict[str, str]) -> dict[str, Any]:
    """The exact timeline (the same as played) as JSON; it also fills the clip cache."""
    output = subprocess.run(
        [sys.executable, "-m", "voiceguide", "preview", routine, "--exact", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data: dict[str, Any] = json.loads(output)
    return data


def export_guide(routine: str, target: Path, env: dict[str, str]) -> np.ndarray:
    """Export ``routine`` to the WAV ``target`` and return its samples (mono, at RATE)."""
    subprocess.run(
        [sys.executable, "-m", "voiceguide", "export", routine, "-o", str(target), "-q",
         "--subtitles", "none"],
        env=env,
        check=True,
    )  # fmt: skip
    audio, rate = soundfile.read(str(target), dtype="float32", always_2d=True)
    if rate != RATE:
        raise ValueError(f"the export is at {rate} Hz, not {RATE}")
    mono: np.ndarray = audio.mean(axis=1, dtype=np.float32)
    return mono


def assert_faded_out(recording: Any) -> None:
    """The recording stops with a short fade out of speech, not a click: it was speaking
    50-70 ms before the end, the last 5 ms are under half as loud, the last samples near
    silence."""
    sounding = np.flatnonzero(np.abs(recording) > 1e-4)
    end = int(sounding[-1])

    def rms(first: float, last: float) -> float:
        piece = recording[end - round(first * RATE) : end - round(last * RATE) + 1]
        return float(np.sqrt(np.mean(piece.astype(np.float64) ** 2)))

    assert rms(0.070, 0.020) > 0.02  # it was speaking when stopped
    assert rms(0.005, 0.0) < 0.5 * rms(0.070, 0.020)
    assert np.abs(recording[end - 20 : end + 1]).max() < 0.05
