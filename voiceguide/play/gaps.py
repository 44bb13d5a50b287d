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

Only a device that ran short can have played silence of its own: when the times are
known, a step counts only if the device said so (PortAudio's output-underflow flag)
since the lag was level, or had nothing left when a block came (a frozen process is
not told it ran short). A step without either is the host's timing report moving, not
sound lost: PipeWire's PulseAudio server was seen to move it by 1.4-6.5 ms every few
seconds, more often on a busy machine. A step down after the device ran short (the
server kept its time and played the next sound early) is reported too, as negative
frames.

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
        self.held = 0  # callbacks the lag has stayed a step away from that
        self.last_call: float | None = None  # the time of the callback before
        self.short = False  # the device said it ran short since the lag was level

    def lost(self, dac_time: float, frames: int, now: float = 0.0, short: bool = False) -> int:
        """Frames of silence the device inserted before this block (reported once the
        step in the lag has held; negative: it played on early by as many). ``now``: the
        time of this callback (0: not known; then every step up is reported, and no step
        down); ``short``: the device ran short (it says so, or had nothing left)."""
        if dac_time <= 0:
            return 0
        late = self._lateness(frames, now)
        if self.origin is None:
            if now > 0 and late <= -frames / self.rate / 2:
                return 0  # the first buffer, taken at once: the device does not play yet
            self.origin, self.frames = dac_time, frames
            return 0
        lag = dac_time - self.origin - self.frames / self.rate
        self.frames += frames
        self.short = self.short or short
        change = lag - self.level if now <= 0 else abs(lag - self.level)
        if change < MIN_GAP_SECONDS:
            self.level, self.held, self.short = lag, 0, False  # steady: follow jitter, drift
            return 0
        self.held += 1
        if self.held < STEADY_CALLBACKS:
            return 0
        step, ran_short = lag - self.level, self.short or now <= 0
        self.level, self.held, self.short = lag, 0, False
        return round(step * self.rate) if ran_short else 0

    @property
    def playing(self) -> bool:
        """Whether the device plays (its first buffer is taken and it has started)."""
        return self.origin is not None

    def _lateness(self, frames: int, now: float) -> float:
        """How much later than one block after the callback before this one came (0 when
        the time is not known; minus a block for the first)."""
        if now <= 0:
            return 0.0
        before, self.last_call = self.last_call, now
        if before is None:
            return -frames / self.rate
        return now - before - frames / self.rate


class ShortWatch:
    """When the device ran short, and how much it held just before: what a server that
    starts again after running short drops, to be played again (see the module).

    Once per stall: after a replay, the next one waits until the device has held half
    its buffer again. Refilling after a stall, PipeWire's PulseAudio server was seen
    to report a device holding about one block for a dozen blocks, which a sharper
    test would have taken for running short every other block, replaying each time."""

    def __init__(self, rate: int, held: int) -> None:
        self.rate = rate
        self.held = held  # frames the device held at the last callback
        self.full = held  # frames it holds when full (its latency)
        self.recovered = True  # it has held half its buffer since the last replay

    def check(
        self, dac_time: float, now: float, frames: int, underflow: bool, playing: bool
    ) -> tuple[bool, int]:
        """Whether the device ran short before this block (it says so, or had less than
        half a block left when it came: a frozen process is not told), and the frames
        to play again (what it held before; once per stall)."""
        known = dac_time > 0 and now > 0
        ran_dry = playing and known and dac_time - now < frames / self.rate / 2
        short = underflow or ran_dry
        replay = self.held if short and self.recovered else 0
        if replay:
            self.recovered = False
        if known and dac_time > now:
            self.held = round((dac_time - now) * self.rate) + frames
            self.recovered = self.recovered or (not short and self.held >= self.full // 2)
        return short, replay
