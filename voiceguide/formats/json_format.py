"""The script as JSON (schema: ``voiceguide/schema/script.schema.json``).

Times and durations are seconds from the start of the session, to the millisecond.
"""

from __future__ import annotations

import re
from typing import Any

from voiceguide.model.script import Script, Speech

SCHEMA_VERSION = 1


def script_to_dict(script: Script) -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    for event in script.events:
        if isinstance(event, Speech):
            events.append(
                {
                    "time": event.time,
                    "kind": "speech",
                    "duration": event.duration,
                    "text": event.text,
                    "role": event.role,
                    "stage": event.segment,
                    "truncated": event.truncated,
                }
            )
        else:
            events.append(
                {
                    "time": event.time,
                    "kind": "tone",
                    "duration": event.duration,
                    "cue": event.cue,
                    "sound": event.sound,
                    "stage": event.segment,
                }
            )
    return {
        "format": "voiceguide-script",
        "version": SCHEMA_VERSION,
        "title": script.title,
        "language": script.language,
        "duration": script.duration,
        "safety": {
            "contraindications": list(script.safety.contraindications),
            "stop_if": list(script.safety.stop_if),
        },
        "stages": [
            {
                "index": segment.index,
                "kind": segment.kind,
                "name": segment.name,
                "label": segment.label,
                "start": segment.start,
                "end": segment.end,
                "side": segment.side,
                "technique": segment.technique,
                "repetition": list(segment.repetition) if segment.repetition else None,
                "number": segment.stage_number,
            }
            for segment in script.segments
        ],
        "events": events,
        "warnings": [str(w) for w in script.warnings],
    }


_RAW = re.compile("[\x7f-\x9f\u2028\u2029]")
"""Characters json leaves as they are that a terminal or a script takes for control:
DEL, C1 and the Unicode line and paragraph separators."""


def to_json(script: Script) -> str:
    """The script as JSON: one stage or event per line, so long scripts stay readable
    and each item goes through json's C encoder (``indent`` would bypass it). Texts are
    kept as they are, every control character in them escaped."""
    import json

    fields = []
    for key, value in script_to_dict(script).items():
        name = json.dumps(key)
        if key in {"stages", "events"} and value:
            items = ",\n    ".join(_escaped(json.dumps(item, ensure_ascii=False)) for item in value)
            fields.append(f"  {name}: [\n    {items}\n  ]")
        else:
            fields.append(f"  {name}: {_escaped(json.dumps(value, ensure_ascii=False))}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def _escaped(dumped: str) -> str:
    """JSON from ``json.dumps(..., ensure_ascii=False)`` with :data:`_RAW` escaped too."""
    if (dumped.isascii() and "\x7f" not in dumped) or dumped.isprintable():
        return dumped
    return _RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", dumped)
