"""The neck guide exported by a real voiceguide process with the real speech engine, sent
a signal while it writes the file: what it prints and how it exits."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path


def export_stopped_while_writing(folder: Path, signum: signal.Signals) -> tuple[int, str]:
    """Export the neck guide to ``folder``/g.wav and send ``signum`` once its temporary
    file is there; return the exit status and standard error."""
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", "export", "neck", "-o", "g.wav"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(folder.glob(".g.wav.*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
        assert process.poll() is None, process.communicate()
    time.sleep(0.05)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    return process.returncode, stderr
