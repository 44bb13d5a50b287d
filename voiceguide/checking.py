"""``check``: a routine loaded and compiled in every variant a patient can hear, each
problem reported once, naming the variants it occurs in.

A problem found in every variant is the routine's own and is reported as it is
(``neck.yaml:57:5: warning: stage 'Kneading': …``); one found in some of them names
them first (``… warning: sessions 1–3, painful side left: stage 'Kneading': …``). The
same problem by a different number of seconds in different variants is one problem, the
seconds given as a range (``1.2–2.5 s``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from voiceguide.errors import Diagnostic, Position, Severity

if TYPE_CHECKING:
    from voiceguide.adapt import Variant
    from voiceguide.model.routine import Routine
    from voiceguide.model.script import Script
    from voiceguide.variants import VariantGrid

_SECONDS = re.compile(r"(\d+(?:\.\d+)?)(?= s\b)")
"""A number of seconds in a message ("overrun 1.2 s"), which may differ by variant."""


class CheckReport(NamedTuple):
    """What ``check`` found in one routine: every problem, and a one-line summary (None
    when the routine cannot be used)."""

    diagnostics: list[Diagnostic]
    summary: str | None


def check_routine(
    reference: str, session: int | None = None, painful_side: str | None = None
) -> CheckReport:
    """Load ``reference`` and compile every variant of it (or only ``session``, only
    ``painful_side``: ``left``, ``right`` or ``none``), collecting every problem instead of
    raising."""
    from voiceguide.adapt import Variant, adapt
    from voiceguide.errors import OptionError, RoutineError, VoiceguideError
    from voiceguide.load import load_routine
    from voiceguide.pipeline import cached_lengths, timeline
    from voiceguide.variants import VariantGrid

    try:
        routine = load_routine(reference)
    except RoutineError as exc:
        return CheckReport(list(exc.diagnostics), None)
    except VoiceguideError as exc:
        return CheckReport([_error(str(exc), reference)], None)
    grid = VariantGrid.of(routine, session, painful_side)
    problems = _Problems(grid, Position(reference))
    lengths = cached_lengths(routine)
    first: Script | None = None
    sessions: dict[int | None, Routine] = {}  # each session adapted once, for every side
    for variant in grid.variants():
        try:
            if variant.session not in sessions:
                sessions[variant.session] = adapt(routine, Variant(variant.session))
            adapted = adapt(sessions[variant.session], Variant(None, variant.painful_side))
            script = timeline(routine, variant, lengths=lengths, adapted=adapted)
        except RoutineError as exc:
            problems.add(variant, exc.diagnostics)
        except OptionError as exc:
            problems.add(variant, [_error(f"{exc.option}: {exc}", reference)])
        except VoiceguideError as exc:
            problems.add(variant, [_error(str(exc), reference)])
        else:
            problems.add(variant, script.warnings)
            first = first or script
    diagnostics = problems.diagnostics()
    if first is None or any(d.severity is Severity.ERROR for d in diagnostics):
        return CheckReport(diagnostics, None)
    return CheckReport(diagnostics, _summary(first, grid, len(diagnostics)))


def _summary(script: Script, grid: VariantGrid, warnings: int) -> str:
    """``'Neck self-massage', 6 stages, about 12:56; 33 variants checked: …``."""
    from voiceguide.durations import format_session_length

    stages = len({s.stage_number for s in script.stages})
    summary = (
        f"{script.title!r}, {stages} stage{'s' * (stages != 1)}, "
        f"{format_session_length(script.duration, estimated=script.estimated)}"
    )
    if warnings:
        summary += f", {warnings} warning{'s' * (warnings != 1)}"
    described = grid.describe()
    if described:
        count = len(grid.variants())
        summary += f"; {count} variant{'s' * (count != 1)} checked: {described}"
    return summary


def _error(message: str, reference: str) -> Diagnostic:
    return Diagnostic(Severity.ERROR, message, Position(reference))


class _Problem:
    """One problem: its wording (the seconds in it apart), where, and in which variants
    it occurs with which seconds."""

    def __init__(self, severity: Severity, position: Position, words: list[str]) -> None:
        self.severity, self.position = severity, position
        self.words = words
        self.seconds: list[list[str]] = [[] for _ in words[1::2]]
        self.variants: list[Variant] = []

    def message(self) -> str:
        parts = list(self.words)
        for slot, values in enumerate(self.seconds):
            low, high = min(values, key=float), max(values, key=float)
            parts[2 * slot + 1] = low if float(low) == float(high) else f"{low}–{high}"
        return "".join(parts)


class _Problems:
    """Problems in the order first found, each once, with the variants it occurs in."""

    def __init__(self, grid: VariantGrid, routine: Position) -> None:
        self.grid = grid
        self.routine = routine
        """Where a problem of the routine as a whole is."""
        self.found: dict[tuple[object, ...], _Problem] = {}

    def add(self, variant: Variant, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            position = diagnostic.position or self.routine
            words = _SECONDS.split(diagnostic.message)
            key = (diagnostic.severity, position, *words[0::2])
            problem = self.found.get(key)
            if problem is None:
                problem = self.found[key] = _Problem(diagnostic.severity, position, words)
            if variant not in problem.variants:
                problem.variants.append(variant)
            for slot, value in enumerate(words[1::2]):
                problem.seconds[slot].append(value)

    def diagnostics(self) -> list[Diagnostic]:
        """Each problem once, naming its variants unless it occurs in all of them."""
        result = []
        for problem in self.found.values():
            named = self.grid.name(problem.variants)
            message = f"{named}: {problem.message()}" if named else problem.message()
            result.append(Diagnostic(problem.severity, message, problem.position))
        return result


__all__ = ["CheckReport", "check_routine"]
