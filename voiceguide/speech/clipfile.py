"""Clip files that vouch for what they hold: RIFF/WAVE files whose last chunk is a
checksum of every byte before it.

A decoder takes a WAV file cut short, or with its samples overwritten, as it comes: the
clip loses its end, or is noise. Reading a sealed file checks the lengths its header
promises (the RIFF size, each chunk's, the samples') against the bytes that are there,
then the CRC-32 of those bytes against the one it was sealed with, so a file that
changed in any byte is known as :class:`Damaged` and not heard. Players skip the
checksum's chunk, so a sealed clip can still be listened to.

CRC-32 (zlib) runs at several GB/s: checking the clips of a whole guide costs a few
milliseconds, less than decoding them.
"""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from voiceguide.ports import Samples

CHECKSUM_CHUNK = b"vgck"
"""The id of the chunk that holds the checksum: the last one of a sealed file."""

_SEAL = struct.Struct("<4sII")  # chunk id, size (4), CRC-32
_CHUNK = struct.Struct("<4sI")
_PCM = 1
_FLOAT = 3
_EXTENSIBLE = 0xFFFE


class Damaged(ValueError):
    """A clip file that is not what it was when it was sealed (or was never sealed)."""


class _Layout(NamedTuple):
    tag: int
    channels: int
    sample_rate: int
    bits: int
    data: slice
    """Where the samples are in the file."""


def seal(wav: bytes) -> bytes:
    """The RIFF/WAVE file ``wav`` with the checksum chunk appended (and counted in its
    RIFF size). Raise :class:`Damaged` when ``wav`` is not a whole WAV file (a size in
    its header that its bytes do not bear out, no ``fmt `` or ``data`` chunk)."""
    _layout(wav, len(wav))
    body = bytearray(wav)
    if len(body) % 2:
        body += b"\0"
    struct.pack_into("<I", body, 4, len(body) + _SEAL.size - 8)
    return bytes(body) + _SEAL.pack(CHECKSUM_CHUNK, 4, zlib.crc32(body))


def unseal(data: bytes) -> tuple[Samples, int]:
    """The samples (mono float32, channels averaged) and the sample rate of the sealed
    clip file ``data``. Raise :class:`Damaged` when its lengths do not add up, when it
    has no checksum, or when the checksum does not match."""
    end = len(data) - _SEAL.size
    if end < 12:
        raise Damaged("too short for a sealed WAV file")
    layout = _layout(data, end, sealed=True)
    chunk, size, crc = _SEAL.unpack_from(data, end)
    if chunk != CHECKSUM_CHUNK or size != 4:
        raise Damaged("no checksum at its end")
    if zlib.crc32(memoryview(data)[:end]) != crc:
        raise Damaged("its checksum does not match")
    return _decode(data, layout), layout.sample_rate


def decode(wav: bytes) -> tuple[Samples, int]:
    """The samples (mono float32, as :func:`unseal` gives them) and the sample rate of
    the WAV file ``wav``, sealed or not. Raise :class:`Damaged` when it is not a whole
    WAV file."""
    layout = _layout(wav, len(wav))
    return _decode(wav, layout), layout.sample_rate


def _layout(data: bytes, end: int, *, sealed: bool = False) -> _Layout:
    """What the header of the WAV file in ``data`` says, checked against its bytes: its
    RIFF size is the file's, and its chunks tile ``data[12:end]`` (in a sealed file, the
    checksum's chunk follows them)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise Damaged("not a RIFF/WAVE file")
    (riff_size,) = struct.unpack_from("<I", data, 4)
    if riff_size + 8 != len(data):
        raise Damaged(f"its header promises {riff_size + 8} bytes, the file has {len(data)}")
    fmt = b""
    samples: slice | None = None
    position = 12
    while position + _CHUNK.size <= end:
        chunk, size = _CHUNK.unpack_from(data, position)
        start = position + _CHUNK.size
        if start + size > end:
            raise Damaged(f"its {chunk!r} chunk promises {size} bytes, {end - start} are left")
        if chunk == b"fmt ":
            fmt = data[start : start + size]
        elif chunk == b"data":
            samples = slice(start, start + size)
        position = start + size + size % 2
    whole = position == end or (position == end + 1 and not sealed)  # an unpadded last chunk
    if not whole or len(fmt) < 16 or samples is None:
        raise Damaged("its chunks do not add up to a WAV file")
    tag, channels, rate, _, block, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        (tag,) = struct.unpack_from("<H", fmt, 24)
    if channels < 1 or rate < 1 or block < 1 or (samples.stop - samples.start) % block:
        raise Damaged("its format does not fit its samples")
    return _Layout(tag, channels, rate, bits, samples)


def _decode(data: bytes, layout: _Layout) -> Samples:
    """The samples of a checked file: 16-bit and float ones read as they are (as
    libsndfile reads them: 16-bit divided by 32768), any other kind by libsndfile."""
    import numpy as np

    raw = memoryview(data)[layout.data]
    if layout.tag == _PCM and layout.bits == 16:
        frames = np.frombuffer(raw, dtype="<i2").astype(np.float32)
        frames *= np.float32(1 / 32768)
    elif layout.tag == _FLOAT and layout.bits == 32:
        frames = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    else:
        import io

        import soundfile

        try:
            frames, _ = soundfile.read(io.BytesIO(data), dtype="float32")
        except (RuntimeError, ValueError) as exc:
            raise Damaged(f"cannot be decoded: {exc}") from None
        frames = frames.reshape(-1)
    if layout.channels > 1:
        whole = frames.size - frames.size % layout.channels
        frames = frames[:whole].reshape(-1, layout.channels).mean(axis=1, dtype=np.float32)
    return np.ascontiguousarray(frames, dtype=np.float32)


__all__ = ["CHECKSUM_CHUNK", "Damaged", "decode", "seal", "unseal"]
