"""Ogg Opus through libopus and libogg themselves, with settings made for a spoken guide.

libsndfile encodes Opus at the encoder's slowest complexity (10), which it does not let
a caller change: 9.2 s for the neck guide (13:51 at 48 kHz), where libopus at
:data:`COMPLEXITY` takes 1.9 s. This writer calls libopus for 20-ms frames at up to
:data:`BITRATE` and lets libogg make the pages (RFC 7845: an ``OpusHead`` page, an
``OpusTags`` page, then the audio, the last page's granule position marking the exact
end, so the file decodes to the guide's length). Where either library is missing the
export falls back to libsndfile (:func:`opus_libraries` is None).
"""

from __future__ import annotations

import ctypes
import functools
import struct
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from voiceguide import __version__
from voiceguide.errors import ExportError
from voiceguide.export.libraries import EncodedFile, load_library

if TYPE_CHECKING:
    from voiceguide.ports import Samples

BITRATE = 32_000
"""The most bits per second of a mono guide (twice that in stereo), variable: a guide
is mostly silence, and the neck guide comes to 11.6 kb/s on average (libsndfile's
default made 20.6 kb/s)."""
COMPLEXITY = 5
"""libopus' effort, 0-10. On the neck guide (13:51, 48 kHz mono): 1.9 s at 5, 12.5 s
at 10 (libsndfile's), 13.9 s at 8; telling it the signal is voice made 5 take 7.4 s,
so the encoder chooses its mode itself."""
FRAME_SECONDS = 0.02
"""Opus frames of 20 ms, the usual size for speech and music alike."""
RATES = (48_000, 24_000, 16_000, 12_000, 8_000)

_APPLICATION_AUDIO = 2049
_SET_BITRATE, _SET_COMPLEXITY, _GET_LOOKAHEAD = 4002, 4010, 4027
_OGG_STREAM_STATE_BYTES = 4096  # more than sizeof(ogg_stream_state) (~410 on 64 bits)


class _Packet(ctypes.Structure):
    _fields_ = (
        ("packet", ctypes.c_void_p),
        ("bytes", ctypes.c_long),
        ("b_o_s", ctypes.c_long),
        ("e_o_s", ctypes.c_long),
        ("granulepos", ctypes.c_int64),
        ("packetno", ctypes.c_int64),
    )


class _Page(ctypes.Structure):
    _fields_ = (
        ("header", ctypes.POINTER(ctypes.c_ubyte)),
        ("header_len", ctypes.c_long),
        ("body", ctypes.POINTER(ctypes.c_ubyte)),
        ("body_len", ctypes.c_long),
    )


class Libraries(NamedTuple):
    opus: ctypes.CDLL
    ogg: ctypes.CDLL


@functools.cache
def opus_libraries() -> Libraries | None:
    """libopus and libogg with the functions used here declared, or None when either is
    not installed (Debian: ``libopus0``, ``libogg0``)."""
    opus = load_library("libopus.so.0", "opus")
    ogg = load_library("libogg.so.0", "ogg")
    if opus is None or ogg is None:
        return None
    pointer, c_int = ctypes.c_void_p, ctypes.c_int
    opus.opus_encoder_create.restype = pointer
    opus.opus_encoder_create.argtypes = [ctypes.c_int32, c_int, c_int, ctypes.POINTER(c_int)]
    opus.opus_encode_float.restype = ctypes.c_int32
    opus.opus_encode_float.argtypes = [pointer, pointer, c_int, pointer, ctypes.c_int32]
    opus.opus_encoder_destroy.argtypes = [pointer]
    opus.opus_encoder_ctl.restype = c_int  # variadic: the arguments are given typed
    ogg.ogg_stream_init.argtypes = [pointer, c_int]
    ogg.ogg_stream_packetin.argtypes = [pointer, ctypes.POINTER(_Packet)]
    ogg.ogg_stream_pageout.argtypes = [pointer, ctypes.POINTER(_Page)]
    ogg.ogg_stream_flush.argtypes = [pointer, ctypes.POINTER(_Page)]
    ogg.ogg_stream_clear.argtypes = [pointer]
    return Libraries(opus, ogg)


class OpusWriter(EncodedFile):
    """An Ogg Opus file written block by block (float32 frames × channels) and finished
    by :meth:`close`."""

    def __init__(self, path: Path, rate: int, channels: int) -> None:
        libraries = opus_libraries()
        if libraries is None:
            raise ExportError("libopus or libogg is not installed")
        if rate not in RATES:
            raise ExportError(f"Opus takes a sample rate of {', '.join(map(str, RATES))} Hz")
        self.opus, self.ogg = libraries
        self.rate, self.channels = rate, channels
        self.frame = round(rate * FRAME_SECONDS)
        self.scale = 48_000 // rate  # granule positions count at 48 kHz
        error = ctypes.c_int(0)
        self.encoder = self.opus.opus_encoder_create(
            rate, channels, _APPLICATION_AUDIO, ctypes.byref(error)
        )
        if not self.encoder or error.value:
            raise ExportError(f"libopus cannot encode {channels} channel(s) at {rate} Hz")
        encoder, ctl = ctypes.c_void_p(self.encoder), self.opus.opus_encoder_ctl
        lookahead = ctypes.c_int32(0)
        for request, value in (
            (_SET_BITRATE, ctypes.c_int32(BITRATE * channels)),
            (_SET_COMPLEXITY, ctypes.c_int32(COMPLEXITY)),
            (_GET_LOOKAHEAD, ctypes.byref(lookahead)),
        ):  # variadic: every argument typed here (a bare int would be cut to 32 bits)
            if ctl(encoder, ctypes.c_int(request), value) != 0:
                self.opus.opus_encoder_destroy(self.encoder)
                raise ExportError(f"libopus refused setting {request}")
        self.pre_skip = lookahead.value * self.scale
        self.stream = ctypes.create_string_buffer(_OGG_STREAM_STATE_BYTES)
        self.ogg.ogg_stream_init(self.stream, 0x76670001)  # any serial number will do
        self.packets = 0
        self.samples = 0  # input frames encoded (whole Opus frames), at the input rate
        self.decoded = 0  # samples a decoder makes of the packets so far, at 48 kHz
        self.held: list[Samples] = []  # frames short of a whole Opus frame
        self.held_frames = 0
        self.data = ctypes.create_string_buffer(4000)  # more than one 20-ms packet takes
        self.file: BinaryIO = path.open("wb")
        for header in (_opus_head(channels, self.pre_skip, rate), _opus_tags()):
            self._packet(ctypes.create_string_buffer(header, len(header)), len(header))
            self._pages(flush=True)

    def write(self, block: Samples) -> None:
        import numpy as np

        self.held.append(np.ascontiguousarray(block, dtype=np.float32))
        self.held_frames += len(block)
        if self.held_frames < self.frame:
            return
        frames = np.concatenate(self.held) if len(self.held) > 1 else self.held[0]
        whole = len(frames) // self.frame * self.frame
        for start in range(0, whole, self.frame):
            self._encode(frames[start : start + self.frame])
        rest = frames[whole:]
        self.held, self.held_frames = ([rest] if len(rest) else []), len(rest)

    def close(self) -> None:
        """Encode what is held and enough silence after it for the encoder's look-ahead
        to come out, mark the end with the exact length, and write the last pages."""
        if self.file.closed:
            return
        import numpy as np

        try:
            length = self.samples + self.held_frames  # input frames in all
            wanted = length * self.scale + self.pre_skip  # what a decoder must make
            frames = -(-wanted // (self.frame * self.scale)) - self.decoded // (
                self.frame * self.scale
            )
            tail = np.zeros((frames * self.frame, self.channels), dtype=np.float32)
            if self.held_frames:
                held = np.concatenate(self.held)
                tail[: len(held)] = held
            for number in range(frames):
                piece = tail[number * self.frame : (number + 1) * self.frame]
                self._encode(piece, end=length if number == frames - 1 else None)
            self._pages(flush=True)
        finally:
            self._free()

    def _encode(self, frames: Samples, *, end: int | None = None) -> None:
        """One Opus frame; ``end``: it is the last, and the guide is that many input
        frames long."""
        size = self.opus.opus_encode_float(
            self.encoder, frames.ctypes.data, self.frame, self.data, len(self.data)
        )
        if size < 0:
            raise ExportError(f"libopus failed to encode (error {size})")
        self.samples += self.frame
        self.decoded += self.frame * self.scale
        # a page's granule position counts what a decoder has decoded by its end, the
        # pre-skip included; the last one marks the end: pre-skip + the guide's length
        granule = self.decoded if end is None else self.pre_skip + end * self.scale
        self._packet(self.data, size, granule=granule, end=end is not None)
        if end is None:
            self._pages(flush=False)

    def _packet(
        self, data: ctypes.Array[ctypes.c_char], size: int, granule: int = 0, end: bool = False
    ) -> None:
        """The first ``size`` bytes of ``data`` as the next packet (libogg copies them)."""
        packet = _Packet(
            ctypes.cast(data, ctypes.c_void_p),
            size,
            int(self.packets == 0),
            int(end),
            granule,
            self.packets,
        )
        if self.ogg.ogg_stream_packetin(self.stream, ctypes.byref(packet)):
            raise ExportError("libogg could not take an Opus packet")
        self.packets += 1

    def _pages(self, *, flush: bool) -> None:
        page = _Page()
        out = self.ogg.ogg_stream_flush if flush else self.ogg.ogg_stream_pageout
        while out(self.stream, ctypes.byref(page)):
            self.file.write(ctypes.string_at(page.header, page.header_len))
            self.file.write(ctypes.string_at(page.body, page.body_len))

    def _free(self) -> None:
        self.file.close()
        self.ogg.ogg_stream_clear(self.stream)
        self.opus.opus_encoder_destroy(self.encoder)


def _opus_head(channels: int, pre_skip: int, rate: int) -> bytes:
    """The identification header (RFC 7845, 5.1): mapping family 0, no output gain."""
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, pre_skip, rate, 0, 0)


def _opus_tags() -> bytes:
    """The comment header (RFC 7845, 5.2): the vendor, no comments (tagged later)."""
    vendor = f"voiceguide {__version__}".encode()
    return b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
