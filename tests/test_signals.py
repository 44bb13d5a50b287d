"""SIGTERM and SIGHUP are handled as Ctrl-C is, on real processes: an export removes
its temporary files; a session stops, records where, puts the terminal back and says how
to go on; each exits with 128 + the signal's number.

The processes run with the fake speech and sound (tests.with_fakes), which sends the
signal at a set moment, so each run is the same and takes a moment."""

from __future__ import annotations

import os
import pty
import signal
import termios
from pathlib import Path

import pytest

from tests.with_fakes import ROOT, finish, listing, run, start
from voiceguide.history import History

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
