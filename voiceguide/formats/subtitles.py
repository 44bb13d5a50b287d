"""Subtitles, one cue per utterance: SubRip (.srt) and WebVTT (.vtt).

A cue's text is always one line (:func:`voiceguide.text.one_line`): a line break or a
blank line in a routine's text would end the cue and let what follows pass for cues of
its own. A text with nothing to show gets no cue.
"""

from __future__ import annotations

from collections.abc import Iterator

from voiceguide.model.script import Script
from voiceguide.text import one_line


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _cues(script: Script, separator: str) -> Iterator[tuple[str, str]]:
    """(timing, text) of each utterance that has text to show."""
    for speech in script.speech():
        text = one_line(speech.text)
        if text:
            timing = f"{_stamp(speech.time, separator)} --> {_stamp(speech.end, separator)}"
            yield timing, text


def to_srt(script: Script) -> str:
    """SubRip has no escapes: an arrow in a text is written "→", so that no reader takes
    the line for a cue's timing."""
    blocks = [
        f"{number}\n{timing}\n{text.replace('-->', '→')}\n"
        for number, (timing, text) in enumerate(_cues(script, ","), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(script: Script) -> str:
    """A WebVTT cue's text is escaped (``&amp;``, ``&lt;``, ``&gt;``): it is markup, and a
    line holding "-->" would end the cue."""
    blocks = ["WEBVTT\n"]
    blocks.extend(f"{timing}\n{_escaped(text)}\n" for timing, text in _cues(script, "."))
    return "\n".join(blocks)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
