"""A played session from routine to outcome: the course session, the safety check, the
guide, the history record and the hint to go on from where it stopped. The CLI only
asks and reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voiceguide.adapt import Variant
from voiceguide.pipeline import VoiceOptions

if TYPE_CHECKING:
    from voiceguide.model.routine import Routine
    from voiceguide.play.session import Outcome

Confirm = Callable[[tuple[str, ...], tuple[str, ...]], None]
"""Shown the contraindications and the signs to stop at; raises to say no."""


@dataclass(frozen=True)
class PlayRequest:
    routine: Routine
    reference: str
    """The routine as the user named it (for the resume hint and the history)."""
    variant: Variant = field(default_factory=Variant)
    next_session: bool = False
    """Play the course session after the last one completed (``--session auto``)."""
    voice: VoiceOptions = field(default_factory=VoiceOptions)
    start_at: str | None = None
    device: int | str | None = None
    volume: float = 1.0
    use_cache: bool = True


@dataclass(frozen=True)
class Played:
    outcome: Outcome
    where: str
    """Where it ended: the stage and the time, e.g. "Kneading (left) at 04:10"."""
    resume: str
    """The command that goes on from the stage it ended in."""


def play_routine(request: PlayRequest, confirm: Confirm, warn: Callable[[str], None]) -> Played:
    """Play the session ``request`` asks for, recording it in the history; ``warn`` is
    told what the patient should know but does not stop the session."""
    from voiceguide.adapt import adapt
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.durations import format_clock
    from voiceguide.history import History, routine_key
    from voiceguide.pipeline import prepare
    from voiceguide.play import audio_output, play
    from voiceguide.play.record import Recorder
    from voiceguide.stages import find_stage

    routine, variant = request.routine, request.variant
    key = routine_key(routine, request.reference)
    if request.next_session and routine.course is not None:
        done = History().completed_sessions(key)
        variant = variant._replace(session=min(done + 1, routine.course.sessions))
    elif request.next_session:
        variant = variant._replace(session=1)  # refused with the reason by the adapt step
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
    )
    script = guide.script
    start = next(s.start for s in script.stages if s.stage_number == stage) if stage else 0.0
    recorder = Recorder(key, script.title, variant.session, script.duration, warn=warn)
    outcome = play(
        guide,
        start=start,
        volume=request.volume,
        device=output[0],
        get_ready_phrase=ready,
        progress=recorder.progress,
    )
    recorder.finish(outcome.reason, outcome.seconds, outcome.segment.label)
    number = outcome.segment.stage_number
    resume = f"voiceguide play {request.reference}" + (f" --start-at {number}" if number else "")
    if outcome.dropouts:
        caught_up = (
            f" (skipped {outcome.skipped * 1000:.0f} ms of the guide to stay on time)"
            if outcome.skipped
            else ""
        )
        warn(
            f"the sound stuttered {outcome.dropouts} time(s){caught_up}: the machine was too "
            "busy; close other programs, or play an exported guide"
        )
    where = f"{outcome.segment.label} at {format_clock(outcome.seconds)}"
    return Played(outcome, where, resume)
