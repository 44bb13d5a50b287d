"""The questions play asks for the patient's own record (pain before and after, and from
the third session of a course better, the same or worse), what is kept, and the
guidance's advice when things are not better:

    "If after three or more sessions the patient has not felt any improvement or even the
    condition has worsened, albeit slightly, it is better to change the specialist."
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.terminal_keys import press, read_until
from voiceguide.cli import cli
from voiceguide.course_review import GUIDANCE
from voiceguide.history import History, SessionRecord
from voiceguide.testing import (
    FakeAnswers,
    FakeClock,
    FakeDisplay,
    FakeKeys,
    FakeOutput,
    FakeSpeech,
    installed,
)
from voiceguide.testing.play import FAKE_DEVICES

DATA = Path(__file__).parent / "data"
SHORT = str(DATA / "short.yaml")
COURSE = str(DATA / "course.yaml")
"""A course of three sessions."""

PASSAGE = (
    "If after three or more sessions the patient has not felt any improvement or even the "
    "condition has worsened, albeit slightly, it is better to change the specialist."
)
"""The guidance's words, as the project's domain texts have them."""
STOP = "Stop this course and see your doctor or a massage specialist."
BEFORE = "Pain now, before the session, from 0 (none) to 10 (the worst)? "
AFTER = "Pain now, after the session, from 0 (none) to 10 (the worst)? "
FEELING = "Since the course began, are things better, the same or worse? "


@pytest.fixture(autouse=True)
def private_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "history.sqlite3"


def _play(
    *args: str,
    answers: FakeAnswers | None,
    keys: Sequence[tuple[float, str]] = (),
    clock: FakeClock | None = None,
    devices: Sequence[str] = FAKE_DEVICES,
) -> Result:
    """Run ``voiceguide play ARGS`` with every part faked; the patient answers the
    questions with ``answers`` (None: none installed, as on a real machine)."""
    clock = clock or FakeClock()
    with installed(
        speech=FakeSpeech(),
        output=FakeOutput(clock, names=devices),
        clock=clock,
        keys=FakeKeys(clock, keys),
        display=FakeDisplay(),
        answers=answers,
    ):
        return CliRunner().invoke(cli, ["play", *args], catch_exceptions=False)


def _records(routine: str) -> list[SessionRecord]:
    return History().records(str(Path(routine).resolve()))


def _answers(routine: str) -> list[tuple[int | None, int | None, int | None, str | None]]:
    return [(r.session, r.pain_before, r.pain_after, r.feeling) for r in _records(routine)]


def test_the_advice_quotes_the_guidance_word_for_word() -> None:
    """The passage shown is the guidance's own."""
    assert GUIDANCE == PASSAGE


def test_pain_before_and_after_are_asked_and_kept() -> None:
    """Before the session (after the safety list, once the guide is ready to play) and
    after it, the pain is asked, one key each; the answers are kept with the session. A routine with no course is not
    asked how things are since the course began."""
    answers = FakeAnswers(["6", "3"])
    result = _play(SHORT, answers=answers)
    assert result.exit_code == 0, result.stderr
    assert answers.read == ["6", "3"]
    assert _answers(SHORT) == [(None, 6, 3, None)]
    stderr = result.stderr
    assert f"{BEFORE}(press 0-9, t for 10, Enter to skip) 6\n" in stderr
    assert f"{AFTER}(press 0-9, t for 10, Enter to skip) 3\n" in stderr
    assert stderr.index("Stop at once if you feel any of these:") < stderr.index(BEFORE)
    assert stderr.index(AFTER) < stderr.index("Session complete.")
    assert FEELING not in stderr


def test_no_question_when_the_session_cannot_be_played() -> None:
    """With no sound output the session cannot start: that is said, and the pain is not
    asked first (the question comes once the guide is ready to play)."""
    answers = FakeAnswers(["6", "3"])
    result = _play(SHORT, answers=answers, devices=())
    assert result.exit_code == 1
    assert "no audio output" in result.stderr
    assert answers.read == []
    assert _records(SHORT) == []


def test_ten_is_t_other_keys_are_asked_again_and_enter_skips() -> None:
    """t gives 10; a key that is no answer shows the keys again and waits; Enter skips
    (nothing is kept)."""
    answers = FakeAnswers(["x", "1", "\r"])
    result = _play(SHORT, answers=answers)
    assert result.exit_code == 0, result.stderr
    assert answers.read == ["x", "1", "\r"]
    assert _answers(SHORT) == [(None, 1, None, None)]
    assert "Enter to skip) \n  press 0-9, t for 10, Enter to skip: 1\n" in result.stderr
    assert f"{AFTER}(press 0-9, t for 10, Enter to skip) skipped\n" in result.stderr
    ten = FakeAnswers(["T", "\x1b"])  # Esc skips too
    _play(SHORT, answers=ten)
    assert ten.read == ["T", "\x1b"]
    assert _answers(SHORT)[-1] == (None, 10, None, None)


def test_how_things_are_is_asked_from_the_third_session_of_a_course() -> None:
    """Sessions 1 and 2 ask the pain only; session 3 also asks better, the same or worse
    since the course began ("after three or more sessions")."""
    first = FakeAnswers(["5", "4"])
    _play(COURSE, "--session", "1", answers=first)
    second = FakeAnswers(["5", "4"])
    _play(COURSE, "--session", "2", answers=second)
    third = FakeAnswers(["4", "2", "b"])
    result = _play(COURSE, "--session", "3", answers=third)
    assert result.exit_code == 0, result.stderr
    assert [first.read, second.read, third.read] == [["5", "4"], ["5", "4"], ["4", "2", "b"]]
    assert f"{FEELING}(press b, s or w, Enter to skip) better\n" in result.stderr
    assert _answers(COURSE) == [(1, 5, 4, None), (2, 5, 4, None), (3, 4, 2, "better")]
    assert STOP not in result.stderr


def _advice_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    return lines[lines.index(STOP) :] if STOP in lines else []


def test_worse_brings_the_advice_to_stop_and_see_a_doctor() -> None:
    """ "worse" after a course session: the session's message, then the advice in plain
    lines: stop the course and see a doctor or specialist, why, and the guidance's words
    ("or even the condition has worsened, albeit slightly")."""
    answers = FakeAnswers(["4", "5", "w"])
    result = _play(COURSE, "--session", "3", answers=answers)
    assert result.exit_code == 0, result.stderr
    assert _answers(COURSE) == [(3, 4, 5, "worse")]
    assert _advice_lines(result.stderr) == [
        STOP,
        "After session 3 you said things are worse than when the course began.",
        f'The massage guidance voiceguide follows says: "{PASSAGE}"',
    ]
    lines = result.stderr.splitlines()
    assert lines[lines.index(STOP) - 2] == (
        "Session complete. Rest for a few minutes before you get up."
    )


def test_no_better_after_three_sessions_brings_the_advice() -> None:
    """ "the same" after the third session: no improvement after three sessions, so the
    advice; "better" brings none."""
    same = _play(COURSE, "--session", "3", answers=FakeAnswers(["4", "4", "s"]))
    assert _advice_lines(same.stderr) == [
        STOP,
        "After session 3 you said things are no better than when the course began.",
        f'The massage guidance voiceguide follows says: "{PASSAGE}"',
    ]
    better = _play(COURSE, "--session", "3", answers=FakeAnswers(["4", "2", "b"]))
    # the reminder of the earlier answer comes before the session, none after it
    assert better.stderr.index(STOP) < better.stderr.index(BEFORE)
    assert better.stderr.count(STOP) == 1
    assert _advice_lines(better.stderr.split("Session complete.")[1]) == []


def test_the_advice_is_shown_again_before_the_next_session_of_the_course() -> None:
    """Once the record brings the advice, a later session of the course shows it first
    (after the safety list, before the pain question), even with --yes; a later "better"
    ends it."""
    _play(COURSE, "--session", "3", answers=FakeAnswers(["4", "5", "w"]))
    again = _play(COURSE, "--session", "3", "--yes", answers=FakeAnswers())
    assert again.exit_code == 0, again.stderr
    stderr = again.stderr
    assert "After session 3 you said things are worse than when the course began." in stderr
    assert stderr.index("Stop at once if you feel any of these:") < stderr.index(STOP)
    assert stderr.index(STOP) < stderr.index("Session complete.")
    _play(COURSE, "--session", "3", answers=FakeAnswers(["3", "2", "b"]))
    after_better = _play(COURSE, "--session", "3", "--yes", answers=FakeAnswers())
    assert STOP not in after_better.stderr


def test_a_skipped_question_keeps_the_earlier_answer() -> None:
    """Skipping how things are gives no answer: the latest answer given still counts."""
    _play(COURSE, "--session", "3", answers=FakeAnswers(["4", "5", "w"]))
    skipped = _play(COURSE, "--session", "3", answers=FakeAnswers(["4", "5", "\r"]))
    assert _answers(COURSE)[-1] == (3, 4, 5, None)
    assert _advice_lines(skipped.stderr.split("Session complete.")[1]) == []
    later = _play(COURSE, "--session", "3", "--yes", answers=FakeAnswers())
    assert STOP in later.stderr


def test_yes_asks_nothing() -> None:
    """--yes skips the questions as it skips the safety question: no key is read, no
    question shown, nothing kept."""
    answers = FakeAnswers(["6", "3", "w"])
    result = _play(COURSE, "--session", "3", "--yes", answers=answers)
    assert result.exit_code == 0, result.stderr
    assert answers.read == []
    assert "Pain now" not in result.stderr
    assert _answers(COURSE) == [(3, None, None, None)]


def test_without_a_terminal_nothing_is_asked() -> None:
    """With standard input not a terminal (here the test runner's), the questions are
    skipped silently, as is the safety question; the session is recorded."""
    result = _play(COURSE, "--session", "3", answers=None)
    assert result.exit_code == 0, result.stderr
    assert "Pain now" not in result.stderr
    assert "Does any of these apply" not in result.stderr
    assert _answers(COURSE) == [(3, None, None, None)]
    answers = FakeAnswers(["6"], interactive=False)
    _play(SHORT, answers=answers)
    assert answers.read == []


def test_quit_with_q_asks_after_and_ctrl_c_does_not() -> None:
    """q stops the session, and the pain after is still asked; Ctrl-C stops everything:
    only the pain before was asked."""
    quit_answers = FakeAnswers(["6", "5"])
    quit_result = _play(SHORT, answers=quit_answers, keys=[(20.0, "quit")])
    assert quit_result.exit_code == 0, quit_result.stderr
    assert quit_answers.read == ["6", "5"]
    interrupted = FakeAnswers(["6", "5"])
    result = _play(SHORT, answers=interrupted, clock=FakeClock(interrupt_at=20.0))
    assert result.exit_code == 130
    assert interrupted.read == ["6"]
    assert [(r.outcome, r.pain_before, r.pain_after) for r in _records(SHORT)] == [
        ("quit", 6, 5),
        ("interrupted", 6, None),
    ]


_ASK_ON_A_TERMINAL = """\
from voiceguide.play.questions import Questions, TerminalAnswers
questions = Questions(TerminalAnswers())
print(questions.pain("before"), questions.pain("after"), questions.feeling())
"""


def test_keys_are_read_one_at_a_time_on_a_real_terminal() -> None:
    """On a terminal, each question takes one key press, without Enter: t is 10, a key
    that is no answer waits for another, Enter skips."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", _ASK_ON_A_TERMINAL],
        stdin=terminal,
        stderr=terminal,
        stdout=subprocess.PIPE,
        text=True,
    )
    os.close(terminal)
    seen = bytearray()
    try:
        assert read_until(controller, "before the session", seen)
        press(controller, b"t", "after the session", seen)
        press(controller, b"x", "press 0-9, t for 10, Enter to skip: ", seen)
        press(controller, b"4", "better, the same or worse", seen)
        press(controller, b"\r", "skipped", seen)
        stdout, _ = process.communicate(timeout=30)
    finally:
        os.close(controller)
    assert process.returncode == 0
    assert stdout == "10 4 None\n"
