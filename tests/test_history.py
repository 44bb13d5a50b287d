"""The history: the patient's own record kept with each session; files made by an
earlier version of voiceguide, read and brought up to date; and `voiceguide history` as a
table, CSV and JSON."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import RunCli
from voiceguide.course_review import Advice, advice_for, course_advice, pain_trend
from voiceguide.history import SCHEMA_VERSION, History, HistoryError, SessionRecord
from voiceguide.history_report import FIELDS, describe_outcome

VERSION_1_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    routine TEXT NOT NULL,
    title TEXT NOT NULL,
    session INTEGER,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT NOT NULL,
    position REAL NOT NULL DEFAULT 0,
    duration REAL NOT NULL,
    stage TEXT
)
"""
"""The table as version 1 of the history file created it, word for word."""


@pytest.fixture
def history_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test has its own history file (where the commands look for it too)."""
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "history.sqlite3"


def _version_1_file(path: Path) -> None:
    """A history as version 1 left it: WAL mode, user_version 1, two sessions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(VERSION_1_SCHEMA)
    db.execute("PRAGMA user_version = 1")
    db.executemany(
        "INSERT INTO sessions (routine, title, session, started, ended, outcome, position, "
        "duration, stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("neck", "Neck, session 1 of 10", 1, "2025-03-01T08:00:00+00:00",
             "2025-03-01T08:06:00+00:00", "finished", 360.0, 360.0, "End"),
            ("neck", "Neck, session 2 of 10", 2, "2025-03-02T08:00:00+00:00",
             "2025-03-02T08:01:00+00:00", "device-lost", 60.0, 400.0, "Kneading"),
        ],
    )  # fmt: skip
    db.close()


def _columns(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [row[1] for row in db.execute("PRAGMA table_info(sessions)")]
    finally:
        db.close()


def _user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_pain_and_feeling_are_kept_with_the_session(history_file: Path) -> None:
    """The pain before is written when the session starts, the pain after and the feeling
    when the patient answers after it; a session with nothing asked keeps them empty."""
    store = History()
    answered = store.start("neck", "Neck, session 3 of 10", 3, 600.0, pain_before=6)
    store.finish(answered, "finished", 600.0, "End")
    store.answer(answered, pain_after=3, feeling="worse")
    unasked = store.start("neck", "Neck, session 4 of 10", 4, 600.0)
    store.finish(unasked, "quit", 10.0, "Stroking")
    first, second = store.records("neck")
    assert (first.pain_before, first.pain_after, first.feeling) == (6, 3, "worse")
    assert (second.pain_before, second.pain_after, second.feeling) == (None, None, None)


def test_answers_outside_the_scale_are_refused(history_file: Path) -> None:
    """Pain is 0 to 10 and the feeling better, same or worse: nothing else is written."""
    store = History()
    with pytest.raises(ValueError, match="pain is from 0 to 10, not 11"):
        store.start("neck", "Neck", None, 60.0, pain_before=11)
    record = store.start("neck", "Neck", None, 60.0, pain_before=10)
    with pytest.raises(ValueError, match="pain is from 0 to 10, not -1"):
        store.answer(record, pain_after=-1, feeling=None)
    with pytest.raises(ValueError, match="feeling must be one of"):
        store.answer(record, pain_after=0, feeling="fine")
    (kept,) = store.records("neck")
    assert (kept.pain_before, kept.pain_after, kept.feeling) == (10, None, None)


def test_a_version_1_history_is_read_and_gets_the_new_columns(history_file: Path) -> None:
    """A history made before the pain and feeling were kept is read as it was (its
    sessions with no answers) and gets the three columns, once; new sessions and answers
    go into it as into a new file."""
    _version_1_file(history_file)
    assert "pain_before" not in _columns(history_file)
    store = History()
    one, two = store.records("neck")
    assert (one.session, one.outcome, one.position, one.stage) == (1, "finished", 360.0, "End")
    assert (two.session, two.outcome, two.duration) == (2, "device-lost", 400.0)
    assert [(r.pain_before, r.pain_after, r.feeling) for r in (one, two)] == [(None,) * 3] * 2
    assert _columns(history_file)[-3:] == ["pain_before", "pain_after", "feeling"]
    assert _user_version(history_file) == SCHEMA_VERSION == 2
    store.answer(two.id, pain_after=4, feeling=None)
    three = store.start("neck", "Neck, session 3 of 10", 3, 600.0, pain_before=5)
    store.answer(three, pain_after=2, feeling="better")
    assert [(r.id, r.pain_before, r.pain_after, r.feeling) for r in store.records("neck")] == [
        (1, None, None, None),
        (2, None, 4, None),
        (3, 5, 2, "better"),
    ]
    assert _columns(history_file).count("pain_before") == 1


def test_a_new_history_has_the_same_columns_as_a_brought_up_one(
    history_file: Path, tmp_path: Path
) -> None:
    """A file made new and one brought up from version 1 have the same table."""
    History().start("neck", "Neck", None, 60.0)
    old = tmp_path / "old" / "history.sqlite3"
    _version_1_file(old)
    History(old).records()
    assert _columns(history_file) == _columns(old)


def test_a_history_from_a_newer_version_is_left_alone(history_file: Path) -> None:
    """A file of a later schema is neither read nor changed."""
    _version_1_file(history_file)
    db = sqlite3.connect(history_file, isolation_level=None)
    db.execute("PRAGMA user_version = 3")
    db.close()
    with pytest.raises(HistoryError, match=r"is from a newer voiceguide \(version 3\)"):
        History().records()
    assert "pain_before" not in _columns(history_file)


def test_a_version_1_history_that_cannot_be_brought_up_is_reported(
    history_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the columns cannot be added (here another program holds the file for writing
    longer than a player waits): a clear error, and the file as it was."""
    import voiceguide.history

    _version_1_file(history_file)
    monkeypatch.setattr(voiceguide.history, "BUSY_SECONDS", 0.1)
    holder = sqlite3.connect(history_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(HistoryError) as raised:
            History().records()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(raised.value) == (
        f"cannot bring the history file {history_file} up to this version of voiceguide "
        "(database is locked); it was left as it is"
    )
    assert "pain_before" not in _columns(history_file)
    assert _user_version(history_file) == 1


COURSE = str(Path(__file__).parent / "data" / "course.yaml")
"""A course of three sessions."""
STOP = "Stop this course and see your doctor or a massage specialist."


def _course_record() -> tuple[str, list[SessionRecord]]:
    """Three sessions of the test course, with pain and one answer, and one of another
    routine stopped with q."""
    key = str(Path(COURSE).resolve())
    store = History()
    one = store.start(key, "Course check, session 1 of 3", 1, 100.0, pain_before=6)
    store.finish(one, "finished", 100.0, "End")
    store.answer(one, pain_after=5, feeling=None)
    two = store.start(key, "Course check, session 2 of 3", 2, 150.0, pain_before=5)
    store.finish(two, "device-lost", 60.0, "Kneading")
    three = store.start(key, "Course check, session 3 of 3", 3, 150.0)
    store.finish(three, "finished", 150.0, "End")
    store.answer(three, pain_after=4, feeling="worse")
    other = store.start("desk-break", "Desk break for the neck", None, 166.0)
    store.finish(other, "quit", 42.0, "Rubbing (left)")
    return key, store.records()


def test_history_table_has_headers_outcomes_in_words_pain_and_trend(
    history_file: Path, run_cli: RunCli
) -> None:
    """The table: column headers; each session's pain before → after, better/the
    same/worse and its outcome in words; under it each course's progress with the pain
    trend, and the guidance's advice that the record brings."""
    key, _ = _course_record()
    result = run_cli("history")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["When", "Session", "Routine", "Pain", "Since", "start", "Outcome"]
    outcome_column = lines[0].index("Outcome")
    assert [line[outcome_column:] for line in lines[1:5]] == [
        "finished",
        "stopped: the sound device was lost at 01:00 (Kneading)",
        "finished",
        "stopped with the q key at 00:42 (Rubbing (left))",
    ]
    pain_column = lines[0].index("Pain")
    assert [line[pain_column:].split("  ")[0] for line in lines[1:5]] == [
        "6 → 5",
        "5 → -",
        "- → 4",
        "",
    ]
    assert lines[3][lines[0].index("Since start") :].startswith("worse ")
    assert lines[5] == ""
    assert lines[6] == (
        f"{key}: 2 of 3 course sessions done; next: session 3; pain 6 → 4 over 3 sessions"
    )
    assert lines[7:10] == [
        f"  {STOP}",
        "  After session 3 you said things are worse than when the course began.",
        '  The massage guidance voiceguide follows says: "If after three or more sessions the '
        "patient has not felt any improvement or even the condition has worsened, albeit "
        'slightly, it is better to change the specialist."',
    ]
    assert lines[10:] == []  # the desk break: no course, no pain, nothing to sum up


def test_history_of_one_routine(history_file: Path, run_cli: RunCli) -> None:
    """history ROUTINE shows that routine's sessions and summary only."""
    _course_record()
    result = run_cli("history", "desk-break")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "Desk break for the neck" in lines[1]
    assert STOP not in result.stdout


def _stored(record: SessionRecord) -> dict[str, object]:
    stored = dataclasses.asdict(record)
    return {key: stored[key] for key in FIELDS if key in stored}


def test_history_csv_parses_back_to_the_stored_records(history_file: Path, run_cli: RunCli) -> None:
    """--format csv: a header row of the stable keys, then each session as stored (empty
    for nothing), its outcome also in words; times ISO 8601 in UTC."""
    _, records = _course_record()
    result = run_cli("history", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == ",".join(FIELDS)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(records) == 4
    numbers = {"id": int, "session": int, "pain_before": int, "pain_after": int}
    for row, record in zip(rows, records, strict=True):
        parsed: dict[str, object] = {
            key: None if value == "" else numbers.get(key, str)(value) for key, value in row.items()
        }
        parsed["position"] = float(row["position"])
        parsed["duration"] = float(row["duration"])
        description = parsed.pop("description")
        assert parsed == _stored(record)
        assert description == describe_outcome(record)
        started = datetime.fromisoformat(row["started"])
        assert started.utcoffset() == timedelta(0)
    assert rows[1]["description"] == "stopped: the sound device was lost at 01:00 (Kneading)"
    assert (rows[2]["pain_before"], rows[2]["pain_after"], rows[2]["feeling"]) == ("", "4", "worse")


def test_history_json_parses_back_to_the_stored_records(
    history_file: Path, run_cli: RunCli
) -> None:
    """--format json: a list of objects with the same keys as the CSV, in that order;
    null for nothing; numbers as numbers."""
    _, records = _course_record()
    result = run_cli("history", "--format", "json")
    assert result.exit_code == 0, result.stderr
    sessions = json.loads(result.stdout)
    assert [list(s) for s in sessions] == [list(FIELDS)] * 4
    for session, record in zip(sessions, records, strict=True):
        stored = dict(session)
        description = stored.pop("description")
        assert stored == _stored(record)
        assert description == describe_outcome(record)
        assert datetime.fromisoformat(session["started"]).utcoffset() == timedelta(0)
    assert sessions[0]["pain_before"] == 6
    assert sessions[3]["description"] == "stopped with the q key at 00:42 (Rubbing (left))"


def test_history_formats_with_no_sessions(history_file: Path, run_cli: RunCli) -> None:
    """No sessions: the table says so on standard error; CSV is its header row, JSON an
    empty list."""
    table = run_cli("history")
    assert (table.stdout, table.stderr) == ("", "no sessions yet\n")
    assert run_cli("history", "--format", "csv").stdout == ",".join(FIELDS) + "\n"
    assert json.loads(run_cli("history", "--format", "json").stdout) == []


def test_a_version_1_history_is_shown_by_the_history_command(
    history_file: Path, run_cli: RunCli
) -> None:
    """history on a version 1 file: its sessions, with no pain and no answers."""
    _version_1_file(history_file)
    result = run_cli("history", "--format", "json")
    assert result.exit_code == 0, result.stderr
    sessions = json.loads(result.stdout)
    assert [(s["session"], s["outcome"], s["pain_before"], s["feeling"]) for s in sessions] == [
        (1, "finished", None, None),
        (2, "device-lost", None, None),
    ]
    table = run_cli("history").stdout.splitlines()
    assert table[2].endswith("stopped: the sound device was lost at 01:00 (Kneading)")


def _answered(
    session: int | None, before: int | None, after: int | None, feeling: str | None = None
) -> SessionRecord:
    return SessionRecord(
        session or 0, "r", "R", session, "2025-03-01T08:00:00+00:00", None, "finished",
        0.0, 60.0, None, before, after, feeling,
    )  # fmt: skip


def test_pain_trend_from_the_first_pain_given_to_the_last() -> None:
    """The trend runs from the earliest session's pain before (else after) to the latest
    session's pain after (else before), over the sessions with a pain given."""
    assert pain_trend([]) is None
    assert pain_trend([_answered(1, None, None)]) is None
    assert pain_trend([_answered(1, 6, 4)]) == "pain 6 → 4 over 1 session"
    sessions = [
        _answered(1, None, 7),
        _answered(2, None, None),
        _answered(3, 6, 5),
        _answered(4, 4, None),
    ]
    assert pain_trend(sessions) == "pain 7 → 4 over 3 sessions"
    assert pain_trend([_answered(1, 6, 4), _answered(2, 3, 0)]) == "pain 6 → 0 over 2 sessions"


def test_the_latest_answer_decides_the_advice() -> None:
    """ "worse" brings the advice; "the same" does from the third session ("after three or
    more sessions … not felt any improvement"); "better" does not; the latest answer
    given counts, and sessions outside a course are left out."""
    assert advice_for(3, "better") is None
    assert advice_for(2, "same") is None
    assert advice_for(3, "same") is not None
    worse = advice_for(1, "worse")
    assert worse is not None
    assert worse.lines[0] == STOP
    assert course_advice([_answered(3, 5, 5, "worse"), _answered(4, 5, 5, None)]) == Advice(
        3, "worse"
    )
    assert course_advice([_answered(3, 5, 5, "same"), _answered(4, 4, 2, "better")]) is None
    assert course_advice([_answered(None, 5, 5, "worse")]) is None
