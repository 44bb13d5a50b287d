"""Writing output files atomically: all or nothing, never over a file without ``force``.

A file is written under a hidden temporary name beside it, ``.NAME.PID-XXXXXXXX.part``
(PID: the writing process), locked while it is written, and renamed onto NAME only when
all of it succeeded. A failure, Ctrl-C or SIGTERM removes it; one left by a process that
was killed outright is removed by the next write to the same folder
(:func:`remove_stale`), which never touches a file a running writer holds locked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from voiceguide.errors import ExportError, display_path

PART = ".part"
STALE_AFTER = 3600.0
"""Seconds after which an unlocked temporary file nobody wrote to is left over for sure
(its writer's process id may have been given to another process since)."""
_OURS = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)-[a-z0-9_]{8}\.part")
_EARLIER = re.compile(r"\.(?P<name>.+\.(?:wav|flac|ogg|opus|mp3|srt|vtt))\.[a-z0-9_]{8}\.part")
"""The temporary names of earlier versions, which had no process id (audio guides and
their subtitles only: those are the large ones)."""
_NAME_ROOM = 200
"""Characters of the target's name kept in a temporary name (a name may have 255)."""
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class FolderNotWritable(ExportError):
    """The folder a file goes in cannot be written (read-only, or not ours)."""

    def __init__(self, folder: Path, reason: str, option: str = "-o") -> None:
        self.folder, self.reason = folder, reason
        super().__init__(
            f"cannot write in {display_path(folder)}: {reason}; choose another folder with {option}"
        )


def why_unwritable(folder: Path) -> str | None:
    """Why files cannot be made in the existing ``folder``, or None."""
    if os.access(folder, os.W_OK | os.X_OK):
        return None
    with contextlib.suppress(OSError, AttributeError):
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "read-only file system"
    return "permission denied"


def check_folder(folder: Path, option: str = "-o") -> None:
    """Refuse a folder whose files could not be written: the nearest part of it that
    exists (it is made when the files are written) must be a folder we may write in."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise ExportError(f"{display_path(existing)} is a file, not a folder")
    reason = why_unwritable(existing)
    if reason:
        raise FolderNotWritable(existing, reason, option)


def make_folder(folder: Path, option: str = "-o") -> None:
    """Make ``folder`` (and the folders above it) unless it exists."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(folder, exc, option) from None


def check_target(path: Path, force: bool, option: str = "-o") -> None:
    """Refuse early (before any work) when ``path`` cannot or may not be written."""
    try:
        _check_target(path, force, option)
    except OSError as exc:  # a folder on the way that may not be looked in
        raise write_error(path, exc, option) from None


def _check_target(path: Path, force: bool, option: str) -> None:
    if path.is_dir():
        raise ExportError(f"{display_path(path)} is a folder; give a file name")
    if path.exists() and not force:
        raise ExportError(f"{display_path(path)} already exists; use --force to overwrite it")
    if not path.parent.exists():
        raise ExportError(f"folder {display_path(path.parent)} does not exist")
    check_folder(path.parent, option)


def write_error(path: Path, exc: OSError, option: str = "-o") -> ExportError:
    """What to tell when ``path`` could not be written: a full disk, a folder that may
    not be written (named with the ``option`` that chose it), or the system's reason."""
    if exc.errno in _NO_SPACE:
        return ExportError(f"no space left to write {display_path(path)}; nothing was written")
    if exc.errno in {errno.EROFS, errno.EACCES, errno.EPERM}:
        reason = "read-only file system" if exc.errno == errno.EROFS else "permission denied"
        return FolderNotWritable(path.parent, reason, option)
    return ExportError(f"cannot write {display_path(path)}: {exc.strerror or exc}")


def _lock(handle: int) -> bool | None:
    """Lock ``handle``'s file for as long as it is open: True when it is now ours, False
    when another open file holds it, None where files cannot be locked."""
    try:
        import fcntl
    except ImportError:  # (not on Windows)
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks
        return None
    return True


@contextlib.contextmanager
def atomic_output(path: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed onto ``path``.

    On any failure, Ctrl-C and SIGTERM included, the temporary file is removed and
    ``path`` is left as it was. A full disk or a folder that cannot be written becomes an
    :class:`ExportError` that says so.
    """
    import tempfile

    check_target(path, force)
    prefix = f".{path.name[:_NAME_ROOM]}.{os.getpid()}-"
    try:
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=PART, dir=path.parent)
    except OSError as exc:
        raise write_error(path, exc) from None
    temporary = Path(name)
    try:
        _lock(handle)
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # mkstemp makes it private; give it a normal mode
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        if path.exists() and not force:  # appeared while we were working
            raise ExportError(f"{display_path(path)} already exists; use --force to overwrite it")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)


def write_text_atomic(path: Path, text: str, force: bool) -> None:
    with atomic_output(path, force) as temporary:
        temporary.write_text(text, encoding="utf-8")


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporary files that writers which were killed left in ``folder``;
    return them. Only names this module makes are looked at, and of those only files
    that no running writer holds locked and whose writer is gone (or that nobody wrote
    to for :data:`STALE_AFTER` seconds)."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        ours = _OURS.fullmatch(entry.name)
        if ours is None and _EARLIER.fullmatch(entry.name) is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
            gone = ours is not None and not _running(int(ours["pid"]))
            if (old or gone) and _remove_unless_locked(Path(entry.path), old):
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _running(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    except (OverflowError, ValueError):  # no process has such a number
        return False
    return True


def _remove_unless_locked(path: Path, old: bool) -> bool:
    """Remove ``path`` unless a writer holds it locked (then it is being written); where
    locks cannot be taken, only when nobody wrote to it for :data:`STALE_AFTER` seconds."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        locked = _lock(handle)
        if locked is False or (locked is None and not old):
            return False
        path.unlink()
        return True
    finally:
        os.close(handle)
