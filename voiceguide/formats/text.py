"""A readable timeline: one line per stage and per event (the routine's texts each on one
line, without control characters: :func:`voiceguide.text.one_line`)."""

from __future__ import annotations

from voiceguide.durations import format_clock, format_length, format_session_length
from voiceguide.model.script import Script, Speech
from voiceguide.text import one_line
from voiceguide.words import cue_label, labels_for

_CUE_MARK = "♪"
_STAGE_MARK = "▶"


def to_text(script: Script) -> str:
    labels = labels_for(script.language)
    length = format_session_length(
        script.duration, estimated=script.estimated, language=script.language
    )
    lines = [f"{one_line(script.title)} ({length})"]
    if script.description:
        lines.append(one_line(script.description))
    lines.append("")
    events = iter(script.events)
    pending = next(events, None)
    for segment in script.segments:
        if segment.kind == "transition":
            lines.append(
                f"{format_clock(segment.start)} {_STAGE_MARK} {labels['pause']} ({format_length(segment.duration)})"
            )
        else:
            lines.append(
                f"{format_clock(segment.start)} {_STAGE_MARK} {one_line(segment.label)} ({format_length(segment.duration)})"
            )
        while pending is not None and pending.segment == segment.index:
            clock = format_clock(pending.time)
            if isinstance(pending, Speech):
                cut = f" [{labels['cut']}]" if pending.truncated else ""
                lines.append(f'{clock}   "{one_line(pending.text)}"{cut}')
            else:
                lines.append(f"{clock}   {_CUE_MARK} {cue_label(pending.cue, script.language)}")
            pending = next(events, None)
    lines.append(f"{format_clock(script.duration, nearest=True)} ■ {labels['end']}")
    return "\n".join(lines) + "\n"
