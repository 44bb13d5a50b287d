"""Subtitles, one cue per utterance: SubRip (.srt) and WebVTT (.vtt)."""

from __future__ import annotations

from voiceguide.model.script import Script


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_srt(script: Script) -> str:
    blocks = [
        f"{number}\n{_stamp(speech.time, ',')} --> {_stamp(speech.end, ',')}\n{speech.text}\n"
        for number, speech in enumerate(script.speech(), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(script: Script) -> str:
    blocks = ["WEBVTT\n"]
    blocks.extend(
        f"{_stamp(speech.time, '.')} --> {_stamp(speech.end, '.')}\n{speech.text}\n"
        for speech in script.speech()
    )
    return "\n".join(blocks)
