"""The test sound servers' common part and a private PulseAudio server with a null sink,
a recorder of its monitor, and the voiceguide runs the live tests and bench/timing
compare recordings with. The PipeWire server is in ``tests/pipewire.py``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import soundfile

RATE = 44_100
SINK = "voiceguide_test"


class SoundServer:
    """A sound server of the test's own in ``folder``, with one null sink (:data:`SINK`,
    the default) that clients reach through :attr:`env` with the PulseAudio protocol
    (PULSE_SERVER at ``socket``), never the user's own server. Its processes' output goes
    to log files in the folder; subclasses start them."""

    name = "the sound server"
    after_stall = 0.002
    """How close to its time the guide is once a stall is made up, in seconds: as close
    as the server reports the time it lost (PulseAudio's report was exact to a few
    frames in every stall measured)."""

    def __init__(self, folder: Path, socket: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "PULSE_SERVER": f"unix:{socket}",
            "XDG_RUNTIME_DIR": str(folder),
            "HOME": str(folder),
            "PULSE_COOKIE": str(folder / "cookie"),
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[TextIO] = []

    def start(self, *command: str) -> None:
        """Start one of the server's processes, its output to ``<program>.log``."""
        log = (self.folder / f"{Path(command[0]).name}.log").open("w")
        self.logs.append(log)
        self.processes.append(subprocess.Popen(command, env=self.env, stdout=log, stderr=log))

    def wait_until(self, ready: Callable[[], bool], seconds: float = 15) -> None:
        """Wait until ``ready()``; if a process ends or time runs out first, stop and
        raise a RuntimeError naming the log files."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            if any(process.poll() is not None for process in self.processes):
                break
            time.sleep(0.1)
        self.stop()
        logs = ", ".join(log.name for log in self.logs)
        raise RuntimeError(f"{self.name} did not start; see {logs}")

    def sink_is_default(self) -> bool:
        """Whether a client is answered, with the null sink as the default sink."""
        answer = subprocess.run(
            ["pactl", "get-default-sink"], env=self.env, capture_output=True, check=False
        )
        return answer.returncode == 0 and answer.stdout.decode().strip() == SINK

    def record(self, path: Path) -> Recorder:
        return Recorder(self, path)

    def kill(self) -> None:
        """Kill the server as a crash would."""
        for process in self.processes:
            process.send_signal(signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=10)

    def stop(self) -> None:
        """End its processes, the last started first."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        for log in self.logs:
            log.close()


class PulseServer(SoundServer):
    """``pulseaudio`` with the null sink at 44.1 kHz."""

    name = "pulseaudio"

    def __init__(self, folder: Path) -> None:
        if not shutil.which("pulseaudio"):
            raise RuntimeError("pulseaudio is not installed; scripts/setup installs it")
        socket = folder / "native"
        super().__init__(folder, socket)
        self.start(
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
        )
        self.wait_until(self.sink_is_default)


class Recorder:
    """parec on the null sink's monitor, as mono float32 at 44.1 kHz: the mean of its two
    channels, as the export's mono is (the servers' own downmixes differ: PipeWire's is
    3 dB louder).

    Ready once parec delivers its first samples: it can take about two seconds to start
    on a busy machine, and a sound played before would lose its beginning."""

    def __init__(self, server: SoundServer, path: Path) -> None:
        self.path = path
        self.handle = path.open("wb")
        self.process = subprocess.Popen(
            [
                "parec",
                f"--device={SINK}.monitor",
                "--format=float32le",
                f"--rate={RATE}",
                "--channels=2",
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
        samples = np.fromfile(self.path, dtype=np.float32)
        mono: np.ndarray = samples[: len(samples) // 2 * 2].reshape(-1, 2).mean(axis=1)
        return mono


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
