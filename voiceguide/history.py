"""Sessions done, kept in SQLite in the user data folder.

Every played session is one row, written when it starts and updated as it goes and when
it ends, so a session whose process was killed still shows how far it got. The row also
keeps the patient's own record: the pain before and after (0 to 10) and, from the third
session of a course, whether things are better, the same or worse since it began. The
file is opened in WAL mode with a busy timeout, so two players at once both record; each
write is one transaction. A file that is not a readable history is reported, and never
overwritten or deleted; a file from an earlier version gets the columns it lacks.
Where the file cannot be written (a read-only file system, a folder that is not ours)
it is still read, as it is; writing it says why it cannot.
"""

from __future__ import annotations

import errno
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
SCHEMA_VERSION = 2
"""1: the sessions played; 2: with the pain before and after, and the feeling."""
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
    stage TEXT,
    pain_before INTEGER,
    pain_after INTEGER,
    feeling TEXT
)
"""
_ADDED_COLUMNS = {"pain_before": "INTEGER", "pain_after": "INTEGER", "feeling": "TEXT"}
"""The columns version 2 added, in their order, for files an earlier version made."""
_COLUMNS = (
    "id, routine, title, session, started, ended, outcome, position, duration, stage, "
    "pain_before, pain_after, feeling"
)
PAIN_SCALE = range(11)
"""Pain from 0 (none) to 10 (the worst)."""
FEELINGS = ("better", "same", "worse")
"""How things are since the course began, as the patient says."""


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
    pain_before: int | None = None
    pain_after: int | None = None
    feeling: str | None = None
    """'better', 'same' or 'worse' since the course began; None when not asked or skipped."""

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
        self._check_places()
        if not write and not self.path.exists():
            connection = sqlite3.connect(":memory:")
            connection.execute(_SCHEMA)
            yield connection
            connection.close()
            return
        if not write and self._unwritable():
            with self._reading_only() as connection:
                yield connection
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = {errno.EROFS: "read-only file system", errno.EACCES: "permission denied"}
            raise HistoryError(
                f"cannot make the data folder {self.path.parent}: "
                f"{reason.get(exc.errno or 0, exc.strerror or str(exc))}"
            ) from None
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._problem(exc) from None
        try:
            connection.execute(f"PRAGMA busy_timeout = {round(BUSY_SECONDS * 1000)}")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            if version == 0:
                _use_wal(connection)
            if version < SCHEMA_VERSION:
                self._upgrade(connection)
            yield connection
        except sqlite3.DatabaseError as exc:
            raise self._problem(exc) from None
        finally:
            connection.close()

    def _check_places(self) -> None:
        """A data folder (or a folder above it) that is a file, or a history file that is
        a folder, is an error that names it."""
        if self.path.is_dir():
            raise HistoryError(f"the history file {self.path} is a folder; move it away")
        folder = self.path.parent
        existing = folder
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if not existing.is_dir():
            what = (
                f"the data folder {folder} is a file, not a folder"
                if existing == folder
                else f"the data folder {folder} cannot be made: {existing} is a file"
            )
            raise HistoryError(f"{what}; move it away, or set {DATA_ENV} to another folder")

    def _unwritable(self) -> str | None:
        """Why the history cannot be written here (read-only file system, permission
        denied), or None."""
        from voiceguide.files import why_unwritable

        reason = why_unwritable(self.path.parent)
        if reason is None and self.path.exists() and not os.access(self.path, os.W_OK):
            reason = "permission denied"
        return reason

    @contextmanager
    def _reading_only(self) -> Iterator[sqlite3.Connection]:
        """The history opened for reading where it cannot be written. A file in WAL mode
        is read with its shared-memory file when a writer left one; else that file cannot
        be made here, and the history is read as unchanging (immutable), which it is
        while nothing can write it."""
        connection: sqlite3.Connection | None = None
        failure: sqlite3.OperationalError | None = None
        try:
            for options in ("mode=ro", "mode=ro&immutable=1"):
                uri = f"{self.path.resolve().as_uri()}?{options}"
                connection = sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS)
                try:
                    self._check_version(connection.execute("PRAGMA user_version").fetchone()[0])
                    break
                except sqlite3.OperationalError as exc:
                    connection.close()
                    connection = None
                    if getattr(exc, "sqlite_errorname", "") != "SQLITE_CANTOPEN":
                        raise
                    failure = exc
            if connection is None:
                raise HistoryError(f"cannot read the history file {self.path} ({failure})")
            yield connection
        except sqlite3.DatabaseError as exc:
            raise self._problem(exc) from None
        finally:
            if connection is not None:
                connection.close()

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"the history file {self.path} is from a newer voiceguide (version {version}); "
                "it was left as it is"
            )

    def _problem(self, exc: sqlite3.Error) -> HistoryError:
        """What is wrong with the history file, from SQLite's error: it cannot be
        written here, it is held, the disk is full, or it is damaged."""
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
            reason = self._unwritable()
            if reason:
                return HistoryError(f"the history file {self.path} cannot be written: {reason}")
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return HistoryError(
                f"the history file {self.path} is held by another program for too long ({exc})"
            )
        if name.startswith("SQLITE_FULL"):
            return HistoryError(f"no space left to write the history file {self.path}")
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return HistoryError(
                f"the history file {self.path} is damaged ({exc}); it was left as it is: "
                "move it away to start a new history"
            )
        return HistoryError(f"cannot use the history file {self.path} ({exc})")

    def _upgrade(self, connection: sqlite3.Connection) -> None:
        """Make the file this version's, in one transaction: a new file gets the table; a
        file from version 1 gets the columns it lacks (empty in its rows). Another player
        may have done it meanwhile: the version is read again inside the transaction."""
        try:
            connection.execute("BEGIN IMMEDIATE")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                connection.execute(_SCHEMA)
                present = {row[1] for row in connection.execute("PRAGMA table_info(sessions)")}
                for column, kind in _ADDED_COLUMNS.items():
                    if column not in present:
                        connection.execute(f"ALTER TABLE sessions ADD COLUMN {column} {kind}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # read-only, or held too long by another
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise HistoryError(
                f"cannot bring the history file {self.path} up to this version of "
                f"voiceguide ({exc}); it was left as it is"
            ) from None

    def start(
        self,
        routine: str,
        title: str,
        session: int | None,
        duration: float,
        *,
        pain_before: int | None = None,
    ) -> int:
        """Record a session that begins now, with the pain the patient gave before it;
        return its id."""
        _check_pain(pain_before)
        with self._connection(write=True) as db:
            cursor = db.execute(
                "INSERT INTO sessions (routine, title, session, started, outcome, duration, "
                "pain_before) VALUES (?, ?, ?, ?, 'playing', ?, ?)",
                (routine, title, session, _now(), duration, pain_before),
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

    def answer(self, record: int, *, pain_after: int | None, feeling: str | None) -> None:
        """Keep what the patient answered after the session (None: not asked or skipped)."""
        _check_pain(pain_after)
        if feeling is not None and feeling not in FEELINGS:
            raise ValueError(f"feeling must be one of {FEELINGS}, not {feeling!r}")
        with self._connection(write=True) as db:
            db.execute(
                "UPDATE sessions SET pain_after = ?, feeling = ? WHERE id = ?",
                (pain_after, feeling, record),
            )

    def records(self, routine: str | None = None) -> list[SessionRecord]:
        """The sessions (of ``routine``), oldest first. A file of an earlier version that
        cannot be brought up here (it cannot be written) is read as it is: what it does
        not keep is None."""
        arguments: tuple[str, ...] = ()
        where = ""
        if routine is not None:
            where = " WHERE routine = ?"
            arguments = (routine,)
        with self._connection(write=False) as db:
            present = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
            if not present:
                return []
            columns = ", ".join(c if c in present else "NULL" for c in _COLUMNS.split(", "))
            query = f"SELECT {columns} FROM sessions{where} ORDER BY id"
            rows = db.execute(query, arguments).fetchall()
        return [SessionRecord(*row) for row in rows]

    def completed_sessions(self, routine: str) -> int:
        """How many course sessions of ``routine`` were played to the end."""
        return len({r.session for r in self.records(routine) if r.completed and r.session})


def _check_pain(pain: int | None) -> None:
    if pain is not None and pain not in PAIN_SCALE:
        raise ValueError(f"pain is from 0 to 10, not {pain!r}")
