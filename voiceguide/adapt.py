"""Routines adapted to the patient: a painful side, and a session of a course.

Both are pure transforms from a routine to a routine, applied before compiling, so the
compiler, the previews, the exporter and the player all see the same result.

Guidance followed (see the project's domain texts): with pain on one side, work the
healthy side first and the painful side gently; the first sessions of a course are
shorter (5-7 minutes) and sparing, growing to 10-12 minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from voiceguide.errors import Diagnostic, OptionError, Severity
from voiceguide.model.record import replace
from voiceguide.model.routine import (
    Course,
    Item,
    ModeText,
    Reminder,
    Routine,
    Stage,
    items_duration,
)
from voiceguide.sides import same_side, spoken_side
from voiceguide.words import session_title

MIN_PART_SECONDS = 30.0
"""The shortest a stage part becomes in a short session of a course."""
PAINFUL_SIDES = ("left", "right")


class Variant(NamedTuple):
    """What a patient hears of a routine: a session of its course (None: the routine as
    written) and a painful side (None: both sides alike)."""

    session: int | None = None
    painful_side: str | None = None


def adapt(routine: Routine, variant: Variant) -> Routine:
    """The routine as the patient hears it in ``variant``: a session of the course first,
    then the painful side. A session the routine's course lacks is an
    :class:`OptionError` naming ``--session``."""
    if variant.session is not None:
        course = routine.course
        if course is None:
            raise OptionError("--session", "this routine has no course of sessions")
        if not 1 <= variant.session <= course.sessions:
            raise OptionError(
                "--session",
                f"{str(variant.session)!r} is not a session of this course: "
                f"use 1 to {course.sessions}",
            )
        routine = for_session(routine, course, variant.session)
    if variant.painful_side is not None:
        routine = with_painful_side(routine, variant.painful_side)
    return routine


def with_painful_side(routine: Routine, side: str) -> Routine:
    """The healthy side first in every stage done on both sides, the painful one last,
    gentler: a spoken reminder to press more lightly, the stage's own words for the
    painful side where it gives them (its ``painful`` key), and shorter where the stage
    says so (its ``painful_scale``), its reminders and count fitted to the shorter part.
    Stage lengths do not change."""

    def hurts(name: str) -> bool:
        return same_side(name, side, routine.language)

    note = routine.phrases.get("painful_side", "")
    touched = False

    def painful_last(stage: Stage) -> Stage:
        nonlocal touched
        painful = [s for s in stage.sides if hurts(s)]
        if not painful or not stage.follows_painful_side:
            return stage
        touched = True
        order = [s for s in stage.sides if not hurts(s)] + painful
        weights = tuple((stage.painful_scale or 1.0) if hurts(s) else 1.0 for s in order)
        moved = replace(stage, sides=tuple(order), side_weights=weights)
        share = moved.part_durations()[-1] / stage.part_duration()
        own = stage.painful or ModeText()
        say, remind = stage.texts_for("")
        texts = ModeText(
            own.say if own.say is not None else say,
            _scaled_reminders(own.remind if own.remind is not None else remind, share),
        )
        count = stage.count
        if count is not None and share < 1.0:
            count = replace(count, fit=True)
        return replace(
            moved,
            side_notes={painful[0]: note} if note else {},
            side_texts={painful[0]: texts},
            count=count,
        )

    stages = _map_stages(routine.stages, painful_last)
    if not touched:
        warning = Diagnostic(
            Severity.WARNING,
            f"no stage of this routine is done on the {side} side; --painful-side changes nothing",
        )
        return replace(routine, warnings=(*routine.warnings, warning))
    intro = routine.phrases.get("painful_intro", "")
    preparation = routine.preparation
    if intro:
        preparation = (
            *preparation,
            intro.format_map(_Missing(side=spoken_side(side, routine.language))),
        )
    description = routine.painful_description or routine.description
    return replace(routine, stages=stages, preparation=preparation, description=description)


def for_session(routine: Routine, course: Course, session: int) -> Routine:
    """The routine as played in ``session`` (1-based) of ``course``: shortened to the
    session's massage time, and in the sparing sessions in the stages' sparing words
    (where a stage gives none, its own after a reminder to press lightly; a stage with no
    words, such as a timed hold, stays silent)."""
    if not 1 <= session <= course.sessions:
        raise ValueError(f"session {session} is not in this course (1 to {course.sessions})")
    target = course.massage_time(session, routine.stage_time)
    stages = _offered(routine.stages, session)
    offered = replace(routine, stages=stages)
    full = offered.stage_time
    if target < full:
        gaps = full - items_duration(_stages_only(stages), 0.0)
        scale = _scale_to(stages, target - gaps)
        stages = _map_stages(stages, lambda stage: _shortened(stage, scale))
    preparation = routine.preparation
    if session == 1 and routine.phrases.get("see_doctor"):
        # "Before the course of massage, a general examination of the patient's general
        # health is mandatory to determine the contraindications."
        preparation = (routine.phrases["see_doctor"], *preparation)
    description = routine.description
    if session <= course.sparing:
        sparing = routine.phrases.get("sparing", "")
        gently = routine.phrases.get("sparing_stage", "")
        if sparing:
            preparation = (*preparation, sparing)
        stages = _map_stages(stages, lambda stage: _sparing(stage, gently))
        description = routine.sparing_description or description
    title = session_title(routine.title, session, course.sessions, routine.language)
    return replace(
        routine, title=title, stages=stages, preparation=preparation, description=description
    )


def _sparing(stage: Stage, gently: str) -> Stage:
    """``stage`` as said in a sparing session."""
    own = stage.sparing or ModeText()
    default = (gently, *stage.say) if gently and stage.say else stage.say  # silent stays silent
    say = own.say if own.say is not None else default
    remind = own.remind if own.remind is not None else stage.remind
    return replace(stage, say=say, remind=remind)


def _offered(items: tuple[Item, ...], session: int) -> tuple[Item, ...]:
    """The items with the stages a session of the course does not have yet left out (and
    the blocks left empty by that)."""
    kept: list[Item] = []
    for item in items:
        if isinstance(item, Stage):
            if item.from_session <= session:
                kept.append(item)
        elif inner := _offered(item.items, session):
            kept.append(replace(item, items=inner))
    return tuple(kept)


def _scale_to(stages: tuple[Item, ...], seconds: float) -> float:
    """The share of its length each stage keeps (down to its shortest, see
    :func:`_shortest`) for the stages to last ``seconds`` in all (transitions aside)."""

    def total(scale: float) -> float:
        shortened = _map_stages(
            stages, lambda stage: replace(stage, duration=_length(stage, scale))
        )
        return items_duration(_stages_only(shortened), 0.0)

    low, high = 0.0, 1.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if total(middle) < seconds else (low, middle)
    return high


def _shortest(stage: Stage) -> float:
    """The shortest a stage becomes in a short session: each of its parts keeps
    :data:`MIN_PART_SECONDS`, to massage after the words (the painful side's part, the
    smallest, too), unless written shorter; a fixed stage keeps its length."""
    if stage.fixed:
        return stage.duration
    parts = max(len(stage.sides), 1)
    weights = [1.0] * parts
    if stage.sides and stage.painful_scale:
        weights[-1] = stage.painful_scale
    needed = stage.switch_pause * (parts - 1) + MIN_PART_SECONDS * sum(weights) / min(weights)
    return min(stage.duration, needed)


def _length(stage: Stage, scale: float) -> float:
    return max(round(stage.duration * scale, 1), _shortest(stage))


def _shortened(stage: Stage, scale: float) -> Stage:
    """A stage cut to ``scale`` of its length. Short sessions keep the essentials: the
    instructions, and the counted repetitions that fit whole after them at the
    routine's tempo; one-off reminders go once the stage is under three quarters of its
    length, and those kept move with it."""
    duration = _length(stage, scale)
    factor = duration / stage.duration
    if factor >= 1.0:
        return stage
    kept = tuple(r for r in stage.remind if r.every is not None or factor >= 0.75)
    count = stage.count
    if count is not None:
        start = None if count.start is None else round(count.start * factor, 1)
        count = replace(count, start=start, fit=True)
    sparing = stage.sparing
    if sparing is not None and sparing.remind is not None:
        sparing = replace(sparing, remind=_scaled_reminders(sparing.remind, factor, drop=True))
    painful = stage.painful
    if painful is not None and painful.remind is not None:
        painful = replace(painful, remind=_scaled_reminders(painful.remind, factor, drop=True))
    return replace(
        stage,
        duration=duration,
        remind=_scaled_reminders(kept, factor),
        count=count,
        sparing=sparing,
        painful=painful,
    )


def _scaled_reminders(
    reminders: tuple[Reminder, ...], factor: float, *, drop: bool = False
) -> tuple[Reminder, ...]:
    """``reminders`` in a part ``factor`` times as long: one-off ones at the same share
    of the part (with ``drop``, left out under three quarters of the length)."""
    if factor >= 1.0:
        return reminders
    if drop and factor < 0.75:
        reminders = tuple(r for r in reminders if r.every is not None)
    return tuple(
        replace(r, at=round(r.at * factor, 1)) if r.at is not None else r for r in reminders
    )


def _map_stages(items: tuple[Item, ...], change: Callable[[Stage], Stage]) -> tuple[Item, ...]:
    result: list[Item] = []
    for item in items:
        if isinstance(item, Stage):
            result.append(change(item))
        else:
            result.append(replace(item, items=_map_stages(item.items, change)))
    return tuple(result)


def _stages_only(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """The same items with every transition removed (to measure stage time alone)."""
    return tuple(
        item
        if isinstance(item, Stage)
        else replace(item, transition=0.0, items=_stages_only(item.items))
        for item in items
    )


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


__all__ = ["PAINFUL_SIDES", "Variant", "adapt", "for_session", "with_painful_side"]
