"""A routine as the YAML format (version 1) describes it: its records, and the format's
names and limits.

No I/O: :func:`voiceguide.load.load_routine` reads a file into these records, reporting
every problem; the compiler and the commands read them. The records are frozen
(:mod:`voiceguide.model.record`); those never compared for equality compare by identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from voiceguide.errors import Diagnostic, Position
from voiceguide.model.record import Record, field
from voiceguide.phrases import phrases_for

FORMAT_VERSION = 1
MAX_SESSION_SECONDS = 24 * 3600.0
"""The longest a session (and any one duration in it) may last."""
MIN_STAGE_SECONDS = 1.0
"""The shortest a stage (each side's part of it) may last: time for a cue and a word."""
MAX_STAGES = 500
"""The most stages a session may have, each repetition of a repeat block counted: a long
course session has a few dozen."""
MAX_SIDES = 4
"""The most sides a stage may be done on (most are done on two: left and right)."""
MAX_TEXT_CHARS = 2000
"""The longest text spoken as one utterance, template variables filled in (a few
minutes of speech; the speech engine fails on texts several times longer)."""
MAX_NAME_CHARS = 100
"""The longest name of a stage or a side: announced, shown as a heading, and filled into
templates."""
MAX_REPEAT = 1000
MAX_COUNT_REPS = 1000
MAX_INCLUDE_DEPTH = 16
MAX_INCLUDES = 100
"""The most times a routine may include files, a file included twice counted twice."""
MAX_INCLUDED_BYTES = 1 << 20
"""The most text the files a routine includes may hold together, a file counted each
time it is included."""

TECHNIQUES = (
    "stroking",
    "squeezing",
    "rubbing",
    "kneading",
    "pressure",
    "acupressure",
    "compression",
    "vibration",
    "tapping",
    "shaking",
    "exercise",
    "rest",
)
CUE_NAMES = ("start", "end", "switch", "halfway", "countdown", "finish")
DEFAULT_SOUNDS: dict[str, str] = {
    "start": "chime",
    "end": "bell",
    "switch": "double",
    "halfway": "soft",
    "countdown": "tick",
    "finish": "gong",
}
TEMPLATE_VARIABLES = ("stage", "next", "side", "n", "remaining", "total")


class Voice(Record):
    """Speech settings; ``None`` leaves the choice to the engine or the command line."""

    id: str | None = None
    rate: int | None = None
    volume: float | None = None


class Safety(Record):
    contraindications: tuple[str, ...] = ()
    stop_if: tuple[str, ...] = ()


class CueOverrides(Record, eq=False):
    """Cue settings as written at one level; ``None`` means inherit."""

    countdown: int | None = None
    halfway: bool | None = None
    next_up: float | None = None
    sounds: Mapping[str, str | None] = field(default_factory=dict)


class Cues(Record, eq=False):
    """Resolved cue settings: countdown seconds, halfway cue, next-up lead (0 = off) and
    the sound of each cue (a built-in name, a file path, or ``None`` for silence)."""

    countdown: int = 3
    halfway: bool = True
    next_up: float = 0.0
    sounds: Mapping[str, str | None] = field(default_factory=lambda: dict(DEFAULT_SOUNDS))

    def merged(self, over: CueOverrides) -> Cues:
        return Cues(
            countdown=self.countdown if over.countdown is None else over.countdown,
            halfway=self.halfway if over.halfway is None else over.halfway,
            next_up=self.next_up if over.next_up is None else over.next_up,
            sounds={**self.sounds, **over.sounds},
        )


class Reminder(Record, eq=False):
    """Spoken at ``at`` seconds into the stage, or every ``every`` seconds."""

    text: str
    at: float | None = None
    every: float | None = None


class Count(Record, eq=False):
    """Spoken repetitions "1", "2", … every ``every`` seconds; ``start`` is the offset of
    "1" in the stage, or ``None`` to start as soon as the instructions are spoken."""

    reps: int
    every: float
    start: float | None = None
    fit: bool = False
    """Count only the repetitions that fit after the instructions and before the
    stage's closing cues (at least one), without a warning: set when a variant shortens
    the stage, so a short session counts fewer repetitions, each of them whole."""


class ModeText(Record, eq=False):
    """What a stage says instead of its own words in one mode: a sparing session of a
    course, or the painful side's part. ``None`` keeps the stage's own."""

    say: tuple[str, ...] | None = None
    remind: tuple[Reminder, ...] | None = None


class Stage(Record, eq=False):
    name: str
    duration: float
    position: Position
    technique: str | None = None
    say: tuple[str, ...] = ()
    remind: tuple[Reminder, ...] = ()
    sides: tuple[str, ...] = ()
    switch_pause: float = 0.0
    count: Count | None = None
    cues: CueOverrides = field(default_factory=CueOverrides)
    painful_scale: float | None = None
    """With a painful side, that side's part is this share of a healthy side's."""
    fixed: bool = False
    """Keeps its length in the shorter sessions of a course (a hold the guidance times)."""
    from_session: int = 1
    """The first session of a course that has this stage (a technique that waits until
    the sparing sessions are over)."""
    side_weights: tuple[float, ...] = ()
    """Relative lengths of the sides' parts (empty: equal); set for a painful side."""
    side_notes: Mapping[str, str] = field(default_factory=dict)
    """Said at the start of a side's part, after the switch (e.g. to press more lightly)."""
    sparing: ModeText | None = None
    """Words for the sparing sessions of a course (its ``sparing`` key)."""
    painful: ModeText | None = None
    """Words for the painful side's part (its ``painful`` key)."""
    follows_painful_side: bool = True
    """Whether a painful side changes this stage (``painful: false``: the sides are not
    where it hurts, such as a point on each hand)."""
    side_texts: Mapping[str, ModeText] = field(default_factory=dict)
    """Words a side's part says instead of the stage's (set for a painful side)."""

    def texts_for(self, side: str) -> tuple[tuple[str, ...], tuple[Reminder, ...]]:
        """The instructions and reminders of ``side``'s part ('' when the stage has no
        sides)."""
        own = self.side_texts.get(side)
        say = own.say if own is not None and own.say is not None else self.say
        remind = own.remind if own is not None and own.remind is not None else self.remind
        return say, remind

    def part_duration(self) -> float:
        """Length of the shortest side's part (the whole stage when it has no sides)."""
        return min(self.part_durations())

    def part_durations(self) -> tuple[float, ...]:
        """Length of each side's part, in order (one part when it has no sides)."""
        parts = max(len(self.sides), 1)
        active = self.duration - self.switch_pause * (parts - 1)
        weights = self.side_weights or (1.0,) * parts
        return tuple(active * weight / sum(weights) for weight in weights)


class Block(Record, eq=False):
    """Stages repeated ``repeat`` times; ``transition`` (if set) applies inside the block."""

    name: str | None
    repeat: int
    items: tuple[Item, ...]
    position: Position
    transition: float | None = None
    cues: CueOverrides = field(default_factory=CueOverrides)

    def duration(self, outer_transition: float) -> float:
        gap = outer_transition if self.transition is None else self.transition
        return self.repeat * items_duration(self.items, gap) + gap * (self.repeat - 1)


Item = Stage | Block


def written_stages(items: tuple[Item, ...]) -> list[Stage]:
    """Every stage written in ``items``, blocks opened, each once (not repeated)."""
    found: list[Stage] = []
    for item in items:
        found.extend([item] if isinstance(item, Stage) else written_stages(item.items))
    return found


def stage_count(items: tuple[Item, ...]) -> int:
    """The stages ``items`` play, each repetition of a block counted, worked out without
    expanding the repetitions."""
    return sum(
        1 if isinstance(item, Stage) else item.repeat * stage_count(item.items) for item in items
    )


def items_duration(items: tuple[Item, ...], transition: float) -> float:
    total = 0.0
    for item in items:
        total += item.duration if isinstance(item, Stage) else item.duration(transition)
    return total + transition * max(len(items) - 1, 0)


class Course(Record, eq=False):
    """How a routine grows over a course of sessions.

    ``first`` is the massage time (stages and transitions, without the spoken
    introduction and ending) of session 1; it grows evenly to the routine's full length
    at session ``full_from``. The first ``sparing`` sessions keep the pressure light.
    """

    sessions: int
    first: float
    full_from: int
    sparing: int = 0

    def massage_time(self, session: int, full: float) -> float:
        """Seconds of massage in ``session`` for a routine of ``full`` seconds."""
        if session >= self.full_from or self.full_from <= 1:
            return full
        share = (session - 1) / (self.full_from - 1)
        return min(self.first + (full - self.first) * share, full)


class Routine(Record, eq=False):
    title: str
    stages: tuple[Item, ...]
    path: Path | None = None
    name: str | None = None
    description: str | None = None
    sparing_description: str | None = None
    """The description of the course's sparing sessions (the ``sparing`` key's)."""
    painful_description: str | None = None
    """The description with a painful side (the ``painful`` key's)."""
    language: str = "en"
    author: str | None = None
    voice: Voice = field(default_factory=Voice)
    position_text: str | None = None
    preparation: tuple[str, ...] = ()
    closing: str | None = None
    safety: Safety = field(default_factory=Safety)
    cues: Cues = field(default_factory=Cues)
    transition: float = 0.0
    phrases: Mapping[str, str] = field(default_factory=lambda: phrases_for("en"))
    course: Course | None = None
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def stage_time(self) -> float:
        """Seconds of stages and transitions (the spoken introduction and ending excluded)."""
        return items_duration(self.stages, self.transition)
