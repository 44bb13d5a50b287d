"""Run voiceguide as a process of its own, with the fake speech engine and sound output,
and a signal sent to itself at a chosen moment: so a test sees what a real process does
with a real signal (its messages, exit status, and what it leaves on disk) in a moment,
the same way every run. :func:`start` and :func:`run` start it from a test.

    python -m tests.with_fakes [--signal NAME] [--at SECONDS | --at-block N | --at-speech]
        -- ARGS...

``--at SECONDS``: when the fake clock reaches that time (a session playing);
``--at-block N``: as the exporter converts its N-th block of samples (N >= 1);
``--at-speech``: as the first text is synthesized (not taken from the clip cache). The
signal is sent to this process; SIGSTOP stops it until a SIGCONT comes.
``--own-terminal``: standard input (a pseudo-terminal) becomes the controlling terminal
of a session of its own, so closing the terminal's other end hangs it up (SIGHUP).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide.speech.voices import VoiceSettings
from voiceguide.testing import FakeClock, FakeOutput, FakeSpeech, FakeSynthesizer, installed

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from voiceguide.ports import Recording


ROOT = Path(__file__).resolve().parents[1]


def start(
    args: list[str],
    cwd: Path,
    *,
    sends: str = "",
    env: dict[str, str] | None = None,
    stdin: int = subprocess.DEVNULL,
) -> subprocess.Popen[str]:
    """voiceguide ``args`` as a process of its own in ``cwd``, with the fake speech and
    sound; with ``sends`` (e.g. "--signal SIGTERM --at 30") it signals itself then."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.with_fakes", *sends.split(), "--", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """The exit status, standard output and standard error of a started process."""
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """voiceguide ``args`` run to its end (as :func:`start` starts it)."""
    process = start(args, cwd, env=env)
    code, stdout, stderr = finish(process)
    return subprocess.CompletedProcess(process.args, code, stdout, stderr)


def listing(folder: Path) -> list[str]:
    """The names in ``folder``, hidden ones too, sorted."""
    return sorted(p.name for p in folder.iterdir())


class SignallingClock(FakeClock):
    """A fake clock that sends ``signum`` to this process once it reaches ``at``."""

    def __init__(self, at: float | None, signum: int) -> None:
        super().__init__()
        self.at = at
        self.signum = signum

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        if self.at is not None and self.now() >= self.at:
            self.at = None
            os.kill(os.getpid(), self.signum)


class SignallingSpeech(FakeSpeech):
    """A fake speech engine that sends ``signum`` to this process as it is first asked
    to synthesize a text."""

    def __init__(self, signum: int | None) -> None:
        super().__init__()
        self.signum = signum

    def open(self, settings: VoiceSettings) -> FakeSynthesizer:
        synthesizer = super().open(settings)
        speak = synthesizer.synthesize

        def synthesize(texts: Iterable[str]) -> Iterator[tuple[str, Recording]]:
            for said in speak(texts):
                if self.signum is not None:
                    signum, self.signum = self.signum, None
                    os.kill(os.getpid(), signum)
                yield said

        synthesizer.synthesize = synthesize  # type: ignore[method-assign]
        return synthesizer


def signal_at_block(number: int, signum: int) -> None:
    """Send ``signum`` to this process as the exporter converts block ``number``."""
    from voiceguide.export import writer

    convert: Callable[..., Any] = writer._pcm16
    seen = 0

    def counting(block: Any) -> Any:
        nonlocal seen
        seen += 1
        if seen == number:
            os.kill(os.getpid(), signum)
        return convert(block)

    writer._pcm16 = counting


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.with_fakes")
    parser.add_argument("--signal", default="SIGTERM")
    parser.add_argument("--at", type=float)
    parser.add_argument("--at-block", type=int)
    parser.add_argument("--at-speech", action="store_true")
    parser.add_argument("--own-terminal", action="store_true")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    signum = signal.Signals[options.signal].value
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    if options.own_terminal:
        import fcntl
        import termios

        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    if options.at_block is not None:
        signal_at_block(options.at_block, signum)
    clock = SignallingClock(options.at, signum)
    from voiceguide.cli import main as voiceguide

    speech = SignallingSpeech(signum if options.at_speech else None)
    with installed(speech=speech, output=FakeOutput(clock), clock=clock):
        voiceguide(args)


if __name__ == "__main__":
    main()
