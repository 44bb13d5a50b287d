"""The timed script: what the compiler produces and every writer, renderer and player reads.

Times are seconds from the start of the session.  Segments tile the timeline end to end
(introduction, stage parts, transitions, ending); events are sorted by time.
"""

from __future__ import annotations

from typing import Literal

from voiceguide.errors import Diagnostic
from voiceguide.model.record import Record, field
from voiceguide.model.routine import Safety, Voice

SegmentKind = Literal["intro", "stage", "transition", "outro"]
SpeechRole = Literal[
    "intro", "announce", "switch", "instruction", "reminder", "count", "countdown", "next", "outro"
]


class Segment(Record):
    """A stretch of the session: one stage (one side of it), a transition, or the spoken
    introduction and ending.  ``repetition`` is (n, total) inside a repeat block."""

    index: int
    kind: SegmentKind
    name: str
    start: float
    end: float
    side: str | None = None
    technique: str | None = None
    repetition: tuple[int, int] | None = None
    stage_number: int | None = None

    @property
    def duration(self) -> float:
        """Seconds, to the millisecond like every time on the timeline."""
        return round(self.end - self.start, 3)

    @property
    def label(self) -> str:
        """The name a chapter or a display shows: ``Rubbing (left)``, ``Press 2/3``."""
        text = self.name
        if self.repetition and self.repetition[1] > 1:
            text += f" {self.repetition[0]}/{self.repetition[1]}"
        if self.side:
            text += f" ({self.side})"
        return text


class Speech(Record):
    time: float
    duration: float
    text: str
    role: SpeechRole
    segment: int
    truncated: bool = False

    @property
    def end(self) -> float:
        return self.time + self.duration


class Tone(Record):
    time: float
    duration: float
    cue: str
    sound: str
    segment: int

    @property
    def end(self) -> float:
        return self.time + self.duration


Event = Speech | Tone


class Script(Record):
    title: str
    language: str
    duration: float
    segments: tuple[Segment, ...]
    events: tuple[Event, ...]
    voice: Voice = field(default_factory=Voice)
    description: str | None = None
    author: str | None = None
    position_text: str | None = None
    preparation: tuple[str, ...] = ()
    safety: Safety = field(default_factory=Safety)
    warnings: tuple[Diagnostic, ...] = ()
    estimated: bool = False
    """Whether the speech lengths are estimated from the speaking rate (the times are
    then about right), rather than measured from the speech itself."""

    @property
    def stages(self) -> tuple[Segment, ...]:
        """Only the segments that are stage parts."""
        return tuple(s for s in self.segments if s.kind == "stage")

    def speech(self) -> tuple[Speech, ...]:
        return tuple(e for e in self.events if isinstance(e, Speech))

    def tones(self) -> tuple[Tone, ...]:
        return tuple(e for e in self.events if isinstance(e, Tone))

    def segment_at(self, time: float) -> Segment:
        """The segment playing at ``time`` (the last one at or after the end)."""
        for segment in self.segments:
            if segment.start <= time < segment.end:
                return segment
        return self.segments[-1]
