"""Cue settings (countdown, halfway, next-up) and the sound of each cue: a built-in sound,
a sound file beside the routine, or silence."""

from __future__ import annotations

from pathlib import Path

import yaml

from voiceguide.load.keys import CUE_KEYS
from voiceguide.load.source import file_problem, resolved
from voiceguide.load.values import Reader, is_null
from voiceguide.model.routine import CUE_NAMES, CueOverrides
from voiceguide.model.sounds import SOUND_FILE_SUFFIXES, SOUNDS


def _is_off(node: yaml.Node) -> bool:
    """Whether ``node`` is a YAML false (``false``, ``no``, ``off``): a cue turned off."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag.endswith(":bool")
        and node.value.lower() in {"false", "no", "off"}
    )


def read_cues(r: Reader, node: yaml.Node, what: str) -> CueOverrides:
    """The cue settings written in ``node`` (of the routine, a block or a stage)."""
    keys = r.mapping(node, what, CUE_KEYS)
    if keys is None:
        return CueOverrides()
    countdown = halfway = next_up = None
    if "countdown" in keys:
        value = keys["countdown"][1]
        if _is_off(value):
            countdown = 0
        else:
            countdown = r.integer(value, "countdown (seconds, 0 for none)", 0, 60)
    if "halfway" in keys:
        halfway = r.boolean(keys["halfway"][1], "halfway")
    if "next_up" in keys:
        value = keys["next_up"][1]
        next_up = 0.0 if _is_off(value) else r.duration(value, "next_up", allow_zero=True)
    sounds: dict[str, str | None] = {}
    if "sounds" in keys:
        sounds = _sounds(r, keys["sounds"][1])
    return CueOverrides(countdown, halfway, next_up, sounds)


def _sounds(r: Reader, node: yaml.Node) -> dict[str, str | None]:
    keys = r.mapping(node, "cue sounds", CUE_NAMES)
    result: dict[str, str | None] = {}
    for cue, (_, value) in (keys or {}).items():
        if isinstance(value, yaml.ScalarNode) and (
            is_null(value)
            or (value.tag.endswith(":bool") and value.value.lower() in {"false", "no", "off"})
        ):
            result[cue] = None
            continue
        sound = r.text(value, f"sound of the {cue!r} cue", path=True)
        if sound is None:
            continue
        if sound.lower() in {"none", "off"}:
            result[cue] = None
        elif sound in SOUNDS:
            result[cue] = sound
        elif Path(sound).suffix.lower() in SOUND_FILE_SUFFIXES:
            path = resolved(r.source.path.parent, sound)
            problem = "is not a file name" if path is None else file_problem(path)
            if problem == "does not exist":
                r.error(
                    value,
                    f"sound file {sound!r} does not exist (paths are relative to the routine's folder)",
                )
            elif problem is not None:
                r.error(value, f"sound file {sound!r} {problem}; name a .wav, .flac or .ogg file")
            else:
                result[cue] = str(path)
        else:
            import difflib

            close = difflib.get_close_matches(sound, list(SOUNDS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            r.error(
                value,
                f"unknown cue sound {sound!r}; {hint}use one of {', '.join(SOUNDS)}, "
                f"a {'/'.join(SOUND_FILE_SUFFIXES)} file, or false for silence",
            )
    return result
