"""Writing output files atomically: all or nothing, never over a file without ``force``."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from voiceguide.errors import ExportError, display_path


def check_target(path: Path, force: bool) -> None:
    """Refuse early (before any work) when ``path`` cannot or may not be written."""
    if path.is_dir():
        raise ExportError(f"{display_path(path)} is a folder; give a file name")
    if path.exists() and not force:
        raise ExportError(f"{display_path(path)} already exists; use --force to overwrite it")
    if not path.parent.exists():
        raise ExportError(f"folder {display_path(path.parent)} does not exist")


@contextlib.contextmanager
def atomic_output(path: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed onto ``path``.

    On any failure, Ctrl-C included, the temporary file is removed and ``path`` is left
    as it was.  A full disk becomes an :class:`ExportError` that says so.
    """
    import tempfile

    check_target(path, force)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    temporary.chmod(0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
    try:
        yield temporary
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        if path.exists() and not force:  # appeared while we were working
            raise ExportError(f"{display_path(path)} already exists; use --force to overwrite it")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if exc.errno in {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}:
            raise ExportError(
                f"no space left to write {display_path(path)}; nothing was written"
            ) from None
        raise ExportError(f"cannot write {display_path(path)}: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, force: bool) -> None:
    with atomic_output(path, force) as temporary:
        temporary.write_text(text, encoding="utf-8")
