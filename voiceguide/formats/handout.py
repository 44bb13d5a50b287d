"""A printable Markdown handout: title, safety, position and a table of the stages, in
the routine's language. The routine's texts are each put on one line, without control
characters (:func:`voiceguide.text.one_line`): a blank line in one would end its list
item or table row."""

from __future__ import annotations

from voiceguide.durations import format_clock, format_length, format_session_length
from voiceguide.model.script import Script
from voiceguide.phrases import phrases_for
from voiceguide.text import one_line
from voiceguide.words import labels_for, technique_name

_SPOKEN_ROLES = {"instruction", "switch"}


def _cell(text: str) -> str:
    return one_line(text).replace("|", "\\|")


def instructions(script: Script) -> dict[int, list[str]]:
    """What is said in each segment (by its index) to tell what to do: the instructions
    and the switches of side, in order."""
    said: dict[int, list[str]] = {}
    for speech in script.speech():
        if speech.role in _SPOKEN_ROLES:
            said.setdefault(speech.segment, []).append(speech.text)
    return said


def to_markdown(script: Script) -> str:
    labels, phrases = labels_for(script.language), phrases_for(script.language)
    out = [f"# {one_line(script.title)}", ""]
    if script.description:
        out += [one_line(script.description), ""]
    length = format_session_length(
        script.duration, estimated=script.estimated, language=script.language
    )
    facts = [f"**{labels['duration']}:** {length}"]
    if script.author:
        facts.append(f"**{labels['author']}:** {one_line(script.author)}")
    out += [" · ".join(facts), ""]
    safety = script.safety
    out += [f"## {labels['before']}", ""]
    if phrases["see_doctor"] and phrases["see_doctor"] not in script.preparation:
        out += [f"**{phrases['see_doctor']}**", ""]
    if safety.contraindications:
        out += [f"**{phrases['contraindications']}**", ""]
        out += [f"- {one_line(item)}" for item in safety.contraindications] + [""]
    if safety.stop_if:
        out += [f"**{phrases['stop_if']}**", ""]
        out += [f"- {one_line(item)}" for item in safety.stop_if] + [""]
    if script.position_text:
        out += [f"**{labels['position']}:** {one_line(script.position_text)}", ""]
    for step in script.preparation:
        out += [f"**{labels['preparation']}:** {one_line(step)}", ""]
    columns = ("starts", "stage", "technique", "length", "what_to_do")
    out += [
        f"## {labels['stages']}",
        "",
        "| # | " + " | ".join(labels[column] for column in columns) + " |",
        "|---|-------:|-------|-----------|-------:|------------|",
    ]
    said = instructions(script)
    for segment in script.stages:
        technique = technique_name(segment.technique, script.language) if segment.technique else ""
        out.append(
            f"| {segment.stage_number} | {format_clock(segment.start)} | {_cell(segment.label)} "
            f"| {_cell(technique)} | {format_length(segment.duration)} "
            f"| {_cell(' '.join(said.get(segment.index, [])))} |"
        )
    total = labels["total"].format(length=length)
    out += ["", total, ""]
    return "\n".join(out)
