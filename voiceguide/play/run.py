"""A played session from routine to outcome: the course session, the safety check, the
questions for the patient's own record, the guide, the history record and the hint to go
on from where it stopped. The CLI only asks and reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voiceguide.adapt import Variant
from voiceguide.pipeline import VoiceOptions

if TYPE_CHECKING:
    from voiceguide.course_review import Advice
    from voiceguide.model.routine import Routine
    from voiceguide.play.questions import Questions
    from voiceguide.play.record import Recorder
    from voiceguide.play.session import Outcome

Confirm = Callable[[tuple[str, ...], tuple[str, ...]], None]
"""Shown the contraindications and the signs to stop at; raises to say no."""


@dataclass(frozen=True)
class PlayRequest:
    routine: Routine
    reference: str
    """The routine as the user named it (for the resume hint and the history)."""
    variant: Variant = field(default_factory=Variant)
    voice: VoiceOptions = field(default_factory=VoiceOptions)
    start_at: str | None = None
    device: int | str | None = None
    latency: float | None = None
    """Seconds of sound the device holds (None: the default)."""
    volume: float = 1.0
    use_cache: bool = True


@dataclass(frozen=True)
class Played:
    outcome: Outcome
    where: str
    """Where it ended: the stage and the time, e.g. "Kneading (left) at 04:10"."""
    advice: Advice | None = None
    """The guidance's advice to stop the course, when the answer after it brings it."""


ANSWERED_AFTER = ("finished", "quit")
"""The ends after which the questions are asked: the session ended, or the patient
stopped it with q (not Ctrl-C, which stops everything, nor a lost sound device)."""


def next_session(routine: Routine, reference: str) -> int:
    """The course session after the last one completed (``--session auto``): the last
    session once all are done; 1 for a routine without a course (which adapting then
    refuses, saying so)."""
    from voiceguide.history import History, routine_key

    if routine.course is None:
        return 1
    done = History().completed_sessions(routine_key(routine, reference))
    return min(done + 1, routine.course.sessions)


def _course_session(routine: Routine, variant: Variant) -> str | None:
    """The course session ``variant`` is, as the status line names it ("session 3 of
    10"); None when it is no session of a course."""
    if variant.session is None or routine.course is None:
        return None
    return f"session {variant.session} of {routine.course.sessions}"


def play_routine(
    request: PlayRequest,
    confirm: Confirm,
    warn: Callable[[str], None],
    *,
    questions: Questions | None = None,
    remind: Callable[[Advice], None] | None = None,
) -> Played:
    """Play the session ``request`` asks for, recording it in the history; ``warn`` is
    told what the patient should know but does not stop the session.

    With ``questions`` (someone can answer), the pain is asked once the guide is ready
    to play (so a missing device or voice is said first) and after the session, and
    from the third session of a course whether things are better, the same or worse
    since it began; the answers are kept with the session. ``remind`` is shown, before
    a course session, the advice the course's record already brings."""
    from voiceguide.adapt import adapt
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.durations import format_clock
    from voiceguide.history import routine_key
    from voiceguide.pipeline import prepare
    from voiceguide.play import audio_output, play
    from voiceguide.play.record import Recorder
    from voiceguide.stages import find_stage

    routine = request.routine
    key = routine_key(routine, request.reference)
    variant = request.variant
    adapted = adapt(routine, variant)
    stage = find_stage(adapted, request.start_at) if request.start_at is not None else None
    confirm(adapted.safety.contraindications, adapted.safety.stop_if)
    output: list[int | str | None] = []  # found while the speech engine starts
    ready = adapted.phrases.get("get_ready", "")
    extra_texts = tuple(t for t in (ready, "3", "2", "1") if t)
    guide = prepare(
        routine,
        variant,
        request.voice,
        RenderSettings(),
        use_cache=request.use_cache,
        extra_texts=extra_texts,
        adapted=adapted,
        meanwhile=lambda: output.append(audio_output().find(request.device)),
        warn=warn,
    )
    script = guide.script
    start = next(s.start for s in script.stages if s.stage_number == stage) if stage else 0.0
    course_session = variant.session if routine.course is not None else None
    if course_session is not None and remind is not None:
        _remind_of_advice(key, remind)
    pain_before = questions.pain("before") if questions else None  # the guide is ready
    recorder = Recorder(
        key, script.title, variant.session, script.duration, warn=warn, pain_before=pain_before
    )
    outcome = play(
        guide,
        start=start,
        volume=request.volume,
        device=output[0],
        latency=request.latency,
        get_ready_phrase=ready,
        progress=recorder.progress,
        course=_course_session(routine, variant),
    )
    recorder.finish(outcome.reason, outcome.seconds, outcome.segment.label)
    if outcome.stalls or outcome.underflows:
        warn(stall_report(outcome))
    advice = None
    if questions is not None and outcome.reason in ANSWERED_AFTER:
        advice = _ask_after(questions, recorder, course_session)
    where = f"{outcome.segment.label} at {format_clock(outcome.seconds)}"
    return Played(outcome, where, advice)


def stall_report(outcome: Outcome) -> str:
    """What the patient is told when the sound stalled: how often, how long, how the
    guide got back on time, and what the device said besides."""
    said = []
    if outcome.stalls:
        stalled = f"the sound stalled {times(outcome.stalls)}, {outcome.lost:.1f} s in all"
        if outcome.skipped:
            said.append(
                f"{stalled}; {outcome.skipped:.1f} s of the guide was skipped to stay on "
                "time (no pause came soon enough)"
            )
        else:
            said.append(
                f"{stalled}, made up in the pauses after (no word lost, "
                f"{outcome.taken_back:.1f} s taken back)"
            )
    if outcome.underflows:
        said.append(
            f"the sound device ran short {times(outcome.underflows)}; what it held then was "
            "played again, so a moment may have been heard twice"
        )
    advice = (
        "close other programs, or play an exported guide"
        if outcome.skipped
        else "close other programs for a steadier session"
    )
    return f"the machine was busy: {'; '.join(said)}; {advice}"


def times(count: int) -> str:
    """How many times, in words: "once", "twice", "3 times"."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _ask_after(
    questions: Questions, recorder: Recorder, course_session: int | None
) -> Advice | None:
    """Ask the pain after the session and, from the third session of a course, how
    things are since it began; keep the answers; the advice the answer brings, if any."""
    from voiceguide.course_review import ASKED_FROM_SESSION, advice_for

    pain_after = questions.pain("after")
    feeling = None
    if course_session is not None and course_session >= ASKED_FROM_SESSION:
        feeling = questions.feeling()
    recorder.answer(pain_after, feeling)
    return advice_for(course_session, feeling) if course_session is not None else None


def _remind_of_advice(key: str, remind: Callable[[Advice], None]) -> None:
    """Show the advice the course's record brings, if any (a history that cannot be read
    is reported when the session is recorded)."""
    from voiceguide.course_review import course_advice
    from voiceguide.history import History, HistoryError

    try:
        advice = course_advice(History().records(key))
    except HistoryError:
        return
    if advice is not None:
        remind(advice)
