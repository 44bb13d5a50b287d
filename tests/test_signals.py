"""SIGTERM and SIGHUP are handled as Ctrl-C is, on real processes: an export removes
its temporary files; a session stops, records where, puts the terminal back and says how
to go on; each exits with 128 + the signal's number.

Most processes run with the fake speech and sound (tests.with_fakes), which sends the
signal at a set moment, so each run is the same and takes a moment; the last tests send
it from outside, with the real speech engine, and to a session played through
PulseAudio."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.real_export import export_stopped_while_writing
from tests.with_fakes import ROOT, finish, listing, run, start
from voiceguide.history import History

if TYPE_CHECKING:
    from tests.pulse import PulseServer

SHORT = str(ROOT / "tests" / "data" / "short.yaml")
KEYS = str(ROOT / "tests" / "data" / "keys.yaml")
SIGNALS = [signal.SIGTERM, signal.SIGHUP]


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_a_signal_during_export_leaves_nothing(tmp_path: Path, signum: signal.Signals) -> None:
    """Mid-encoding: exit 128 + N, one line saying which signal, no traceback, and no
    file at all: neither the guide, nor its subtitles, nor a temporary file."""
    process = start(
        ["export", SHORT, "-o", "guide.wav", "-q"],
        tmp_path,
        sends=f"--signal {signum.name} --at-block 3",
    )
    code, _, stderr = finish(process)
    assert code == 128 + signum
    assert stderr == f"voiceguide: stopped by {signum.name}\n"
    assert listing(tmp_path) == []


def test_a_signal_does_not_overwrite_with_force(tmp_path: Path) -> None:
    """With --force over an earlier guide, the earlier one is left as it was."""
    (tmp_path / "guide.wav").write_bytes(b"an earlier guide")
    process = start(
        ["export", SHORT, "-o", "guide.wav", "--force", "--subtitles", "none"],
        tmp_path,
        sends="--signal SIGTERM --at-block 2",
    )
    code, _, _ = finish(process)
    assert code == 128 + signal.SIGTERM
    assert listing(tmp_path) == ["guide.wav"]
    assert (tmp_path / "guide.wav").read_bytes() == b"an earlier guide"


def test_signals_inside_and_outside_the_block() -> None:
    """Inside the block the first SIGTERM raises Stopped (exit code 143, outcome
    terminated) and a second is let go while stopping; a signal ignored before (SIGHUP
    under nohup) stays ignored; after the block each has its handler of before."""
    from voiceguide.signals import Stopped, stopping_on_signals

    def signal_thrice() -> None:
        os.kill(os.getpid(), signal.SIGHUP)  # ignored
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # while stopping: let go
            time.sleep(0.01)

    before_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    before_term = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(Stopped) as stopped, stopping_on_signals():
            signal_thrice()
        assert (stopped.value.name, stopped.value.exit_code) == ("SIGTERM", 143)
        assert stopped.value.reason == "terminated"
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is before_term
    finally:
        signal.signal(signal.SIGHUP, before_hup)


def history_of(data: Path) -> list[tuple[str, float, str | None, bool]]:
    return [
        (r.outcome, r.position, r.stage, r.ended is not None)
        for r in History(data / "history.sqlite3").records()
    ]


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_a_signal_during_play_stops_records_and_says_how_to_go_on(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """30 s into the session (in Stroking, the second stage): it stops, the history
    has where and that a signal stopped it, the last line is the resume hint, and the
    exit status is 128 + N."""
    data = tmp_path / "data"
    process = start(
        ["play", KEYS, "--yes"],
        tmp_path,
        sends=f"--signal {signum.name} --at 30",
        env={"VOICEGUIDE_DATA_DIR": str(data)},
    )
    code, _, stderr = finish(process)
    assert code == 128 + signum
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == (
        f"Stopped by {signum.name}: Stroking at 00:30. To go on from there: "
        f"voiceguide play {KEYS} --start-at 2"
    )
    reason = {signal.SIGTERM: "terminated", signal.SIGHUP: "hung-up"}[signum]
    ((outcome, position, stage, ended),) = history_of(data)
    assert (outcome, stage, ended) == (reason, "Stroking", True)
    assert 30.0 <= position < 30.5  # the fade's few milliseconds after the signal
    shown = run(["history"], tmp_path, {"VOICEGUIDE_DATA_DIR": str(data)})
    assert f"stopped by a signal ({signum.name}" in shown.stdout
    assert "at 00:30 (Stroking)" in shown.stdout


def test_a_signal_during_play_on_a_terminal_puts_it_back(tmp_path: Path) -> None:
    """Playing on a terminal (keys in cbreak mode), SIGTERM: the terminal's settings are
    those it had before."""
    controller, terminal = pty.openpty()
    saved = termios.tcgetattr(controller)
    process = start(
        ["play", KEYS, "--yes"],
        tmp_path,
        sends="--signal SIGTERM --at 30",
        env={"VOICEGUIDE_DATA_DIR": str(tmp_path / "data")},
        stdin=terminal,
    )
    os.close(terminal)
    code, _, stderr = finish(process)
    assert code == 128 + signal.SIGTERM, stderr
    assert "Stopped by SIGTERM: Stroking at 00:30." in stderr
    assert termios.tcgetattr(controller) == saved
    os.close(controller)


def test_a_signal_before_the_session_starts(tmp_path: Path) -> None:
    """SIGTERM while the guide's speech is being made: exit 143 and one line; nothing is
    recorded (no session began)."""
    data = tmp_path / "data"
    process = start(
        ["play", KEYS, "--yes", "--no-cache"],
        tmp_path,
        sends="--signal SIGTERM --at-speech",
        env={"VOICEGUIDE_DATA_DIR": str(data)},
    )
    code, _, stderr = finish(process)
    assert code == 128 + signal.SIGTERM
    assert stderr.splitlines()[-1] == "voiceguide: stopped by SIGTERM"
    assert "Traceback" not in stderr
    assert history_of(data) == []


def test_closing_the_terminal_stops_the_session(tmp_path: Path) -> None:
    """The terminal a session plays on is closed (its window, say): the hang-up comes as
    SIGHUP; the session stops and is recorded as hung up, where it was; exit 129."""
    data = tmp_path / "data"
    controller, terminal = pty.openpty()
    process = start(
        ["play", KEYS, "--yes"],
        tmp_path,
        sends="--own-terminal --signal SIGSTOP --at 30",
        env={"VOICEGUIDE_DATA_DIR": str(data)},
        stdin=terminal,
    )
    os.close(terminal)
    try:
        _, status = os.waitpid(process.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)
    finally:
        os.close(controller)  # the hang-up: SIGHUP, and SIGCONT to go on and handle it
    code, _, stderr = finish(process)
    assert code == 128 + signal.SIGHUP, stderr
    assert stderr.splitlines()[-1].startswith("Stopped by SIGHUP: Stroking at 00:30.")
    ((outcome, position, stage, ended),) = history_of(data)
    assert (outcome, stage, ended) == ("hung-up", "Stroking", True)
    assert 30.0 <= position < 30.5


@pytest.mark.audio
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_a_signal_during_a_real_export_leaves_nothing(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """With the real speech engine, the signal from outside while the file is written:
    exit 128 + N, the one line, no file left."""
    code, stderr = export_stopped_while_writing(tmp_path, signum)
    assert code == 128 + signum
    assert stderr.strip().splitlines()[-1] == f"voiceguide: stopped by {signum.name}"
    assert "Traceback" not in stderr
    assert listing(tmp_path) == []


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    from tests.pulse import PulseServer

    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    yield server
    server.stop()


@pytest.mark.audio
@pytest.mark.pulse
def test_sigterm_during_live_play_fades_records_and_hints(
    pulse: PulseServer, tmp_path: Path
) -> None:
    """SIGTERM while a sentence is being spoken, played through PulseAudio: the sound
    fades out as for Ctrl-C, the history has the session stopped by the signal where it
    was, the resume hint is the last line, exit 143."""
    from tests.pulse import assert_faded_out
    from tests.test_play import AS_RUN, wait_for_line

    data = tmp_path / "data"
    recorder = pulse.record(tmp_path / "term.raw")
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", KEYS, "--yes"],
        env={**pulse.env, "VOICEGUIDE_DATA_DIR": str(data)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(process, " left · Warm up")
        time.sleep(4.0)  # well inside Warm up's continuous sentences
        process.send_signal(signal.SIGTERM)
        _, text = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    recording = recorder.stop()
    assert process.returncode == 128 + signal.SIGTERM, text
    assert "Traceback" not in text
    assert text.splitlines()[-1].startswith("Stopped by SIGTERM: Warm up at 00:0")
    assert text.splitlines()[-1].endswith(f"To go on from there: {AS_RUN} play {KEYS} --start-at 1")
    ((outcome, position, stage, ended),) = history_of(data)
    assert (outcome, stage, ended) == ("terminated", "Warm up", True)
    assert 3.0 < position < 10.0
    assert_faded_out(recording)
