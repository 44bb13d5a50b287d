"""Placing speech inside one stage part without overlaps.

Candidates are offered with a priority and a desired time; :class:`Layout` places them
in order of priority, moving each to the first free spot at or after its time (or, for
anchored ones such as counts, only at its time), and warns about what does not fit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.durations import format_spoken
from voiceguide.errors import Diagnostic, Position, Severity, quote
from voiceguide.model.script import Speech, SpeechRole

if TYPE_CHECKING:
    from voiceguide.ports import DurationOracle

SPEECH_GAP = 0.25
"""Silence kept between two utterances, in seconds."""


class Candidate:
    """Speech offered to a layout: its text as worded at its desired time, and how to word
    it at another (a ``{remaining}`` counts from where it is actually spoken)."""

    __slots__ = (
        "anchored",
        "desired",
        "optional",
        "order",
        "part",
        "priority",
        "role",
        "template",
        "text",
    )

    def __init__(
        self,
        desired: float,
        template: str,
        role: SpeechRole,
        priority: int,
        anchored: bool,
        order: int,
        part: Part,
        optional: bool = False,
    ) -> None:
        self.desired, self.template, self.role = desired, template, role
        self.priority, self.anchored, self.order = priority, anchored, order
        self.part, self.optional = part, optional
        self.text = self.worded_at(desired)

    def worded_at(self, time: float) -> str:
        """The text as spoken from ``time``."""
        if "{" not in self.template:
            return self.template
        remaining = format_spoken(self.part.end - time, self.part.language)
        return self.template.format_map({**self.part.values, "remaining": remaining})


def _clash(other: Speech, time: float, duration: float) -> bool:
    """Whether speech of ``duration`` at ``time`` would come within :data:`SPEECH_GAP` of
    ``other``."""
    return time < other.end + SPEECH_GAP and other.time < time + duration + SPEECH_GAP


class Layout:
    """Places speech in one segment without overlaps."""

    def __init__(
        self,
        start: float,
        end: float,
        oracle: DurationOracle,
        label: str,
        position: Position | None,
        warnings: list[Diagnostic],
    ) -> None:
        self.start, self.end, self.oracle = start, end, oracle
        self.label, self.position, self.warnings = label, position, warnings
        self.placed: list[Speech] = []

    def free_from(self, time: float, duration: float) -> float:
        """The earliest start at or after ``time`` where ``duration`` overlaps no speech."""
        moved = True
        while moved:
            moved = False
            for other in self.placed:
                if _clash(other, time, duration):
                    time = other.end + SPEECH_GAP
                    moved = True
        return time

    def overlaps(self, time: float, duration: float) -> bool:
        return any(_clash(other, time, duration) for other in self.placed)

    def warn(self, message: str) -> None:
        self.warnings.append(
            Diagnostic(Severity.WARNING, f"stage {self.label!r}: {message}", self.position)
        )

    def settle(self, item: Candidate) -> tuple[float, str, float]:
        """Where ``item`` goes (the first free spot at or after its time where it fits as
        worded there), its words, and their length."""
        time = item.desired
        for _ in range(len(self.placed) + 1):  # each move passes at least one placed
            text = item.worded_at(time)
            length = ms(self.oracle.speech(text))
            free = self.free_from(time, length)
            if free == time:
                break
            time = free
        return time, text, length

    def place(self, candidates: list[Candidate], segment: int) -> None:
        """Place ``candidates`` in order of priority. An optional one (a repeating
        reminder's occurrence) that finds no room is skipped; only when no occurrence of
        its text is said is that a warning."""
        skipped: dict[str, Candidate] = {}
        said: set[str] = set()
        for item in sorted(candidates, key=lambda c: (c.priority, c.desired, c.order)):
            if item.optional:
                if self.place_optional(item, segment):
                    said.add(item.template)
                else:
                    skipped.setdefault(item.template, item)
                continue
            if item.anchored:
                length = ms(self.oracle.speech(item.text))
                if item.desired + length > self.end or self.overlaps(item.desired, length):
                    self.warn(f"no room for {item.role} {item.text!r} at its time; it is left out")
                    continue
                self.placed.append(Speech(ms(item.desired), length, item.text, item.role, segment))
                continue
            time, text, length = self.settle(item)
            if time + length <= self.end:
                self.placed.append(Speech(ms(time), length, text, item.role, segment))
            elif item.priority == 0 and time < self.end - SPEECH_GAP:
                cut = time + length - self.end
                self.warn(
                    f"the words do not fit: {cut:.1f} s of {quote(text, 40)} overrun the stage "
                    "and are cut; shorten the text or lengthen the stage"
                )
                self.placed.append(
                    Speech(
                        ms(time),
                        ms(self.end - time),
                        text,
                        item.role,
                        segment,
                        truncated=True,
                    )
                )
            else:
                overrun = time + length - self.end
                self.warn(
                    f"{item.role} {quote(text, 40)} does not fit (overrun {overrun:.1f} s) "
                    "and is left out; shorten the text or lengthen the stage"
                )
        for template, item in skipped.items():
            if template not in said:
                self.warn(
                    f"{item.role} {quote(item.text, 40)} finds no room at any of its times "
                    "and is never said; shorten the text or space what is said around it"
                )

    def place_optional(self, item: Candidate, segment: int) -> bool:
        """Place ``item`` where it fits whole before the end; whether it was."""
        time, text, length = self.settle(item)
        if time + length > self.end:
            return False
        self.placed.append(Speech(ms(time), length, text, item.role, segment))
        return True


def ms(seconds: float) -> float:
    """Times are kept to the millisecond: clean output, the same samples everywhere."""
    return round(seconds, 3)


class Part:
    """One stage part being laid out: its bounds, template values and speech candidates."""

    def __init__(
        self, start: float, end: float, values: dict[str, str], language: str = "en"
    ) -> None:
        self.start, self.end, self.values, self.language = start, end, values, language
        self.candidates: list[Candidate] = []
        self.last = True
        """Whether this is the stage's last part (the next stage is announced in it)."""

    def add(
        self,
        desired: float,
        template: str,
        role: SpeechRole,
        priority: int,
        *,
        anchored: bool = False,
        optional: bool = False,
    ) -> None:
        if not template:
            return
        self.candidates.append(
            Candidate(
                desired, template, role, priority, anchored, len(self.candidates), self, optional
            )
        )
