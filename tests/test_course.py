"""Courses of sessions, a painful side, the safety question and the session history."""

from __future__ import annotations

import multiprocessing
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import RunCli
from voiceguide.adapt import for_session, with_painful_side
from voiceguide.compiler import compile_routine
from voiceguide.history import History
from voiceguide.load import load_routine
from voiceguide.model.script import Segment

COURSE = str(Path(__file__).parent / "data" / "course.yaml")


@pytest.fixture(autouse=True)
def private_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test has its own history file."""
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "history.sqlite3"


def test_neck_course_grows_from_a_short_first_session() -> None:
    """Neck routine: session 1 lasts 5-7 minutes, the last at least 10, and no session is
    shorter than the one before (the guidance: 5-7 minutes at first, 10-12 by the end)."""
    routine = load_routine("neck")
    assert routine.course is not None
    lengths = [
        compile_routine(for_session(routine, routine.course, n)).duration
        for n in range(1, routine.course.sessions + 1)
    ]
    assert 5 * 60 <= lengths[0] <= 7 * 60
    assert lengths[-1] >= 10 * 60
    assert lengths == sorted(lengths)


def test_first_sessions_are_sparing() -> None:
    """The sparing sessions say to keep the pressure light; later sessions do not."""
    routine = load_routine(COURSE)
    assert routine.course is not None
    first = compile_routine(for_session(routine, routine.course, 1))
    later = compile_routine(for_session(routine, routine.course, 2))
    sparing = routine.phrases["sparing"]
    assert sparing in [s.text for s in first.speech()]
    assert sparing not in [s.text for s in later.speech()]
    assert first.title == "Course check, session 1 of 3"


@pytest.mark.parametrize(("painful", "healthy"), [("left", "right"), ("right", "left")])
def test_painful_side_comes_second_and_gentler(painful: str, healthy: str) -> None:
    """Every stage done on both sides starts with the healthy side; the painful side's
    part is shorter by the stage's painful_scale, begins with a reminder to press more
    lightly, and the stage keeps its length."""
    routine = load_routine("neck")
    plain = compile_routine(routine)
    script = compile_routine(with_painful_side(routine, painful))
    note = routine.phrases["painful_side"]
    sided: dict[int | None, list[Segment]] = {}
    for segment in script.stages:
        if segment.side:
            sided.setdefault(segment.stage_number, []).append(segment)
    assert sided
    for parts in sided.values():
        assert [p.side for p in parts] == [healthy, painful]
        first, second = parts
        spoken = [s.text for s in script.speech() if s.segment == second.index]
        assert note in spoken
        assert note not in [s.text for s in script.speech() if s.segment == first.index]
        assert second.duration < first.duration + 3.0  # the switch pause is in the second
    stage_lengths = {n: sum(p.duration for p in parts) for n, parts in sided.items()}
    plain_lengths: dict[int | None, float] = {}
    for segment in plain.stages:
        if segment.side:
            plain_lengths[segment.stage_number] = (
                plain_lengths.get(segment.stage_number, 0) + segment.duration
            )
    assert stage_lengths == pytest.approx(plain_lengths)
    intro = [s.text for s in script.speech() if s.role == "intro"]
    assert routine.phrases["painful_intro"].format(side=painful) in intro


def test_painful_side_unknown_to_the_routine_warns(tmp_path: Path) -> None:
    """A routine with no stage on that side says --painful-side changes nothing."""
    path = tmp_path / "r.yaml"
    path.write_text(
        "voiceguide: 1\ntitle: T\nstages:\n  - {name: A, duration: 30s}\n", encoding="utf-8"
    )
    script = compile_routine(with_painful_side(load_routine(path), "left"))
    assert [w.message for w in script.warnings] == [
        "no stage of this routine is done on the left side; --painful-side changes nothing"
    ]


def test_preview_session_and_painful_side_options(run_cli: RunCli) -> None:
    """preview --session N --painful-side S shows that session with the healthy side first."""
    result = run_cli("preview", COURSE, "--session", "1", "--painful-side", "left")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Course check, session 1 of 3 (")
    rubbing = [line for line in lines if "▶ Rubbing" in line]
    assert "(right)" in rubbing[0]
    assert "(left)" in rubbing[1]


def test_session_out_of_the_course_is_a_usage_error(run_cli: RunCli) -> None:
    """A session the course does not have is refused with the range, exit 2."""
    result = run_cli("preview", COURSE, "--session", "4")
    assert result.exit_code == 2
    assert "'4' is not a session of this course: use 1 to 3" in result.stderr
    no_course = run_cli("preview", "desk-break", "--session", "1")
    assert no_course.exit_code == 2
    assert "this routine has no course of sessions" in no_course.stderr


def test_history_records_and_next_session(private_history: Path, run_cli: RunCli) -> None:
    """Finished sessions count towards the course; `history` shows them and what is next."""
    store = History()
    one = store.start("course-key", "Course check, session 1 of 3", 1, 100.0)
    store.finish(one, "finished", 100.0, "End")
    two = store.start("course-key", "Course check, session 2 of 3", 2, 150.0)
    store.finish(two, "quit", 42.0, "Rubbing (left)")
    assert store.completed_sessions("course-key") == 1
    records = store.records("course-key")
    assert [(r.session, r.outcome, r.completed) for r in records] == [
        (1, "finished", True),
        (2, "quit", False),
    ]
    result = run_cli("history")
    assert result.exit_code == 0
    assert "Course check, session 2 of 3" in result.stdout
    assert "stopped with the q key at 00:42 (Rubbing (left))" in result.stdout


def _record_many(path: str, worker: int) -> None:
    os.environ["VOICEGUIDE_DATA_DIR"] = path
    store = History()
    for _ in range(40):
        record = store.start("shared", f"player {worker}", None, 10.0)
        store.progress(record, 5.0, "Stroking")
        store.finish(record, "finished", 10.0, "End")


def test_two_players_at_once_both_record(private_history: Path) -> None:
    """Two processes writing the history at the same time lose nothing."""
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_record_many, args=(str(private_history.parent), n)) for n in (1, 2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    records = History().records("shared")
    assert len(records) == 80
    assert all(r.outcome == "finished" for r in records)


def _record_at(path: str, start: float) -> None:
    os.environ["VOICEGUIDE_DATA_DIR"] = path
    store = History()
    while time.time() < start:
        pass
    for _ in range(3):
        store.finish(store.start("shared", "player", None, 10.0), "finished", 10.0, "End")


def test_players_creating_a_new_history_at_once_all_record(tmp_path: Path) -> None:
    """Several players that create the same new history file at the same moment all record
    (none takes the others' lock for a damaged file)."""
    context = multiprocessing.get_context("fork")
    for round_number in range(16):
        folder = tmp_path / str(round_number)
        start = time.time() + 0.15
        players = [context.Process(target=_record_at, args=(str(folder), start)) for _ in range(6)]
        for player in players:
            player.start()
        for player in players:
            player.join(timeout=60)
        assert [p.exitcode for p in players] == [0] * 6
        assert len(History(folder / "history.sqlite3").records("shared")) == 18


def test_a_killed_player_leaves_its_session_recorded(
    private_history: Path, run_cli: RunCli
) -> None:
    """A process killed mid-session (SIGKILL: no clean-up at all) leaves its row, marked as
    having no end, with how far it got."""
    code = (
        "import os, signal\n"
        "from voiceguide.history import History\n"
        "h = History()\n"
        "r = h.start('killed', 'Killed session', None, 600.0)\n"
        "h.progress(r, 75.0, 'Kneading (left)')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    process = subprocess.run([sys.executable, "-c", code], env=os.environ.copy(), check=False)
    assert process.returncode == -signal.SIGKILL
    (record,) = History().records("killed")
    assert record.ended is None
    assert record.position == 75.0
    result = run_cli("history")
    assert "Killed session" in result.stdout
    assert "stopped (no end recorded) at 01:15 (Kneading (left))" in result.stdout


def test_a_corrupt_history_is_reported_and_left_alone(
    private_history: Path, run_cli: RunCli
) -> None:
    """A damaged file: a clear error, and the file is neither overwritten nor deleted."""
    private_history.parent.mkdir(parents=True)
    garbage = b"this is not a database\n" * 100
    private_history.write_bytes(garbage)
    result = run_cli("history")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"voiceguide: error: the history file {private_history} is damaged ("
    )
    assert "it was left as it is: move it away to start a new history" in result.stderr
    assert private_history.read_bytes() == garbage
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(private_history).execute("SELECT * FROM sessions").fetchall()


def test_acute_pain_answer_gives_advice_not_a_session(tmp_path: Path) -> None:
    """On a terminal, answering that a contraindication applies (acute pain) ends with
    advice not to self-massage now, exit 1, and nothing is played."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "play", COURSE],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/none"},
    )
    os.close(terminal)
    os.write(controller, b"y\n")
    _, stderr = process.communicate(timeout=30)
    os.close(controller)
    assert process.returncode == 1
    assert "acute pain or an exacerbation" in stderr
    assert "Does any of these apply to you now?" in stderr
    # (the typed answer echoes on the terminal, so the advice follows the prompt's line)
    assert "voiceguide: not now: do not self-massage" in stderr.strip().splitlines()[-1]
