"""Preview writers: a script as text, JSON, SRT, WebVTT or a Markdown handout.

Each writer is a pure function from a :class:`~voiceguide.model.script.Script` to text.
"""

from __future__ import annotations

from collections.abc import Callable

from voiceguide.formats.handout import to_markdown
from voiceguide.formats.json_format import to_json
from voiceguide.formats.subtitles import to_srt, to_vtt
from voiceguide.formats.text import to_text
from voiceguide.model.script import Script

Writer = Callable[[Script], str]

WRITERS: dict[str, Writer] = {
    "text": to_text,
    "json": to_json,
    "srt": to_srt,
    "vtt": to_vtt,
    "markdown": to_markdown,
}

SUFFIXES = {".txt": "text", ".json": "json", ".srt": "srt", ".vtt": "vtt", ".md": "markdown"}

__all__ = ["SUFFIXES", "WRITERS", "Writer", "to_json", "to_markdown", "to_srt", "to_text", "to_vtt"]
