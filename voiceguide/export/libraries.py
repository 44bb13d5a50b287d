"""Loading the encoders' own C libraries (LAME, libopus, libogg) for ctypes."""

from __future__ import annotations

import ctypes
import ctypes.util


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
