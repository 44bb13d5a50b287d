"""Where the player takes back time the sound device lost: the guide's silences.

When the machine is too busy to feed the device in time, the device plays silence of
its own (a stall) and everything after it would be late by as much. The player owes
that time and takes it back from the next stretch of silence in the guide (there is
silence in every stage: the patient is massaging) by leaving out as many frames of it.
No word and no cue sound is cut, and once the time is back every sample is where the
exported guide has it.

Only when no silence comes soon enough (:data:`WAIT_SECONDS`: a very long text) does
the player skip sound instead, at the quietest moment of the next
:data:`BOUNDARY_SECONDS` (a gap between words).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from voiceguide.play.stream import Stream
    from voiceguide.ports import Samples

MARGIN_SECONDS = 0.15
"""Silence kept after every sound and before the next: a sentence's last breath and the
pause before the next are never taken, so a pause between sentences keeps 0.3 s."""
WAIT_SECONDS = 10.0
"""How far ahead the next silence may be for the player to wait for it; further, it
skips at a word boundary."""
BOUNDARY_SECONDS = 0.4
"""Where to look for the quietest moment, when it must skip."""
BOUNDARY_WINDOW_SECONDS = 0.01
"""The length over which a moment's loudness is measured."""


class Silences:
    """The stretches of a timeline where nothing sounds, from where its sounds are."""

    def __init__(self, sounds: Iterable[tuple[int, int]], total: int, rate: int) -> None:
        margin = round(MARGIN_SECONDS * rate)
        merged: list[list[int]] = []
        for start, end in sorted(sounds):
            start, end = max(start - margin, 0), min(end + margin, total)
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]
        self.total = total
        self.wait = round(WAIT_SECONDS * rate)

    def room(self, frame: int) -> int:
        """Frames of silence from ``frame`` on that may be left out: 0 inside a sound or
        the margins around it."""
        after = bisect.bisect_right(self.starts, frame)
        if after and self.ends[after - 1] > frame:
            return 0
        following = self.starts[after] if after < len(self.starts) else self.total
        return following - frame

    def too_far(self, frame: int) -> bool:
        """Whether the next silence after ``frame`` is further than the player waits."""
        after = bisect.bisect_right(self.starts, frame)
        if not after or self.ends[after - 1] <= frame:
            return False  # in silence now
        return self.ends[after - 1] - frame > self.wait


def quietest(samples: Samples, rate: int) -> int:
    """The frame at the middle of the quietest short window of ``samples`` (frames ×
    channels): where a skip is least heard, between words."""
    window = max(round(BOUNDARY_WINDOW_SECONDS * rate), 1)
    if len(samples) <= window:
        return len(samples) // 2
    power = np.square(samples.astype(np.float64)).sum(axis=1)
    sums = np.concatenate(([0.0], np.cumsum(power)))
    energy = sums[window:] - sums[:-window]
    return int(np.argmin(energy)) + window // 2


class Owed:
    """The time the timeline owes the device, in frames, and how it is paid as the
    timeline is taken (see the module). Negative: the device played on early, and is
    owed silence. What it counts is what the session reports."""

    def __init__(self, silences: Silences, rate: int, channels: int, fade: int) -> None:
        self.silences = silences
        self.rate = rate
        self.channels = channels
        self.fade = fade
        self.frames = 0
        self.skip_at: int | None = None  # where to skip, when no silence comes soon
        self.stalls = 0  # times the sound stalled: a device gap, or nothing rendered
        self.lost = 0  # frames of silence the device played in those stalls
        self.taken_back = 0  # frames of silence left out to be on time again
        self.given_back = 0  # frames of silence added: the device had played on early
        self.replayed = 0  # frames played again: the device may have dropped them
        self.skipped = 0  # frames of sound skipped to be on time again

    def stalled(self, frames: int) -> None:
        """The device played ``frames`` of silence of its own: the timeline is late."""
        self.frames += frames
        self.lost += frames
        self.stalls += 1

    def moved(self, frames: int) -> None:
        """The device's timing moved by ``frames`` (negative: it played on early)."""
        if frames > 0:
            self.stalled(frames)
        else:
            self.frames += frames

    def replaying(self, frames: int) -> None:
        """``frames`` already played are played again: the timeline is late by as many."""
        self.frames += frames
        self.replayed += frames

    def forgive(self) -> None:
        """Owe nothing: the guide pauses or jumps, so being late no longer matters."""
        self.frames = 0
        self.skip_at = None

    def take(self, stream: Stream, need: int) -> tuple[Samples, int, int]:
        """The next ``need`` frames of ``stream`` and how many it had, paying what is
        owed on the way: from silence when it is here, else by a skip at a word boundary
        when no silence comes soon enough; silence given back, in silence. Third: how
        far the caller must jump, for a skip further than is rendered (else 0)."""
        position = stream.position
        if self.frames < 0:
            return (*self._hold(stream, need), 0)
        room = min(self.silences.room(position), stream.buffered() - need)
        if room > 0:
            leave_out = min(self.frames, room)
            stream.drop(leave_out)
            self.frames -= leave_out
            self.taken_back += leave_out
            if not self.frames:
                self.skip_at = None
            return (*stream.take(need, self.channels), 0)
        if self.skip_at is None and self.silences.too_far(position):
            ahead = stream.peek(round(BOUNDARY_SECONDS * self.rate), self.channels)
            self.skip_at = position + quietest(ahead, self.rate)
        if self.skip_at is None or self.skip_at >= position + need:
            return (*stream.take(need, self.channels), 0)
        before, _ = stream.take(self.skip_at - position, self.channels)
        after, got, jump = self._skip(stream, need - len(before))
        return np.concatenate([before, after]), len(before) + got, jump

    def _hold(self, stream: Stream, need: int) -> tuple[Samples, int]:
        """Silence in place of the timeline while the timeline is silent (it waits
        meanwhile), to give back time owed the other way."""
        if self.silences.room(stream.position) <= 0:
            return stream.take(need, self.channels)
        held = min(-self.frames, need)
        data = np.zeros((need, self.channels), dtype=np.float32)
        rest, got = stream.take(need - held, self.channels)
        data[held:] = rest
        self.frames += held
        self.given_back += held
        return data, held + got

    def _skip(self, stream: Stream, need: int) -> tuple[Samples, int, int]:
        """Skip all that is owed with a crossfade across the jump, then ``need`` frames;
        when not that much is rendered, play on and say how far to jump."""
        owed, self.frames, self.skip_at = self.frames, 0, None
        self.skipped += owed
        if stream.buffered() < owed + need:
            return (*stream.take(need, self.channels), owed)
        window, _ = stream.take(owed + need, self.channels)
        data = window[owed:].copy()
        span = min(self.fade, need)
        up = (np.arange(span, dtype=np.float32) + 1) / np.float32(span + 1)
        data[:span] = data[:span] * up[:, None] + window[:span] * (1 - up)[:, None]
        return data, need, 0


__all__ = ["BOUNDARY_SECONDS", "MARGIN_SECONDS", "WAIT_SECONDS", "Owed", "Silences", "quietest"]
