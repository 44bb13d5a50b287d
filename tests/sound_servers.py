"""The sound servers the live tests play into, each started by the tests themselves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.pipewire import PipeWireServer
from tests.pulse import PulseServer, SoundServer

SERVERS: dict[str, Callable[[Path], SoundServer]] = {
    "pulseaudio": PulseServer,
    "pipewire": PipeWireServer,
}
"""The sound servers the live tests run on, by the name in the test ids."""
