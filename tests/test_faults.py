"""Faults of the file system where guides and previews are written: a folder that
cannot be written, a full disk, a writer killed outright. Each is one clear line and
the right exit code, nothing half-written is left, and nothing is overwritten; what a
killed writer left is removed by the next one, and a running writer's file never is.

The processes run with the fake speech and sound (tests.with_fakes)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile

from tests.conftest import RunCli
from tests.mounts import read_only, small_disk
from tests.with_fakes import ROOT, finish, listing, run, start
from voiceguide.files import STALE_AFTER, remove_stale
from voiceguide.testing import FakeSpeech, installed

SHORT = str(ROOT / "tests" / "data" / "short.yaml")


@pytest.mark.parametrize("command", ["preview", "export"])
def test_writing_into_a_read_only_folder_is_one_line(tmp_path: Path, command: str) -> None:
    """`preview -o` or `export` into a folder that cannot be written: one line naming the
    folder, the reason and the option to choose another; exit 1; nothing written."""
    with read_only(tmp_path / "ro") as place:
        process = run([command, SHORT, "-o", "ro/guide.wav"], tmp_path)
        assert process.returncode == 1, process.stderr
        assert process.stderr == (
            f"voiceguide: error: cannot write in ro: {place.reason}; "
            "choose another folder with -o\n"
        )
        assert listing(tmp_path / "ro") == []


def test_export_to_the_default_folder_in_a_read_only_folder(tmp_path: Path) -> None:
    """In a read-only working folder, the default audio/ folder cannot be made: said
    before any work, naming the working folder."""
    with read_only(tmp_path / "ro") as place:
        process = run(["export", SHORT], tmp_path / "ro")
        assert process.returncode == 1, process.stderr
        assert process.stderr == (
            f"voiceguide: error: cannot write in .: {place.reason}; choose another folder with -o\n"
        )
        assert listing(tmp_path / "ro") == []


def test_a_course_into_a_read_only_folder_names_the_course_option(tmp_path: Path) -> None:
    """export --course into a folder (to be made) under a read-only one."""
    routine = ROOT / "tests" / "data" / "course.yaml"
    with read_only(tmp_path / "ro") as place:
        process = run(["export", str(routine), "--course", "ro/guides"], tmp_path)
        assert process.returncode == 1, process.stderr
        assert process.stderr == (
            f"voiceguide: error: cannot write in ro: {place.reason}; "
            "choose another folder with --course\n"
        )
        assert listing(tmp_path / "ro") == []


def test_a_file_where_the_folder_should_be(in_tmp: Path, run_cli: RunCli) -> None:
    """-o under a file: one line, exit 1 (not a traceback from the file system)."""
    (in_tmp / "notes").write_text("mine", encoding="utf-8")
    result = run_cli("preview", "neck", "-o", "notes/neck.txt")
    assert result.exit_code == 1
    assert result.stderr == "voiceguide: error: notes is a file, not a folder\n"
    assert (in_tmp / "notes").read_text(encoding="utf-8") == "mine"


def test_a_full_disk_keeps_the_old_guide(tmp_path: Path) -> None:
    """A disk too small for the guide, with --force over an earlier one: the message,
    exit 1, and the earlier guide and subtitles exactly as they were, nothing else."""
    with small_disk(tmp_path / "disk", "96k") as disk:
        (disk / "guide.flac").write_bytes(b"an earlier guide")
        (disk / "guide.srt").write_bytes(b"its subtitles")
        process = run(["export", SHORT, "-o", "disk/guide.flac", "--force"], tmp_path)
        assert process.returncode == 1, process.stderr
        assert process.stderr.splitlines()[-1] == (
            "voiceguide: error: no space left to write disk/guide.flac; nothing was written"
        )
        assert "Traceback" not in process.stderr
        assert listing(disk) == ["guide.flac", "guide.srt"]
        assert (disk / "guide.flac").read_bytes() == b"an earlier guide"
        assert (disk / "guide.srt").read_bytes() == b"its subtitles"


def test_a_full_disk_while_tagging_is_said_as_such(
    in_tmp: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mutagen wraps the OSError of a full disk in its own error: it is still "no space
    left", and nothing is left."""
    from mutagen.flac import FLAC, error

    def full(self: FLAC, *args: object, **kwargs: object) -> None:
        raise error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))

    monkeypatch.setattr(FLAC, "save", full)
    with installed(speech=FakeSpeech()):
        result = run_cli("export", SHORT, "-o", "g.flac", "-q")
    assert result.exit_code == 1
    assert (
        result.stderr == "voiceguide: error: no space left to write g.flac; nothing was written\n"
    )
    assert listing(in_tmp) == []


def test_the_next_export_removes_what_a_killed_one_left(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL leaves the temporary file (nothing can be done in the process); the next
    export to the same folder removes it, says so, and writes its guide."""
    killed = start(
        ["export", SHORT, "-o", "first.wav", "--subtitles", "none"],
        tmp_path,
        sends="--signal SIGKILL --at-block 3",
    )
    code, _, _ = finish(killed)
    assert code == -signal.SIGKILL
    (left,) = listing(tmp_path)
    assert left.startswith(f".first.wav.{killed.pid}-")
    assert left.endswith(".part")
    monkeypatch.chdir(tmp_path)
    with installed(speech=FakeSpeech()):
        result = run_cli("export", SHORT, "-o", "second.wav", "-q", "--subtitles", "none")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"note: removed {left}, a temporary file left by a voiceguide that was killed\n"
    )
    assert listing(tmp_path) == ["second.wav"]


def test_a_running_export_keeps_its_temporary_file(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export stopped mid-encoding (SIGSTOP, as a suspended job) holds its temporary
    file: another export to the same folder leaves it alone, and once the first goes on
    it writes its whole guide."""
    first = start(
        ["export", SHORT, "-o", "first.wav", "-q", "--subtitles", "none"],
        tmp_path,
        sends="--signal SIGSTOP --at-block 3",
    )
    try:
        _, status = os.waitpid(first.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)
        (part,) = listing(tmp_path)
        monkeypatch.chdir(tmp_path)
        with installed(speech=FakeSpeech()):
            result = run_cli("export", SHORT, "-o", "second.wav", "-q", "--subtitles", "none")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        assert listing(tmp_path) == [part, "second.wav"]
    finally:
        first.send_signal(signal.SIGCONT)
    code, _, stderr = finish(first)
    assert code == 0, stderr
    assert listing(tmp_path) == ["first.wav", "second.wav"]
    assert (
        soundfile.info(tmp_path / "first.wav").frames
        == soundfile.info(tmp_path / "second.wav").frames
    )


def test_which_temporary_files_are_left_over(tmp_path: Path) -> None:
    """Only names voiceguide makes are looked at; of those, a file whose writer is gone
    is removed, and one nobody wrote to for an hour (its process id may be another's
    now); one a writer holds locked, or of a live writer, or another program's, stays."""
    import fcntl

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    alive = os.getpid()
    names = {
        f".g.wav.{gone}-abcdefgh.part": True,  # its writer is gone
        f".g.srt.{alive}-old12345.part": True,  # nobody wrote to it for an hour
        f".g.wav.{alive}-k3j4l5m6.part": False,  # a live writer's, just now
        f".g.flac.{gone}-lock1234.part": False,  # held locked by a writer
        ".g.mp3.ab_cd123.part": True,  # an earlier version's, an hour old
        ".g.ogg.xyzw9876.part": False,  # an earlier version's, just now
        ".notes.txt.oldname1.part": False,  # not a guide: another program's, perhaps
        f"g.wav.{gone}-abcdefgh.part": False,  # not hidden
        f".g.wav.{gone}-abcdefgh.partial": False,
        "download.part": False,
    }
    hour_ago = time.time() - STALE_AFTER - 60
    for name in names:
        (tmp_path / name).write_bytes(b"x")
        if "old" in name or name.startswith(".g.mp3"):
            os.utime(tmp_path / name, (hour_ago, hour_ago))
    (tmp_path / f".g.opus.{gone}-symlink1.part").symlink_to(tmp_path / "download.part")
    held = os.open(tmp_path / f".g.flac.{gone}-lock1234.part", os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        removed = remove_stale(tmp_path)
    finally:
        os.close(held)
    expected = sorted(name for name, stale in names.items() if stale)
    assert sorted(p.name for p in removed) == expected
    assert listing(tmp_path) == sorted(
        [*(n for n, stale in names.items() if not stale), f".g.opus.{gone}-symlink1.part"]
    )
