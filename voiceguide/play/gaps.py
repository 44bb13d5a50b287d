"""How much time the sound device lost to an underrun, from the times it reports.

PortAudio gives each callback the time its first frame will be heard (its DAC time)
and the time now. Playing steadily, the DAC time moves on by exactly the frames handed
over: the *lag* between the two stays level, apart from jitter and a slow drift of the
device's clock, which are followed. After an underrun the device has played silence of
its own, and every later block is heard later by that much: the lag steps up and stays
up. A step of at least :data:`MIN_GAP_SECONDS` that holds for :data:`STEADY_CALLBACKS`
callbacks is reported, once, as lost frames (up to the last of those lags, so a step that
shows over a few callbacks counts in full); a spike that does not hold is jitter. The device's own
underrun flag is not needed (it can come a callback late or not at all). A host API
that gives no DAC times (0) gives no gaps.

At the start, the device first takes a buffer's worth of blocks at once, then waits
until it really plays (through ALSA's PulseAudio plugin, that wait was seen to last
1.4-1.9 s on a busy test machine); the DAC times of those first blocks are guesses.
Nothing has been heard yet, so nothing is lost: the lag is measured from the first
block the device asks for after a wait (from the first block when no time is given).
"""

from __future__ import annotations

MIN_GAP_SECONDS = 0.001
"""A device gap shorter than this is left alone (nothing to take back under 1 ms)."""
STEADY_CALLBACKS = 3
"""A step in the device's timing counts as a gap once it has held this many callbacks."""


class GapDetector:
    """Frames of silence a device played on its own, block by block (see the module)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.origin: float | None = None
        self.frames = 0
        self.level = 0.0  # the lag the timeline is on
        self.held = 0  # callbacks the lag has stayed a step above that
        self.last_call: float | None = None  # before the device plays: the last callback

    def lost(self, dac_time: float, frames: int, now: float = 0.0) -> int:
        """Frames of silence the device inserted before this block (reported once the
        step in the lag has held). ``now``: the time of this callback (0: not known)."""
        if dac_time <= 0:
            return 0
        if self.origin is None:
            if not self._playing(frames, now):
                return 0
            self.origin, self.frames = dac_time, frames
            return 0
        lag = dac_time - self.origin - self.frames / self.rate
        self.frames += frames
        if lag - self.level < MIN_GAP_SECONDS:
            self.level, self.held = lag, 0  # steady: follow jitter and drift
            return 0
        self.held += 1
        if self.held < STEADY_CALLBACKS:
            return 0
        gap = round((lag - self.level) * self.rate)
        self.level, self.held = lag, 0
        return gap

    def _playing(self, frames: int, now: float) -> bool:
        """Whether the device plays now: this callback came after a wait (half a block
        or more since the one before), or the time is not known."""
        if now <= 0:
            return True
        waited = self.last_call is not None and now - self.last_call >= frames / self.rate / 2
        self.last_call = now
        return waited
