"""`voiceguide play` against real sound servers with a null sink: PulseAudio, and
PipeWire through its PulseAudio server; each live test runs on both.

Each test plays through PortAudio into the sink, records the sink's monitor, and checks
the recording against the exported guide of the same routine.
"""

from __future__ import annotations

import itertools
import os
import pty
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.pulse import (
    RATE,
    SoundServer,
    assert_faded_out,
    exact_timeline,
    export_guide,
)
from tests.sound_servers import SERVERS
from tests.terminal_keys import press, read_until
from voiceguide.history import History

pytestmark = [pytest.mark.audio, pytest.mark.pulse]

AS_RUN = f"{Path(sys.executable).name} -m voiceguide"
"""How the hints name the command, run as these tests run it."""
DATA = Path(__file__).parent / "data"
TWO_MINUTES = str(DATA / "two-minutes.yaml")
SHORT = str(DATA / "short.yaml")
KEYS = str(DATA / "keys.yaml")
TOLERANCE = round(0.002 * RATE)  # 2 ms


def wait_for_line(process: subprocess.Popen[str], wanted: str, timeout: float = 60) -> list[str]:
    """Read the process's stderr until a line containing ``wanted`` (playback has begun)."""
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        if wanted in line:
            return lines
    raise AssertionError(f"never saw {wanted!r}: {''.join(lines)}")


def spawn_on_terminal(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """Start voiceguide with a pseudo-terminal as its standard input (keys go there)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", *args],
        env=env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(terminal)
    return process, controller


class Locator:
    """Finds where a short piece of audio best matches in a reference (normalized
    cross-correlation by FFT, the reference transformed once)."""

    def __init__(self, reference: np.ndarray, piece_size: int) -> None:
        self.reference = reference.astype(np.float64)
        self.piece_size = piece_size
        self.size = 1 << (len(reference) + piece_size).bit_length()
        self.spectrum = np.fft.rfft(self.reference, self.size)
        squares = np.concatenate(([0.0], np.cumsum(self.reference**2)))
        self.energy = squares[piece_size:] - squares[:-piece_size]

    def find(self, piece: np.ndarray) -> tuple[int, float]:
        raw = np.fft.irfft(self.spectrum * np.conj(np.fft.rfft(piece, self.size)), self.size)
        raw = raw[: len(self.energy)]
        score = raw / np.sqrt(np.maximum(self.energy, 1e-12) * float(np.dot(piece, piece)))
        at = int(np.argmax(score))
        return at, float(score[at])


def map_windows(
    reference: np.ndarray, recording: np.ndarray, size: int
) -> list[tuple[float, int, float]]:
    """For each sounding window of the recording: (time in the recording, where it
    best matches in the reference, how well: normalized correlation)."""
    locate = Locator(reference, size)
    found = []
    for start in range(0, len(recording) - size, size):
        piece = recording[start : start + size].astype(np.float64)
        if np.abs(piece).max() < 0.02:
            continue
        at, score = locate.find(piece)
        found.append((start / RATE, at, score))
    return found


def spoken_ranges(timeline: dict[str, Any], size: int) -> list[tuple[int, int]]:
    """Where a window of ``size`` lies wholly inside a sentence of the timeline and clear
    of every cue sound (samples): only such a window says where in the guide it is, as
    every sentence is said once while the cue sounds are the same at every stage (and a
    stage-start chime rings on into the first words)."""
    tones = [
        (round(e["time"] * RATE), round((e["time"] + e["duration"]) * RATE))
        for e in timeline["events"]
        if e["kind"] == "tone"
    ]
    ranges = []
    for e in timeline["events"]:
        if e["kind"] != "speech" or e["duration"] <= 0.5:
            continue
        allowed = [(round(e["time"] * RATE), round((e["time"] + e["duration"]) * RATE) - size)]
        for start, end in tones:  # window starts in (start - size, end) would hear the tone
            allowed = [
                piece
                for first, last in allowed
                for piece in ((first, min(last, start - size)), (max(first, end), last))
                if piece[0] <= piece[1]
            ]
        ranges += allowed
    return ranges


def test_keys_pause_skip_and_quit(pulse: SoundServer, tmp_path: Path) -> None:
    """On a terminal: n skips the rest of a stage, space pauses and resumes with "get
    ready" and then goes on where it paused, q quits and says how to go on; the
    terminal is left as it was. Checked on the recorded sound."""
    reference = export_guide(KEYS, tmp_path / "keys.wav", pulse.env)
    timeline = exact_timeline(KEYS, pulse.env)
    starts = {s["name"]: s["start"] for s in timeline["stages"]}
    stroking = round(starts["Stroking"] * RATE)
    rubbing = round(starts["Rubbing"] * RATE)
    size = RATE // 4
    spoken = spoken_ranges(timeline, size)
    recorder = pulse.record(tmp_path / "keys.raw")
    process, controller = spawn_on_terminal(["play", KEYS, "--yes"], pulse.env)
    saved = termios.tcgetattr(controller)
    assert process.stderr is not None
    wait_for_line(process, " left · Warm up")
    time.sleep(4.0)
    os.write(controller, b"n")  # skip the rest of Warm up
    time.sleep(6.0)
    os.write(controller, b" ")  # pause in the middle of Stroking's sentences
    time.sleep(3.0)
    os.write(controller, b" ")  # resume: get ready, 3, 2, 1
    time.sleep(9.0)
    os.write(controller, b"q")
    _, rest = process.communicate(timeout=20)
    recording = recorder.stop()
    assert process.returncode == 0, rest
    assert "Stopped: Stroking at " in rest
    assert f"{AS_RUN} play {KEYS} --start-at 2" in rest
    assert termios.tcgetattr(controller) == saved  # the terminal is restored
    os.close(controller)

    windows = map_windows(reference, recording, size)
    matched = [
        (t, at) for t, at, score in windows if score > 0.98 and any(a <= at <= b for a, b in spoken)
    ]
    warm_up = [(t, at) for t, at in matched if at < stroking]
    body = [(t, at) for t, at in matched if stroking <= at < rubbing]
    # The skip: part of Warm up is heard, then Stroking from its start; the end of
    # Warm up never is.
    assert warm_up
    assert body
    assert max(t for t, _ in warm_up) < min(t for t, _ in body)
    assert max(at for _, at in warm_up) < stroking - 8 * RATE
    first_words = min(a for a, _ in spoken if a >= stroking)
    assert min(at for _, at in body) < first_words + RATE // 2  # from its first sentence
    # The pause: one gap of over 3 s (the pause, then "get ready" and the countdown)
    # inside Stroking, after which it goes on where it stopped.
    gaps = [(a, b) for (a, _), (b, _) in itertools.pairwise(body) if b - a > 3.0]
    assert len(gaps) == 1, gaps
    paused, resumed = gaps[0]
    before_at = max(at for t, at in body if t <= paused)
    resume_at = min(at for t, at in body if t >= resumed)
    assert 0 <= resume_at - before_at < round(1.5 * RATE)
    # "Get ready", which is not in the guide, sounded in the gap.
    assert [t for t, _, score in windows if paused < t < resumed and score < 0.9]


def test_questions_around_a_session_on_a_terminal(pulse: SoundServer, tmp_path: Path) -> None:
    """On a terminal, play asks the pain before the session (one key, no Enter), plays,
    takes q from the same terminal, then asks the pain after; the answers are kept with
    the session and the terminal is left as it was."""
    env = {k: v for k, v in pulse.env.items() if k != "NO_COLOR"}  # the stage shows bold
    env["VOICEGUIDE_DATA_DIR"] = str(tmp_path / "data")
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", KEYS],
        env=env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
    )
    os.close(terminal)
    saved = termios.tcgetattr(controller)
    seen = bytearray()
    try:
        assert read_until(controller, "before the session", seen, timeout=60)
        press(controller, b"7", "Warm up\x1b[22m", seen)  # the stage playing, not next
        time.sleep(2.0)
        os.write(controller, b"q")
        assert read_until(controller, "after the session", seen)
        press(controller, b"4", "Stopped: Warm up at ", seen)
        process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, seen.decode(errors="replace")
    assert termios.tcgetattr(controller) == saved
    os.close(controller)
    (record,) = History(tmp_path / "data" / "history.sqlite3").records()
    assert (record.outcome, record.pain_before, record.pain_after) == ("quit", 7, 4)


def play_keys_routine(
    pulse: SoundServer, recording: Path, act: Callable[[subprocess.Popen[str]], None]
) -> tuple[np.ndarray, int, str]:
    """Play the keys routine (not on a terminal) while recording the sink; once Warm up
    is playing, ``act`` on the process; then the recording, exit status and stderr."""
    recorder = pulse.record(recording)
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", KEYS, "--yes"],
        env=pulse.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(process, " left · Warm up")
        act(process)
        _, text = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return recorder.stop(), process.returncode, text


def test_ctrl_c_stops_with_a_fade(pulse: SoundServer, tmp_path: Path) -> None:
    """Ctrl-C while a sentence is being spoken: exit 130, a message saying where, no
    traceback, and the sound fades out (it dies away over the last milliseconds and ends
    at silence, where a cut would stop mid-word)."""

    def interrupt(process: subprocess.Popen[str]) -> None:
        time.sleep(4.0)  # well inside Warm up's continuous sentences
        process.send_signal(signal.SIGINT)

    recording, code, text = play_keys_routine(pulse, tmp_path / "interrupt.raw", interrupt)
    assert code == 130
    assert "Traceback" not in text
    assert "Interrupted: Warm up at " in text
    assert f"{AS_RUN} play {KEYS} --start-at 1" in text
    assert_faded_out(recording)


def test_no_output_device(tmp_path: Path) -> None:
    """Without any output: one line that says so and suggests export; exit 1."""
    env = {
        **os.environ,
        "PULSE_SERVER": f"unix:{tmp_path}/nothing-here",
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    process = subprocess.run(
        [sys.executable, "-m", "voiceguide", "play", SHORT, "--yes"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1
    assert process.stderr.splitlines()[-1] == (
        "voiceguide: error: no audio output device found; "
        f"export the guide instead: {AS_RUN} export {SHORT}"
    )
    assert "Traceback" not in process.stderr


@pytest.mark.parametrize("name", SERVERS)
def test_killing_the_sound_server_mid_session(name: str, tmp_path: Path) -> None:
    """The sound server dies while playing: a clean message with where it stopped and
    how to go on, exit 1, no traceback."""
    server = SERVERS[name](tmp_path / "doomed")
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "voiceguide", "play", TWO_MINUTES, "--yes"],
            env=server.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            lines = wait_for_line(process, " left · Stroking")
            server.kill()
            _, rest = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    finally:
        server.stop()
    text = "".join(lines) + rest
    assert process.returncode == 1, text
    assert "Traceback" not in text
    last = text.strip().splitlines()[-1]
    assert last.startswith("voiceguide: error: the audio output stopped working (")
    assert f"to go on from there: {AS_RUN} play {TWO_MINUTES}" in last


def test_devices_lists_the_sink(pulse: SoundServer) -> None:
    """`voiceguide devices` lists the outputs PortAudio sees, the default marked."""
    process = subprocess.run(
        [sys.executable, "-m", "voiceguide", "devices"],
        env=pulse.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert any(line.startswith("*") for line in process.stdout.splitlines())
