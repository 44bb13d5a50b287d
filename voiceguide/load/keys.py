"""The keys each mapping of a routine file allows, in the order messages list them."""

from __future__ import annotations

TOP_KEYS = (
    "voiceguide",
    "title",
    "description",
    "language",
    "author",
    "voice",
    "position",
    "preparation",
    "closing",
    "safety",
    "cues",
    "transition",
    "phrases",
    "course",
    "sparing",
    "painful",
    "stages",
)
STAGE_KEYS = (
    "name",
    "technique",
    "duration",
    "say",
    "remind",
    "sides",
    "switch_pause",
    "painful_scale",
    "fixed",
    "from_session",
    "count",
    "cues",
    "sparing",
    "painful",
)
BLOCK_KEYS = ("name", "repeat", "stages", "transition", "cues")
INCLUDE_KEYS = ("include",)
VOICE_KEYS = ("id", "rate", "volume")
SAFETY_KEYS = ("include", "contraindications", "stop_if")
CUE_KEYS = ("countdown", "halfway", "next_up", "sounds")
REMINDER_KEYS = ("at", "every", "say")
COUNT_KEYS = ("reps", "every", "start")
COURSE_KEYS = ("sessions", "first", "full_from", "sparing")
STAGE_MODE_KEYS = ("say", "remind")
ROUTINE_MODE_KEYS = ("description",)
MODES = ("sparing", "painful")
"""Keys giving other words for a sparing session of a course and for the painful side."""
