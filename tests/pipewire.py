"""A private PipeWire server with a null sink, which the live tests reach through its
PulseAudio server (pipewire-pulse), as on most current Linux desktops."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.pulse import RATE, SINK, SoundServer

PROGRAMS = ("pipewire", "wireplumber", "pipewire-pulse")

GRAPH = f"""\
# The graph runs at the null sink's rate: nothing is resampled on the way.
context.properties = {{
    default.clock.rate = {RATE}
    default.clock.allowed-rates = [ {RATE} ]
}}
# The null sink, which also drives the graph (it is timed by the system clock).
context.objects = [
    {{ factory = adapter
        args = {{
            factory.name = support.null-audio-sink
            node.name = {SINK}
            node.description = "voiceguide test sink"
            media.class = Audio/Sink
            audio.rate = {RATE}
            audio.position = [ FL FR ]
            node.driver = true
            priority.driver = 30000
            object.linger = true
        }}
    }}
]
"""

PULSE = """\
pulse.properties = {{
    server.address = [ "unix:{socket}" ]
}}
"""

SESSION = """\
-- No sound cards, cameras or Bluetooth devices: the null sink is the only device.
alsa_monitor.enabled = false
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
-- No flatpak portal: it needs a D-Bus session bus, and there is none.
default_access.properties["enable-flatpak-portal"] = false
"""

BLUETOOTH = """\
bluez_monitor.enabled = false
"""


class PipeWireServer(SoundServer):
    """``pipewire``, its session manager ``wireplumber`` and its PulseAudio server
    ``pipewire-pulse``, with the null sink at 44.1 kHz. Their configuration is the
    system's with the fragments above, from the folder (XDG_CONFIG_HOME); their state is
    kept there too, and they have no D-Bus: nothing of the user's is seen or changed."""

    name = "pipewire"
    after_stall = 0.010
    """Through ALSA's PulseAudio plugin, pipewire-pulse reports 3-12 ms less than the
    silence a 0.4 s freeze made (five freezes, each lined up with the recording), and
    its report wanders by a few ms for seconds after: the guide is on time again
    within 1.0-7.6 ms (four freezes of ``play``), not to the sample."""

    def __init__(self, folder: Path) -> None:
        missing = [program for program in PROGRAMS if not shutil.which(program)]
        if missing:
            raise RuntimeError(f"{', '.join(missing)} not installed; scripts/setup installs it")
        socket = folder / "native"
        super().__init__(folder, socket)
        for name in ("PIPEWIRE_REMOTE", "PIPEWIRE_RUNTIME_DIR", "PIPEWIRE_CONFIG_DIR"):
            self.env.pop(name, None)
        self.env.update(
            XDG_CONFIG_HOME=str(folder / "config"),
            XDG_STATE_HOME=str(folder / "state"),
            XDG_DATA_HOME=str(folder / "data"),
            DBUS_SESSION_BUS_ADDRESS=f"unix:path={folder / 'no-bus'}",
        )
        self.configure("pipewire/pipewire.conf.d/voiceguide-test.conf", GRAPH)
        self.configure("pipewire/pipewire-pulse.conf.d/voiceguide-test.conf",
                       PULSE.format(socket=socket))  # fmt: skip
        self.configure("wireplumber/main.lua.d/51-voiceguide-test.lua", SESSION)
        self.configure("wireplumber/bluetooth.lua.d/51-voiceguide-test.lua", BLUETOOTH)
        self.start("pipewire")
        self.wait_until((folder / "pipewire-0").exists)
        self.start("wireplumber")
        self.start("pipewire-pulse")
        self.wait_until(self.sink_is_default)

    def configure(self, name: str, text: str) -> None:
        """Write a configuration fragment under the folder's XDG_CONFIG_HOME."""
        path = self.folder / "config" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
