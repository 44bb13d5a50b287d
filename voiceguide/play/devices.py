"""The real sink and the outputs there are: one ``sounddevice`` (PortAudio) stream, open
from the first sample to the last, and the gap detector that tells the player how much
time the device lost to an underrun."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from voiceguide.errors import AudioError, NoOutputDevice, OptionError

if TYPE_CHECKING:
    from voiceguide.ports import Samples

LATENCY_SECONDS = 0.1
"""How much sound the device holds by default: enough to ride out a busy machine's
short stalls, little enough that a key acts within about 150 ms (with the session's
50 ms look at the keys). ``play --latency`` changes it."""
MIN_GAP_SECONDS = 0.001
"""A device gap shorter than this is left alone (no skip for under a millisecond)."""
STEADY_CALLBACKS = 3
"""A step in the device's timing counts as a gap once it has held this many callbacks."""


class GapDetector:
    """Finds the time a device lost to an underrun, from the times PortAudio gives each
    callback: when the first frame of the block will be heard (its DAC time).

    Playing steadily, that time moves on by exactly the frames handed over: the *lag*
    between the two stays level, apart from jitter and a slow drift of the device's
    clock, which are followed. After an underrun the device has played silence of its
    own, and every later block is heard later by that much: the lag steps up and stays
    up. A step of at least :data:`MIN_GAP_SECONDS` that holds for
    :data:`STEADY_CALLBACKS` callbacks is reported, once, as lost frames; a spike that
    does not hold is jitter. The device's own underrun flag is not needed (it can come a
    callback late or not at all). A host API that gives no DAC times (0) gives no gaps."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.origin: float | None = None
        self.frames = 0
        self.level = 0.0  # the lag the timeline is on
        self.held = 0  # callbacks the lag has stayed a step above that

    def lost(self, dac_time: float, frames: int) -> int:
        """Frames of silence the device inserted before this block (reported once the
        step in the lag has held)."""
        if dac_time <= 0:
            return 0
        if self.origin is None:
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


class SoundDeviceOutput:
    """The real sink: one sounddevice output stream for the whole session."""

    def __init__(
        self,
        rate: int,
        channels: int,
        device: int | str | None = None,
        *,
        latency: float = LATENCY_SECONDS,
        blocksize: int = 1024,
    ) -> None:
        self.rate = rate
        self.channels = channels
        self.device = device
        self.suggested_latency = latency
        self.blocksize = blocksize
        self.stream: Any = None
        self.status_errors = 0

    def start(
        self, callback: Callable[[Samples, int, int], bool], done: Callable[[], None]
    ) -> None:
        sd = import_sounddevice()
        gaps = GapDetector(self.rate)

        def audio(outdata: Any, frames: int, times: Any, status: Any) -> None:
            if status.output_underflow:
                self.status_errors += 1
            if not callback(outdata, frames, gaps.lost(float(times.outputBufferDacTime), frames)):
                raise sd.CallbackStop

        try:
            self.stream = sd.OutputStream(
                samplerate=self.rate,
                channels=self.channels,
                dtype="float32",
                device=self.device,
                blocksize=self.blocksize,
                latency=self.suggested_latency,
                callback=audio,
                finished_callback=done,
            )
            self.stream.start()
        except sd.PortAudioError as exc:
            raise AudioError(f"cannot open the audio output: {exc}") from None

    @property
    def latency(self) -> float:
        return float(self.stream.latency) if self.stream is not None else 0.0

    def stop(self) -> None:
        if self.stream is not None:
            with contextlib.suppress(Exception):  # the device may be gone; closing matters
                self.stream.stop()

    def close(self) -> None:
        if self.stream is not None:
            with contextlib.suppress(Exception):  # the device may already be gone
                self.stream.close()
            self.stream = None


def import_sounddevice() -> Any:
    """sounddevice, or an AudioError saying how to install PortAudio."""
    try:
        import sounddevice
    except OSError:
        raise AudioError(
            "the PortAudio library is missing; on Debian/Ubuntu: sudo apt-get install libportaudio2"
        ) from None
    return sounddevice


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    host: str
    channels: int
    default: bool


def output_devices() -> list[OutputDevice]:
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default = sd.default.device[1]
    except sd.PortAudioError as exc:
        raise AudioError(f"cannot list audio devices: {exc}") from None
    return [
        OutputDevice(
            index,
            str(info["name"]),
            str(hostapis[info["hostapi"]]["name"]),
            int(info["max_output_channels"]),
            index == default,
        )
        for index, info in enumerate(devices)
        if info["max_output_channels"] > 0
    ]


def no_device_matches(device: int | str, outputs: list[OutputDevice]) -> OptionError:
    """The error for a ``--device`` that names none of ``outputs``."""
    names = ", ".join(f"{o.index}: {o.name}" for o in outputs)
    return OptionError("--device", f"no output device matches {str(device)!r}; outputs are {names}")


NO_DEVICE = "no audio output device found"


def find_output(device: int | str | None) -> int | str | None:
    """The device to open: an index, a name substring, or None for the default."""
    sd = import_sounddevice()
    outputs = output_devices()
    if not outputs:
        raise NoOutputDevice(NO_DEVICE)
    if device is None:
        if sd.default.device[1] < 0:
            return outputs[0].index
        return None
    wanted = int(device) if isinstance(device, str) and device.isdigit() else device
    try:
        info = sd.query_devices(wanted, "output")
    except (ValueError, sd.PortAudioError):
        raise no_device_matches(device, outputs) from None
    return int(info["index"])


class PortAudioOutput:
    """The default :class:`~voiceguide.ports.AudioOutput`: PortAudio through sounddevice."""

    def devices(self) -> list[OutputDevice]:
        return output_devices()

    def find(self, device: int | str | None) -> int | str | None:
        return find_output(device)

    def open(
        self,
        sample_rate: int,
        channels: int,
        device: int | str | None,
        latency: float = LATENCY_SECONDS,
    ) -> SoundDeviceOutput:
        return SoundDeviceOutput(sample_rate, channels, device, latency=latency)
