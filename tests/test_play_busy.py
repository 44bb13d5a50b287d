"""`voiceguide play` on a busy machine: the recording of the sound server's monitor, lined
up with the exported guide window by window (tests/alignment.py), loses no word, and
every cue comes on time.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.alignment import Window, describe, line_up, lost_speech
from tests.pulse import RATE, SoundServer, exact_timeline, export_guide

pytestmark = [pytest.mark.audio, pytest.mark.pulse]

DATA = Path(__file__).parent / "data"
TWO_MINUTES = str(DATA / "two-minutes.yaml")
KEYS = str(DATA / "keys.yaml")
TOLERANCE = round(0.002 * RATE)  # 2 ms
BUSY = "while True: pass"


@pytest.fixture
def busy_machine() -> Iterator[None]:
    """Two processes that keep both cores busy for as long as the test runs."""
    spinners = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def record_play(
    pulse: SoundServer, routine: str, recording: Path, stall_after: float | None = None
) -> tuple[np.ndarray, str]:
    """Play ``routine`` to its end while recording the sink; with ``stall_after``, the
    whole process is frozen for 0.4 s (SIGSTOP) that many seconds after it first shows
    its status: the device runs dry and plays silence of its own meanwhile."""
    recorder = pulse.record(recording)
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", routine, "--yes"],
        env=pulse.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if stall_after is not None:
            assert process.stderr is not None
            line = "playing?"
            while line and " left · " not in line:  # (the end of the output: no more lines)
                line = process.stderr.readline()
            time.sleep(stall_after)
            process.send_signal(signal.SIGSTOP)
            time.sleep(0.4)
            process.send_signal(signal.SIGCONT)
        _, text = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, text
    return recorder.stop(), text


def cues_and_speech(windows: list[Window], timeline: dict[str, Any]) -> list[Window]:
    """The windows of speech and each cue's first window: later windows of a ringing
    tone repeat its period, so lining them up finds one period off as well (a
    PipeWire run matched three of a cue's windows 54.67 ms early, its first on time)."""
    starts = [e["time"] for e in timeline["events"] if e["kind"] == "tone"]
    return [
        w
        for w in windows
        if w.kind == "speech" or any(abs(w.time - start) < 0.01 for start in starts)
    ]


def test_a_whole_routine_on_a_busy_machine_loses_no_word(
    pulse: SoundServer, tmp_path: Path, busy_machine: None
) -> None:
    """Two minutes played while two busy processes load both cores: every window of
    speech in the export is in the recording, every cue within 2 ms of its time, and
    whatever stalled is made up by the end (no offset left; after a stall on PipeWire,
    within what it reports of the time lost); when nothing stalled, every window is
    within 2 ms, from the first to the last (no gap, no drift)."""
    reference = export_guide(TWO_MINUTES, tmp_path / "guide.wav", pulse.env)
    timeline = exact_timeline(TWO_MINUTES, pulse.env)
    recording, text = record_play(pulse, TWO_MINUTES, tmp_path / "busy.raw")
    windows = line_up(reference, recording, timeline)
    assert len(windows) > 100
    assert lost_speech(windows) == [], describe(lost_speech(windows))
    tolerance = TOLERANCE if "stalled" not in text else round(pulse.after_stall * RATE)
    cues = [w for w in cues_and_speech(windows, timeline) if w.kind == "tone"]
    assert len(cues) == sum(e["kind"] == "tone" for e in timeline["events"])
    late_cues = [w for w in cues if abs(w.lag) > tolerance]
    assert late_cues == [], f"{text}\n{describe(late_cues)}"
    last = [w for w in windows if w.time > windows[-1].time - 10]
    assert all(abs(w.lag) <= tolerance for w in last), describe(last)
    assert text.strip().endswith("Session complete. Rest for a few minutes before you get up.")
    if "stalled" in text:
        assert "no word lost" in text
    elif "ran short" not in text:
        assert all(abs(w.lag) <= TOLERANCE for w in windows), describe(windows)


def test_a_stall_mid_sentence_is_heard_whole_and_the_next_cue_is_on_time(
    pulse: SoundServer, tmp_path: Path
) -> None:
    """The whole process is frozen for 0.4 s mid-sentence (as a machine too busy to run
    it would), about 7 s before the pause after the stage's last sentence: the rest of the
    sentence is heard whole, late by the stall (and by what the device held, played
    again); the pause is shorter by as much, so the next cue and everything after is where
    the exported guide has it, within 2 ms on PulseAudio (within what PipeWire reports of
    the time lost: :attr:`tests.pipewire.PipeWireServer.after_stall`); and play says so."""
    reference = export_guide(KEYS, tmp_path / "keys.wav", pulse.env)
    timeline = exact_timeline(KEYS, pulse.env)
    recording, text = record_play(pulse, KEYS, tmp_path / "stall.raw", stall_after=14.0)
    windows = line_up(reference, recording, timeline)
    assert lost_speech(windows) == [], describe(lost_speech(windows))
    tolerance = round(pulse.after_stall * RATE)
    late = [w for w in windows if w.lag > tolerance]
    assert late, "the stall made nothing late"
    assert min(w.lag for w in late) > RATE // 10, describe(late)  # late by the stall
    before = windows[windows.index(late[0]) - 1]
    assert (before.kind, late[0].kind) == ("speech", "speech"), describe(windows)
    assert late[0].time - before.time < 0.6, describe(windows)  # the stall was mid-sentence
    cue = next(e for e in timeline["events"] if e["kind"] == "tone" and e["time"] > late[0].time)
    assert all(w.time < cue["time"] for w in late), describe(late)  # made up before it
    on_time = [w for w in cues_and_speech(windows, timeline) if w.time >= cue["time"]]
    assert len(on_time) > 20
    assert all(abs(w.lag) <= tolerance for w in on_time), describe(on_time)
    assert "no word lost" in text
