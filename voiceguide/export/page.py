"""One self-contained web page for a guide (``export -o guide.html``): it plays offline,
from ``file://`` on a phone or a laptop, and fetches nothing.

Inside it: the guide's audio (Ogg Opus, the smallest speech-grade format, as a data
URI), the safety text and the position before the player, the chapters as buttons to
jump to (the current one marked), and the words being said, drawn from the script as
the audio plays, not from a subtitle track a browser may refuse from ``file://``. Every
label is in the routine's language. The page's code is the template ``page.html``
beside this module: plain HTML, CSS and a short script, no framework; its Content
Security Policy lets it load nothing but its own audio.
"""

from __future__ import annotations

import base64
import html
import json
import re
from importlib import resources
from typing import Any

from voiceguide.durations import format_session_length
from voiceguide.export.tags import chapters
from voiceguide.model.script import Script
from voiceguide.phrases import phrases_for
from voiceguide.text import one_line
from voiceguide.words import labels_for

PAGE_KEYS = ("play", "pause_button", "back", "next", "chapters", "keys", "before")
"""The labels the page shows (see :data:`voiceguide.words.LABELS`)."""


def page_data(script: Script) -> dict[str, Any]:
    """What the page shows, as the JSON its script reads."""
    labels, phrases = labels_for(script.language), phrases_for(script.language)
    length = format_session_length(
        script.duration, estimated=script.estimated, language=script.language
    )
    about = [one_line(script.description or ""), f"{labels['duration']}: {length}"]
    if script.author:
        about.append(f"{labels['author']}: {one_line(script.author)}")
    safety: list[dict[str, Any]] = []
    if phrases["see_doctor"] and phrases["see_doctor"] not in script.preparation:
        safety.append({"heading": phrases["see_doctor"], "items": []})
    if script.safety.contraindications:
        items = [one_line(item) for item in script.safety.contraindications]
        safety.append({"heading": phrases["contraindications"], "items": items})
    if script.safety.stop_if:
        items = [one_line(item) for item in script.safety.stop_if]
        safety.append({"heading": phrases["stop_if"], "items": items})
    if script.position_text:
        safety.append({"heading": labels["position"], "items": [one_line(script.position_text)]})
    if script.preparation:
        items = [one_line(step) for step in script.preparation]
        safety.append({"heading": labels["preparation"], "items": items})
    return {
        "title": one_line(script.title),
        "language": script.language,
        "duration": script.duration,
        "about": " · ".join(part for part in about if part),
        "safety": safety,
        "chapters": [
            {"title": c.title, "start": round(c.start, 3), "end": round(c.end, 3)}
            for c in chapters(script)
        ],
        "words": [
            {"start": s.time, "end": s.end, "text": one_line(s.text)}
            for s in script.speech()
            if s.text.strip()
        ],
        "labels": {key: labels[key] for key in PAGE_KEYS},
    }


def to_page(script: Script, opus: bytes) -> str:
    """The page for ``script`` with ``opus`` (an Ogg Opus file of the guide) inside."""
    template = resources.files("voiceguide.export").joinpath("page.html").read_text("utf-8")
    data = json.dumps(page_data(script), ensure_ascii=False)
    data = data.replace("<", "\\u003c")  # no "</script>" nor "<!--" ends its <script>
    audio = "data:audio/ogg;codecs=opus;base64," + base64.b64encode(opus).decode("ascii")
    values = {
        "LANG": html.escape(script.language),
        "TITLE": html.escape(one_line(script.title)),
        "AUDIO": audio,
        "DATA": data,
    }
    # one pass: a routine's title that reads "{{DATA}}" stays a title
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda match: values[match.group(1)], template)
