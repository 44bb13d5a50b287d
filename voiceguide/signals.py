"""SIGTERM and SIGHUP stop voiceguide as Ctrl-C does.

Inside :func:`stopping_on_signals` either signal (unless it is ignored, as under
``nohup``) raises :class:`Stopped` in the main
thread, wherever it is, so everything on the way out runs as for Ctrl-C: temporary files
are removed, a session fades out and records where it stopped, the terminal is put back.
A second signal while stopping is ignored (stopping is under way). The process then
exits with 128 + the signal's number, as a shell reports a process the signal ended.

    with stopping_on_signals():
        run()
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

HANDLED = tuple(
    s for s in (getattr(signal, name, None) for name in ("SIGTERM", "SIGHUP")) if s is not None
)
"""The signals handled (SIGHUP is not on Windows)."""

REASONS = {"SIGTERM": "terminated", "SIGHUP": "hung-up"}
"""How a session stopped by each signal ended (as the history keeps it)."""


class Stopped(BaseException):
    """The process was told to stop by a signal. A BaseException, as KeyboardInterrupt
    is: no ``except Exception`` takes it for an error to carry on from."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)

    @property
    def reason(self) -> str:
        """The session's outcome: ``terminated`` (SIGTERM) or ``hung-up`` (SIGHUP)."""
        return REASONS.get(self.name, self.name.lower())

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def signal_for(reason: str) -> signal.Signals | None:
    """The signal that stops a session with ``reason``, or None for another reason."""
    for name, handled in REASONS.items():
        if handled == reason and hasattr(signal, name):
            return signal.Signals[name]
    return None


@contextlib.contextmanager
def stopping_on_signals() -> Iterator[None]:
    """Turn :data:`HANDLED` signals into :class:`Stopped` inside the block, those that
    would end the process as they are (not one that is ignored or handled already); in
    the main thread only: elsewhere signals cannot be handled, and the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = False

    def handle(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise Stopped(signum)

    before = {s: signal.signal(s, handle) for s in HANDLED if signal.getsignal(s) is signal.SIG_DFL}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
