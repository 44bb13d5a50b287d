"""The history where it cannot be written: on a read-only file system (or a folder that
is not ours), and a data folder that is a file. Reading works; playing plays and says
once that the session is not recorded; a data folder that is a file is named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.mounts import read_only
from tests.test_history import VERSION_1_SCHEMA
from tests.with_fakes import ROOT, listing, run
from voiceguide.history import History

KEYS = str(ROOT / "tests" / "data" / "keys.yaml")


def _one_session(data: Path) -> None:
    history = History(data / "history.sqlite3")
    record = history.start("keys-check", "Keys check", None, 80.0, pain_before=4)
    history.finish(record, "finished", 80.0, "End")


def test_history_on_a_read_only_file_system_is_shown(tmp_path: Path) -> None:
    """A good history (in WAL mode, as every history is) on a read-only file system:
    `history` shows it, exit 0."""
    with read_only(tmp_path / "data", sealed=False) as place:
        _one_session(place.folder)
        place.seal()
        process = run(["history"], tmp_path, {"VOICEGUIDE_DATA_DIR": str(place.folder)})
        assert process.returncode == 0, process.stderr
        assert "Keys check" in process.stdout
        assert "finished" in process.stdout
        assert listing(place.folder) == ["history.sqlite3"]


def test_a_version_1_history_on_a_read_only_file_system_is_read_as_it_is(
    tmp_path: Path,
) -> None:
    """A history of the first version cannot get its new columns there: it is shown as
    it is, without the answers it never kept."""
    with read_only(tmp_path / "data", sealed=False) as place:
        db = sqlite3.connect(place.folder / "history.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(VERSION_1_SCHEMA)
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO sessions (routine, title, started, ended, outcome, position, duration, "
            "stage) VALUES ('neck', 'Old neck', '2025-03-01T08:00:00+00:00', "
            "'2025-03-01T08:06:00+00:00', 'finished', 360, 360, 'End')"
        )
        db.close()
        place.seal()
        (record,) = History(place.folder / "history.sqlite3").records()
        assert (record.title, record.outcome, record.pain_before) == ("Old neck", "finished", None)


def test_play_on_a_read_only_file_system_plays_and_warns_once(tmp_path: Path) -> None:
    """The session plays to the end; one warning says it is not recorded, and why."""
    with read_only(tmp_path / "data", sealed=False) as place:
        _one_session(place.folder)
        place.seal()
        process = run(["play", KEYS, "--yes"], tmp_path, {"VOICEGUIDE_DATA_DIR": str(place.folder)})
        assert process.returncode == 0, process.stderr
        warnings = [line for line in process.stderr.splitlines() if "warning" in line]
        assert warnings == [
            "voiceguide: warning: this session is not recorded: the history file "
            f"{place.folder / 'history.sqlite3'} cannot be written: {place.reason}"
        ]
        assert "Session complete." in process.stderr
        assert len(History(place.folder / "history.sqlite3").records()) == 1


def test_a_data_folder_that_is_a_file(tmp_path: Path) -> None:
    """`history` says the data folder is a file, naming it: exit 1. `play` plays and
    says once that the session is not recorded, and why. The file is left alone."""
    data = tmp_path / "data"
    data.write_text("not a folder", encoding="utf-8")
    env = {"VOICEGUIDE_DATA_DIR": str(data)}
    why = (
        f"the data folder {data} is a file, not a folder; move it away, or set "
        "VOICEGUIDE_DATA_DIR to another folder"
    )
    shown = run(["history"], tmp_path, env)
    assert shown.returncode == 1
    assert shown.stderr == f"voiceguide: error: {why}\n"
    played = run(["play", KEYS, "--yes"], tmp_path, env)
    assert played.returncode == 0, played.stderr
    warnings = [line for line in played.stderr.splitlines() if "warning" in line]
    assert warnings == [f"voiceguide: warning: this session is not recorded: {why}"]
    deeper = run(["history"], tmp_path, {"VOICEGUIDE_DATA_DIR": str(data / "sub")})
    assert deeper.returncode == 1
    assert deeper.stderr == (
        f"voiceguide: error: the data folder {data / 'sub'} cannot be made: {data} is a file; "
        "move it away, or set VOICEGUIDE_DATA_DIR to another folder\n"
    )
    assert data.read_text(encoding="utf-8") == "not a folder"


def test_no_history_yet_on_a_read_only_file_system(tmp_path: Path) -> None:
    """Where the data folder cannot even be made: `history` has no sessions yet (exit
    0); `play` plays and says once that the session is not recorded, and why."""
    with read_only(tmp_path / "ro") as place:
        env = {"VOICEGUIDE_DATA_DIR": str(place.folder / "data")}
        shown = run(["history"], tmp_path, env)
        assert (shown.returncode, shown.stderr) == (0, "no sessions yet\n")
        played = run(["play", KEYS, "--yes"], tmp_path, env)
        assert played.returncode == 0, played.stderr
        warnings = [line for line in played.stderr.splitlines() if "warning" in line]
        assert warnings == [
            "voiceguide: warning: this session is not recorded: cannot make the data folder "
            f"{place.folder / 'data'}: {place.reason}"
        ]
        assert listing(place.folder) == []
