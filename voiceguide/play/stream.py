"""The timeline as the player reads it: frames rendered ahead, from a position on."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from voiceguide.ports import Samples


@dataclass
class Stream:
    """Frames of the timeline from ``position`` on, rendered ahead."""

    position: int
    blocks: collections.deque[Samples] = field(default_factory=collections.deque)
    offset: int = 0  # into blocks[0]
    keep: int = 0
    """Frames of what was taken to keep, so that they can be taken again (rewind)."""
    taken: collections.deque[Samples] = field(default_factory=collections.deque)

    def buffered(self) -> int:
        return sum(len(b) for b in self.blocks) - self.offset

    def take(self, frames: int, channels: int) -> tuple[Samples, int]:
        """Up to ``frames`` frames from the buffer (fewer on an underrun)."""
        out = np.zeros((frames, channels), dtype=np.float32)
        filled = 0
        while filled < frames and self.blocks:
            block = self.blocks[0]
            count = min(frames - filled, len(block) - self.offset)
            out[filled : filled + count] = block[self.offset : self.offset + count]
            filled += count
            self.offset += count
            if self.offset == len(block):
                self.blocks.popleft()
                self.offset = 0
        self.position += filled
        if self.keep and filled:
            self.taken.append(out[:filled].copy())
            while sum(len(b) for b in self.taken) - len(self.taken[0]) >= self.keep:
                self.taken.popleft()
        return out, filled

    def rewind(self, frames: int) -> int:
        """Put back up to ``frames`` of the frames last taken (at most :attr:`keep`), to be
        taken again; how many that was."""
        back = 0
        while back < frames and self.taken:
            last = self.taken.pop()
            count = min(frames - back, len(last))
            if self.offset:
                self.blocks[0] = self.blocks[0][self.offset :]
                self.offset = 0
            self.blocks.appendleft(last[len(last) - count :])
            if count < len(last):
                self.taken.append(last[: len(last) - count])
            back += count
        self.position -= back
        return back

    def peek(self, frames: int, channels: int) -> Samples:
        """Up to ``frames`` frames from the buffer, left in it."""
        pieces, left, offset = [], frames, self.offset
        for block in self.blocks:
            if left <= 0:
                break
            piece = block[offset : offset + left]
            pieces.append(piece)
            left -= len(piece)
            offset = 0
        if not pieces:
            return np.zeros((0, channels), dtype=np.float32)
        return np.concatenate(pieces)

    def drop(self, frames: int) -> None:
        """Leave out the next ``frames`` frames (at most what is buffered)."""
        left = min(frames, self.buffered())
        self.position += left
        while left:
            count = min(left, len(self.blocks[0]) - self.offset)
            left -= count
            self.offset += count
            if self.offset == len(self.blocks[0]):
                self.blocks.popleft()
                self.offset = 0


@dataclass
class Crossfade:
    """After a jump: the stream jumped from, fading out over ``left`` more frames."""

    old: Stream
    left: int
