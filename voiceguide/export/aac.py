"""AAC in an MP4 file (``.m4b``, ``.m4a``) with chapters, for Apple's players and the
podcast apps: written by FFmpeg's own encoder and muxer through PyAV.

The chapters go in as FFmpeg's MP4 muxer writes them, a QuickTime chapter track (what
Apple's players show) and a Nero ``chpl`` list; the title, artist and comment as iTunes
tags. Speech in mono needs little: 48 kb/s a channel, with the encoder's fast coder
(three times faster than its default, the neck guide in ~4 s against ~12 s, at a size
within 10 %). The encoder's priming is trimmed by the edit list the muxer writes, so
players (and ffprobe) find the guide's exact length.
"""

from __future__ import annotations

import fractions
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide.errors import ExportError
from voiceguide.export.libraries import EncodedFile

if TYPE_CHECKING:
    from voiceguide.ports import Samples

RATES = (44_100, 48_000, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000)
"""The sample rates an AAC guide is written at."""
BITS_PER_CHANNEL = 48_000
"""The bitrate for each channel, in bits per second."""


class AacWriter(EncodedFile):
    """An MP4 file of AAC at ``sample_rate`` with ``channels``, fed blocks of float32
    frames (frames x channels), tagged with ``tags`` (title, artist, comment); its
    ``chapters``, (title, start, end) in seconds, are set when it is closed."""

    def __init__(
        self,
        path: Path,
        sample_rate: int,
        channels: int,
        *,
        chapters: Sequence[tuple[str, float, float]] = (),
        tags: dict[str, str] | None = None,
    ) -> None:
        import av

        self.sample_rate = sample_rate
        self.layout = "mono" if channels == 1 else "stereo"
        self.chapters = list(chapters)
        self.tags = dict(tags or {})
        self.position = 0
        try:
            self.container: Any = av.open(str(path), mode="w", format="ipod")
            self.stream: Any = self.container.add_stream(
                "aac", rate=sample_rate, layout=self.layout, options={"aac_coder": "fast"}
            )
            self.stream.bit_rate = BITS_PER_CHANNEL * channels
            for name, value in self.tags.items():  # read when the first packet goes in
                self.container.metadata[name] = value
        except av.FFmpegError as exc:
            raise _failure(exc) from None

    def write(self, block: Samples) -> None:
        import av
        import numpy as np

        planar = np.ascontiguousarray(block.T, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=self.layout)
        frame.sample_rate = self.sample_rate
        frame.pts = self.position
        self.position += block.shape[0]
        self._mux(frame)

    def close(self) -> None:
        """Flush the encoder, set the chapters and tags, and finish the file."""
        import av

        try:
            self._mux(None)
            millisecond = fractions.Fraction(1, 1000)
            self.container.set_chapters(
                [
                    {
                        "id": number,
                        "start": round(start * 1000),
                        "end": round(end * 1000),
                        "time_base": millisecond,
                        "metadata": {"title": title},
                    }
                    for number, (title, start, end) in enumerate(self.chapters, start=1)
                ]
            )
            self.container.close()
        except av.FFmpegError as exc:
            raise _failure(exc) from None

    def abandon(self) -> None:
        """Close without finishing (the file is removed by whoever made it): FFmpeg's
        container owns the file, so there is no file object to look at."""
        import contextlib

        with contextlib.suppress(Exception):
            self.container.close()

    def _mux(self, frame: Any) -> None:
        import av

        try:
            for packet in self.stream.encode(frame):
                self.container.mux(packet)
        except av.FFmpegError as exc:
            raise _failure(exc) from None


def _failure(exc: Exception) -> Exception:
    """A full disk (or any error the system gave) as the OSError it is, for the writer
    to explain; anything else as an ExportError."""
    if isinstance(exc, OSError):
        return OSError(exc.errno, exc.strerror)
    return ExportError(f"cannot encode AAC: {exc}")
