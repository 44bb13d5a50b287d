"""The patient's terminal: keys while playing, and a status display on stderr.

Keys are read in cbreak mode from a terminal only, by a thread; the terminal's settings
are always restored, whatever ends the session.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from voiceguide.durations import format_clock
from voiceguide.text import one_line

KEYS = {
    " ": "pause",
    "n": "next",
    "\x1b[C": "next",
    "p": "previous",
    "\x1b[D": "previous",
    "+": "louder",
    "=": "louder",
    "-": "quieter",
    "_": "quieter",
    "q": "quit",
    "Q": "quit",
}


def is_a_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (False for a closed or replaced stream too)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass(frozen=True)
class Status:
    """What the display shows while a session plays."""

    segment_index: int
    label: str
    stage_left: float
    session_left: float
    progress: float
    next_label: str | None
    paused: bool
    volume: float
    course: str | None = None
    """Which session of a course this is ("session 3 of 10"), when it is one."""


HELP = "space pause · n/→ next · p/← back · +/− volume · q quit"
PAUSED = "paused: press space to go on"


def parse_keys(data: str) -> list[str]:
    """Commands in what the terminal sent (arrow keys arrive as escape sequences)."""
    commands = []
    position = 0
    while position < len(data):
        if data.startswith("\x1b[", position) and position + 2 < len(data):
            command = KEYS.get(data[position : position + 3])
            position += 3
        else:
            command = KEYS.get(data[position])
            position += 1
        if command:
            commands.append(command)
    return commands


class KeyReader:
    """Commands typed on the terminal, as a queue; does nothing when stdin is not one."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.commands: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved: list[Any] | None = None

    @property
    def interactive(self) -> bool:
        return is_a_terminal(self.stream)

    def __enter__(self) -> KeyReader:
        if not self.interactive:
            return self
        import termios
        import tty

        fd = self.stream.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
        self._thread = threading.Thread(target=self._read, args=(fd,), daemon=True)
        self._thread.start()
        return self

    def _read(self, fd: int) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(fd, 32).decode("utf-8", "replace")
            except OSError:
                return
            if not data:
                return
            for command in parse_keys(data):
                self.commands.put(command)

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        self.restore()

    def restore(self) -> None:
        """Put the terminal back as it was (safe to call twice)."""
        if self._saved is not None:
            import termios

            with contextlib.suppress(termios.error, OSError, ValueError):
                termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def pending(self) -> Iterator[str]:
        while True:
            try:
                yield self.commands.get_nowait()
            except queue.Empty:
                return


class Display:
    """The session on stderr: a live status line on a terminal, plain lines otherwise.
    A routine's texts are shown on one line, without control characters."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = is_a_terminal(self.stream)
        self.color = self.live and not os.environ.get("NO_COLOR")
        self.last_line = ""
        self.last_segment: int | None = None
        self.was_paused = False
        self.width = 100

    def _bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[22m" if self.color else text

    def message(self, text: str) -> None:
        """A line of its own (above the status line on a terminal)."""
        if self.live and self.last_line:
            self.stream.write("\r\x1b[2K")
        self.stream.write(one_line(text) + "\n")
        self.last_line = ""
        self.stream.flush()

    def status(self, status: Status) -> None:
        label, next_label = one_line(status.label), one_line(status.next_label or "")
        if not self.live:
            if status.paused != self.was_paused:
                self.was_paused = status.paused
                self.message(PAUSED if status.paused else "go on")
            if status.segment_index != self.last_segment:
                self.last_segment = status.segment_index
                course = f"{status.course} · " if status.course else ""
                self.message(
                    f"{course}{format_clock(status.session_left, nearest=True)} left · {label}"
                )
            return
        bar_width = 20
        filled = round(status.progress * bar_width)
        bar = "#" * filled + "-" * (bar_width - filled)
        state = PAUSED if status.paused else format_clock(status.stage_left, nearest=True)
        following = f" · next: {next_label}" if next_label else ""
        course = f"{status.course} · " if status.course else ""
        line = (
            f"{'‖' if status.paused else '▶'} {course}{self._bold(label)} {state} · "
            f"session {format_clock(status.session_left, nearest=True)} [{bar}]{following} · "
            f"vol {round(status.volume * 100)}%"
        )
        if line != self.last_line:
            self.stream.write("\r\x1b[2K" + line)
            self.stream.flush()
            self.last_line = line

    def close(self) -> None:
        if self.live and self.last_line:
            self.stream.write("\n")
            self.stream.flush()
            self.last_line = ""
