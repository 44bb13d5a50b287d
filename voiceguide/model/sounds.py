"""The cue sounds' catalogue: the built-in palette's names and lengths, and the file types a
routine may name instead.

Names and lengths only, no samples, so that loading, checking and compiling a routine never
import numpy; :mod:`voiceguide.audio.tones` makes the waveforms.
"""

from __future__ import annotations

from voiceguide.model.record import Record


class ToneSpec(Record):
    """A cue sound: notes (Hz) played one after another, each with a bell-like envelope."""

    notes: tuple[float, ...]
    note_seconds: float
    decay_seconds: float
    level: float
    description: str

    @property
    def duration(self) -> float:
        return self.note_seconds * (len(self.notes) - 1) + self.decay_seconds


SOUNDS: dict[str, ToneSpec] = {
    "chime": ToneSpec((659.26, 987.77), 0.16, 0.70, 0.50, "two rising notes: a stage begins"),
    "bell": ToneSpec((523.25,), 0.0, 0.90, 0.50, "one soft bell: a stage ends"),
    "double": ToneSpec((783.99, 783.99), 0.18, 0.40, 0.45, "two quick notes: change sides"),
    "soft": ToneSpec((587.33,), 0.0, 0.45, 0.35, "one quiet note: halfway"),
    "tick": ToneSpec((1318.5,), 0.0, 0.09, 0.30, "a short tick: countdown"),
    "gong": ToneSpec((659.26, 523.25, 392.00), 0.22, 1.80, 0.50, "a falling chord: session over"),
    "rise": ToneSpec((523.25, 659.26, 783.99), 0.12, 0.50, 0.45, "three rising notes"),
    "fall": ToneSpec((783.99, 659.26, 523.25), 0.12, 0.50, 0.45, "three falling notes"),
}

SOUND_FILE_SUFFIXES = (".wav", ".flac", ".ogg")
