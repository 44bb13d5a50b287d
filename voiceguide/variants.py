"""Every variant of a routine a patient can hear, and how to name a set of them.

A routine is heard as written or as a session of its course (when it has one), with no
painful side or with one of the sides its stages are done on: a grid of sessions × sides.
``check`` compiles each cell, and names the cells a problem occurs in as compactly as
it can: ``sessions 1–3, painful side left and right``.
"""

from __future__ import annotations

from collections.abc import Iterable

from voiceguide.adapt import PAINFUL_SIDES, Variant
from voiceguide.model.record import Record
from voiceguide.model.routine import Routine, written_stages
from voiceguide.sides import canonical_side

NO_SIDE = "none"
"""How the variant with no painful side is named (``--painful-side none``)."""


def painful_sides(routine: Routine) -> tuple[str, ...]:
    """The painful sides that change ``routine``: those some stage of it that follows a
    painful side is done on (its sides may be written in the routine's language)."""
    found = {
        canonical_side(side, routine.language)
        for stage in written_stages(routine.stages)
        if stage.follows_painful_side
        for side in stage.sides
    }
    return tuple(side for side in PAINFUL_SIDES if side in found)


class VariantGrid(Record):
    """Variants as a grid: ``sessions`` (None: the routine as written) × ``sides``
    (None: no painful side)."""

    sessions: tuple[int | None, ...]
    sides: tuple[str | None, ...]

    @classmethod
    def of(
        cls, routine: Routine, session: int | None = None, side: str | None = None
    ) -> VariantGrid:
        """Every variant of ``routine``: as written and each session of its course, with
        no painful side and each side its stages have; or only ``session`` and only
        ``side`` when given (``side`` :data:`NO_SIDE` for none)."""
        if session is not None:
            sessions: tuple[int | None, ...] = (session,)
        else:
            count = routine.course.sessions if routine.course else 0
            sessions = (None, *range(1, count + 1))
        if side is not None:
            sides: tuple[str | None, ...] = (None if side == NO_SIDE else side,)
        else:
            sides = (None, *painful_sides(routine))
        return cls(sessions, sides)

    def variants(self) -> list[Variant]:
        """Every variant of the grid: each session with each side, in order."""
        return [Variant(session, side) for session in self.sessions for side in self.sides]

    def describe(self) -> str:
        """The whole grid in words: ``as written and sessions 1–10, painful side none,
        left and right``; empty for the routine as written alone."""
        if self.variants() == [Variant()]:
            return ""
        parts = []
        if self.sessions != (None,):
            parts.append(_sessions(self.sessions))
        if self.sides != (None,):
            parts.append(_sides(self.sides))
        return ", ".join(parts)

    def name(self, variants: Iterable[Variant]) -> str:
        """Some of the grid's variants in words, as compactly as they allow: each group of
        sessions with the same sides (sessions left out when all are named, sides when
        all of them are); empty when they are the whole grid.

        ``session 1, painful side left``; ``sessions 1–3``; ``painful side left and
        right``; ``as written and session 10, painful side none; sessions 1 and 2``.
        """
        chosen = set(variants)
        by_session: dict[int | None, tuple[str | None, ...]] = {}
        for session in self.sessions:
            sides = tuple(side for side in self.sides if Variant(session, side) in chosen)
            if sides:
                by_session[session] = sides
        groups: dict[tuple[str | None, ...], list[int | None]] = {}
        for session, sides in by_session.items():
            groups.setdefault(sides, []).append(session)
        named = []
        for sides, sessions in groups.items():
            parts = []
            if len(sessions) < len(self.sessions):
                parts.append(_sessions(sessions))
            if len(sides) < len(self.sides):
                parts.append(_sides(sides))
            named.append(", ".join(parts))
        return "; ".join(part for part in named if part)


def _sessions(sessions: Iterable[int | None]) -> str:
    """``as written``, ``session 3``, ``as written and sessions 1–3, 5 and 7``."""
    numbers = [s for s in sessions if s is not None]
    words = ["as written"] if None in sessions else []
    if numbers:
        runs = _runs(numbers)
        plural = len(numbers) > 1
        words.append(("sessions " if plural else "session ") + _and(runs))
    return " and ".join(words)


def _sides(sides: Iterable[str | None]) -> str:
    """``painful side left``, ``painful side none, left and right``."""
    return "painful side " + _and([NO_SIDE if side is None else side for side in sides])


def _runs(numbers: list[int]) -> list[str]:
    """Consecutive numbers of three or more as a range: ``1–3``, ``5``, ``7``, ``8``."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    words: list[str] = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{run[0]}–{run[-1]}")
        else:
            words.extend(str(n) for n in run)
    return words


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


__all__ = ["NO_SIDE", "VariantGrid", "painful_sides"]
