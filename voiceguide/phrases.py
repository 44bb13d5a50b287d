"""The fixed sentences voiceguide speaks, per language; a routine may override any."""

from __future__ import annotations

PHRASE_KEYS = (
    "stage_start",
    "switch",
    "next_up",
    "halfway",
    "contraindications",
    "stop_if",
    "finish",
    "last_stage",
    "get_ready",
)

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "stage_start": "{stage}.",
        "switch": "Now the {side} side.",
        "next_up": "Next: {next}.",
        "halfway": "",
        "contraindications": "Do not do this session if you have any of these:",
        "stop_if": "Stop at once if you feel any of these:",
        "finish": "The session is over. Rest for a few minutes before you get up.",
        "last_stage": "the end of the session",
        "get_ready": "Get ready.",
    },
}


def phrases_for(language: str) -> dict[str, str]:
    """The built-in phrases for ``language`` (``uk``, ``en-GB``…), English where missing."""
    base = dict(PHRASES["en"])
    primary = language.lower().replace("_", "-").split("-")[0]
    base.update(PHRASES.get(primary, {}))
    return base
