"""The encoders' own C libraries (LAME, libopus, libogg) through ctypes: loading them,
and what the files they write have in common."""

from __future__ import annotations

import ctypes
import ctypes.util
from types import TracebackType
from typing import BinaryIO, Self


def load_library(soname: str, name: str) -> ctypes.CDLL | None:
    """The library by its Linux ``soname`` (found at once), else as the system finds
    ``name`` (``ctypes.util.find_library``, which runs ``ldconfig`` or a compiler: tens
    of milliseconds; importing ``ctypes.util`` itself costs little), or None when it is not installed."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        pass
    found = ctypes.util.find_library(name)
    if found is None:
        return None
    try:
        return ctypes.CDLL(found)
    except OSError:
        return None


class EncodedFile:
    """A file an encoder writes: :meth:`close` finishes it; leaving a ``with`` block on an
    error only frees the encoder (the half-written file is left to the caller's
    clean-up: :func:`voiceguide.files.atomic_output`)."""

    file: BinaryIO

    def close(self) -> None:
        raise NotImplementedError

    def _free(self) -> None:
        """Close the file and free the encoder."""
        raise NotImplementedError

    def abandon(self) -> None:
        """Free the encoder without finishing the file, unless that was done already."""
        if not self.file.closed:
            self._free()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()
