"""A printable Markdown handout: title, safety, position and a table of the stages."""

from __future__ import annotations

from voiceguide.durations import format_clock, format_length, format_session_length
from voiceguide.model.script import Script

_SPOKEN_ROLES = {"instruction", "switch"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(script: Script) -> str:
    out = [f"# {script.title}", ""]
    if script.description:
        out += [script.description, ""]
    length = format_session_length(script.duration, estimated=script.estimated)
    facts = [f"**Duration:** {length}"]
    if script.author:
        facts.append(f"**By:** {script.author}")
    out += [" · ".join(facts), ""]
    safety = script.safety
    if safety.contraindications or safety.stop_if or script.position_text or script.preparation:
        out += ["## Before you start", ""]
    if safety.contraindications:
        out += ["**Do not do this session if you have any of these:**", ""]
        out += [f"- {item}" for item in safety.contraindications] + [""]
    if safety.stop_if:
        out += ["**Stop at once if you feel any of these:**", ""]
        out += [f"- {item}" for item in safety.stop_if] + [""]
    if script.position_text:
        out += [f"**Position:** {script.position_text}", ""]
    for step in script.preparation:
        out += [f"**Preparation:** {step}", ""]
    out += [
        "## Stages",
        "",
        "| # | Starts | Stage | Technique | Length | What to do |",
        "|---|-------:|-------|-----------|-------:|------------|",
    ]
    said: dict[int, list[str]] = {}
    for speech in script.speech():
        if speech.role in _SPOKEN_ROLES:
            said.setdefault(speech.segment, []).append(speech.text)
    for segment in script.stages:
        out.append(
            f"| {segment.stage_number} | {format_clock(segment.start)} | {_cell(segment.label)} "
            f"| {segment.technique or ''} | {format_length(segment.duration)} "
            f"| {_cell(' '.join(said.get(segment.index, [])))} |"
        )
    out += [
        "",
        f"Total: {length}, with the spoken introduction and ending.",
        "",
    ]
    return "\n".join(out)
