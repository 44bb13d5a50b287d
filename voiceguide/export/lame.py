"""MP3 through LAME's own library (``libmp3lame``), at the encoder's speed.

libsndfile encodes MP3 with LAME too, but 4-5 times slower than LAME itself on the same
samples (the neck guide, 13:51 of mono 44.1 kHz: 8.5 s through libsndfile, 1.8 s here,
2.9 s for ``ffmpeg -c:a libmp3lame -q:a 4``), so the default format calls LAME directly:
variable bitrate at :data:`VBR_QUALITY` (about 49 kb/s for a spoken guide in mono), with
the LAME tag that tells players the exact length (its encoder delay and padding), so the
file decodes to the guide's length to the sample. Where the library is not installed,
the export falls back to libsndfile (:func:`lame_library` is None).
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from voiceguide.errors import ExportError
from voiceguide.export.libraries import EncodedFile, load_library

if TYPE_CHECKING:
    from voiceguide.ports import Samples

VBR_QUALITY = 4.0
"""LAME's VBR quality, 0 (best) to 9: V4 keeps speech clear at about 49 kb/s in mono."""
ALGORITHM_QUALITY = 2
"""LAME's choice of algorithms, 0 (slowest) to 9: 2 is its recommended "near-best" (what
libsndfile uses); 5 and 7 saved only 4 % and 17 % of the time here."""
MODE_MONO, MODE_JOINT_STEREO = 3, 1
VBR_MTRH = 4  # LAME's default VBR algorithm
RATES = (44_100, 48_000, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000)
"""The sample rates MP3 can hold (MPEG-1, -2 and -2.5)."""

_INT_SETTERS = (
    "lame_set_in_samplerate",
    "lame_set_out_samplerate",
    "lame_set_num_channels",
    "lame_set_mode",
    "lame_set_quality",
    "lame_set_VBR",
    "lame_set_bWriteVbrTag",
)


@functools.cache
def lame_library() -> ctypes.CDLL | None:
    """LAME's library with the functions used here declared, or None when it is not
    installed (Debian: ``libmp3lame0``)."""
    lib = load_library("libmp3lame.so.0", "mp3lame")
    if lib is None:
        return None
    pointer, c_int = ctypes.c_void_p, ctypes.c_int
    lib.lame_init.restype = pointer
    lib.lame_init.argtypes = []
    for setter in _INT_SETTERS:
        getattr(lib, setter).argtypes = [pointer, c_int]
    lib.lame_set_VBR_quality.argtypes = [pointer, ctypes.c_float]
    lib.lame_init_params.argtypes = [pointer]
    lib.lame_encode_buffer_ieee_float.argtypes = [pointer, pointer, pointer, c_int, pointer, c_int]
    lib.lame_encode_buffer_interleaved_ieee_float.argtypes = [
        pointer,
        pointer,
        c_int,
        pointer,
        c_int,
    ]
    lib.lame_encode_flush.argtypes = [pointer, pointer, c_int]
    lib.lame_get_lametag_frame.argtypes = [pointer, pointer, ctypes.c_size_t]
    lib.lame_get_lametag_frame.restype = ctypes.c_size_t
    lib.lame_close.argtypes = [pointer]
    return lib


class LameWriter(EncodedFile):
    """An MP3 file written block by block (float32 frames × channels), finished by
    :meth:`close`: the last frames flushed and the LAME tag written over the first frame
    LAME left for it."""

    def __init__(self, path: Path, rate: int, channels: int) -> None:
        lib = lame_library()
        if lib is None:
            raise ExportError("LAME's library (libmp3lame) is not installed")
        if rate not in RATES:
            raise ExportError(f"MP3 takes a sample rate of {', '.join(map(str, RATES))} Hz")
        self.lib, self.channels = lib, channels
        self.lame = lib.lame_init()
        if not self.lame:
            raise MemoryError("LAME could not start")
        for setter, value in (
            ("lame_set_in_samplerate", rate),
            ("lame_set_out_samplerate", rate),
            ("lame_set_num_channels", channels),
            ("lame_set_mode", MODE_MONO if channels == 1 else MODE_JOINT_STEREO),
            ("lame_set_quality", ALGORITHM_QUALITY),
            ("lame_set_VBR", VBR_MTRH),
            ("lame_set_bWriteVbrTag", 1),
        ):
            getattr(lib, setter)(self.lame, value)
        lib.lame_set_VBR_quality(self.lame, VBR_QUALITY)
        if lib.lame_init_params(self.lame) < 0:
            lib.lame_close(self.lame)
            raise ExportError(f"LAME cannot encode {channels} channel(s) at {rate} Hz")
        self.buffer = ctypes.create_string_buffer(7200)
        self.file: BinaryIO = path.open("wb")

    def write(self, block: Samples) -> None:
        import numpy as np

        frames = np.ascontiguousarray(block, dtype=np.float32)
        needed = len(frames) * 5 // 4 + 7200  # LAME's worst case
        if len(self.buffer) < needed:
            self.buffer = ctypes.create_string_buffer(needed)
        if self.channels == 1:  # one channel: LAME reads the first of the two given
            size = self.lib.lame_encode_buffer_ieee_float(
                self.lame,
                frames.ctypes.data,
                frames.ctypes.data,
                len(frames),
                self.buffer,
                len(self.buffer),
            )
        else:
            size = self.lib.lame_encode_buffer_interleaved_ieee_float(
                self.lame, frames.ctypes.data, len(frames), self.buffer, len(self.buffer)
            )
        self._put(size)

    def close(self) -> None:
        """Flush what LAME holds and write its tag; the file is then complete."""
        if self.file.closed:
            return
        try:
            self._put(self.lib.lame_encode_flush(self.lame, self.buffer, len(self.buffer)))
            size = self.lib.lame_get_lametag_frame(self.lame, self.buffer, len(self.buffer))
            if 0 < size <= len(self.buffer):
                self.file.seek(0)
                self.file.write(self.buffer.raw[:size])
        finally:
            self._free()

    def _free(self) -> None:
        self.file.close()
        self.lib.lame_close(self.lame)

    def _put(self, size: int) -> None:
        if size < 0:
            raise ExportError(f"LAME failed to encode (error {size})")
        self.file.write(ctypes.string_at(self.buffer, size))
