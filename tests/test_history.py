"""The history file: the patient's own record kept with each session, and files made by
an earlier version of voiceguide, read and brought up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from voiceguide.history import SCHEMA_VERSION, History, HistoryError

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
