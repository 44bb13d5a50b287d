"""Folders with faults of real file systems, for the tests that write into them: a
small tmpfs that fills up, and one that turns read-only. Mounting needs root (as in CI, in
a container); elsewhere a read-only folder is one without write permission, and the
tests that need a real mount are skipped."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """``folder`` as a tmpfs of ``size`` (e.g. "256k") for the block."""
    _mount(folder, f"size={size}")
    try:
        yield folder
    finally:
        _unmount(folder)


class ReadOnly:
    """A folder to fill while it is writable, then make read-only with :meth:`seal`:
    a tmpfs remounted read-only (as root), else the folder and what is in it without
    write permission. :attr:`reason` is how voiceguide says why it cannot write there."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.mounted = os.geteuid() == 0
        if self.mounted:
            _mount(folder, "size=4m,mode=0755")
        else:
            folder.mkdir(parents=True, exist_ok=True)
        self.reason = "read-only file system" if self.mounted else "permission denied"

    def seal(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True)
        else:
            for path in [self.folder, *self.folder.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)

    def close(self) -> None:
        if self.mounted:
            _unmount(self.folder)
        else:
            for path in [self.folder, *self.folder.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)


@contextlib.contextmanager
def read_only(folder: Path, *, sealed: bool = True) -> Iterator[ReadOnly]:
    """A :class:`ReadOnly` folder for the block (sealed at once unless ``sealed`` is off)."""
    place = ReadOnly(folder)
    try:
        if sealed:
            place.seal()
        yield place
    finally:
        place.close()
