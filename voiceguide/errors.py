"""One exception hierarchy for everything voiceguide reports to a user."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from voiceguide.model.record import Record


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Position(Record):
    """A place in a source file: 1-based line and column (0 for the file as a whole)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}" if self.line else self.path


class Diagnostic(Record):
    """One problem in a routine, with where it is and how to fix it."""

    severity: Severity
    message: str
    position: Position | None = None

    def __str__(self) -> str:
        where = f"{self.position}: " if self.position else ""
        return f"{where}{self.severity.value}: {self.message}"


class VoiceguideError(Exception):
    """Base class of every error voiceguide reports as a one-line message."""


class RoutineError(VoiceguideError):
    """A routine cannot be used; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        super().__init__("\n".join(str(d) for d in (errors or diagnostics)))


class RoutineNotFound(VoiceguideError):
    """Neither a routine file nor a built-in routine by that name."""


class OptionError(VoiceguideError):
    """An option's value does not fit the routine or the output (a usage error: exit 2).

    ``option`` is the option as typed, e.g. ``--session``."""

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        super().__init__(message)


class AudioError(VoiceguideError):
    """Speech synthesis, decoding, encoding or playback failed."""


class NoOutputDevice(AudioError):
    """There is no audio output to play on."""


class VoiceNotFound(AudioError):
    """The speech engine has no voice by the id asked for."""


class ExportError(VoiceguideError):
    """An audio guide could not be written."""


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def one_line(text: object, limit: int = 200) -> str:
    """``text`` on one line, shortened to ``limit`` characters (ending in "…")."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quote(text: str, limit: int = 60) -> str:
    """A text as a message names it: on one line, shortened to ``limit``, quoted."""
    return repr(one_line(text, limit))
