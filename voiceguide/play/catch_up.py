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


__all__ = ["BOUNDARY_SECONDS", "MARGIN_SECONDS", "WAIT_SECONDS", "Silences", "quietest"]
