"""The real sink and the outputs there are: one ``sounddevice`` (PortAudio) stream, open
from the first sample to the last, telling the player how much time the device lost to
an underrun (:mod:`voiceguide.play.gaps`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from voiceguide.errors import AudioError, NoOutputDevice, OptionError
from voiceguide.play.gaps import GapDetector, ShortWatch

if TYPE_CHECKING:
    from voiceguide.ports import Samples

LATENCY_SECONDS = 0.1
"""How much sound the device holds by default: enough to ride out a busy machine's
short stalls, little enough that a key acts within about 150 ms (with the session's
50 ms look at the keys). ``play --latency`` changes it."""


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
        self, callback: Callable[[Samples, int, int, int], bool], done: Callable[[], None]
    ) -> None:
        sd = import_sounddevice()
        gaps = GapDetector(self.rate)
        watch = ShortWatch(self.rate, round(self.suggested_latency * self.rate))
        said_short = False  # the device said so at the block before

        def audio(outdata: Any, frames: int, times: Any, status: Any) -> None:
            nonlocal said_short
            dac, now = float(times.outputBufferDacTime), float(times.currentTime)
            underflow = bool(status.output_underflow)
            self.status_errors += underflow and not said_short
            said_short = underflow
            short, replay = watch.check(dac, now, frames, underflow, gaps.playing)
            lost = gaps.lost(dac, frames, now, short)
            if not callback(outdata, frames, lost, replay):
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
