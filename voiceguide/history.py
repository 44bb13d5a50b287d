"""Sessions done, kept in SQLite in the user data folder.

Every played session is one row, written when it starts and updated as it goes and when
it ends, so a session whose process was killed still shows how far it got. The file is
opened in WAL mode with a busy timeout, so two players at once both record; each write is
one transaction. A file that is not a readable history is reported, and never
overwritten or deleted.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.errors import VoiceguideError

if TYPE_CHECKING:
    from voiceguide.model.routine import Routine

DATA_ENV = "VOICEGUIDE_DATA_DIR"
SCHEMA_VERSION = 1
_SCHEMA = """
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


class HistoryError(VoiceguideError):
    """The history file cannot be used."""


@dataclass(frozen=True)
class SessionRecord:
    id: int
    routine: str
    title: str
    session: int | None
    started: str
    ended: str | None
    outcome: str
    position: float
    duration: float
    stage: str | None

    @property
    def completed(self) -> bool:
        return self.outcome == "finished"


def routine_key(routine: Routine, reference: str) -> str:
    """What the history files a routine's sessions under: a built-in routine's name, else
    its file's absolute path (else the reference given)."""
    if routine.name:
        return routine.name
    return str(routine.path.resolve()) if routine.path else reference


def default_path() -> Path:
    root = os.environ.get(DATA_ENV)
    if root:
        return Path(root).expanduser() / "history.sqlite3"
    import platformdirs

    return Path(platformdirs.user_data_dir("voiceguide")) / "history.sqlite3"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


BUSY_SECONDS = 30.0
"""How long a write waits for another player's to finish."""


def _use_wal(connection: sqlite3.Connection) -> None:
    """Put a new history in WAL mode, so that two players at once both write. The switch
    needs the file to itself and does not wait for it as writes do: when another player
    is creating the same new file at the same moment, try again for a while."""
    import time

    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    @contextmanager
    def _connection(self, write: bool) -> Iterator[sqlite3.Connection]:
        if not write and not self.path.exists():
            connection = sqlite3.connect(":memory:")
            connection.execute(_SCHEMA)
            yield connection
            connection.close()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"cannot open the history file {self.path}: {exc}") from None
        try:
            connection.execute(f"PRAGMA busy_timeout = {round(BUSY_SECONDS * 1000)}")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise HistoryError(
                    f"the history file {self.path} is from a newer voiceguide (version {version}); "
                    "it was left as it is"
                )
            if version == 0:
                _use_wal(connection)
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(_SCHEMA)
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                connection.execute("COMMIT")
            yield connection
        except sqlite3.DatabaseError as exc:
            raise HistoryError(
                f"the history file {self.path} is damaged ({exc}); it was left as it is: "
                "move it away to start a new history"
            ) from None
        finally:
            connection.close()

    def start(self, routine: str, title: str, session: int | None, duration: float) -> int:
        """Record a session that begins now; return its id."""
        with self._connection(write=True) as db:
            cursor = db.execute(
                "INSERT INTO sessions (routine, title, session, started, outcome, duration) "
                "VALUES (?, ?, ?, ?, 'playing', ?)",
                (routine, title, session, _now(), duration),
            )
            return int(cursor.lastrowid or 0)

    def progress(self, record: int, position: float, stage: str) -> None:
        with self._connection(write=True) as db:
            db.execute(
                "UPDATE sessions SET position = ?, stage = ? WHERE id = ?",
                (position, stage, record),
            )

    def finish(self, record: int, outcome: str, position: float, stage: str) -> None:
        with self._connection(write=True) as db:
            db.execute(
                "UPDATE sessions SET ended = ?, outcome = ?, position = ?, stage = ? WHERE id = ?",
                (_now(), outcome, position, stage, record),
            )

    def records(self, routine: str | None = None) -> list[SessionRecord]:
        query = "SELECT id, routine, title, session, started, ended, outcome, position, duration, stage FROM sessions"
        arguments: tuple[str, ...] = ()
        if routine is not None:
            query += " WHERE routine = ?"
            arguments = (routine,)
        with self._connection(write=False) as db:
            rows = db.execute(query + " ORDER BY id", arguments).fetchall()
        return [SessionRecord(*row) for row in rows]

    def completed_sessions(self, routine: str) -> int:
        """How many course sessions of ``routine`` were played to the end."""
        return len({r.session for r in self.records(routine) if r.completed and r.session})


def course_progress(store: History, records: list[SessionRecord]) -> list[str]:
    """A line for each course among ``records``: how many sessions are done, and the next."""
    from voiceguide.load import load_routine

    lines = []
    for name in dict.fromkeys(r.routine for r in records):
        try:
            course = load_routine(name).course
        except VoiceguideError:
            continue
        if course is None:
            continue
        done = store.completed_sessions(name)
        following = f"; next: session {done + 1}" if done < course.sessions else "; course complete"
        lines.append(f"{name}: {done} of {course.sessions} course sessions done{following}")
    return lines
