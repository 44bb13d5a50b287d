"""Routines in other languages: the fixed sentences, the voice and the numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voiceguide.compiler import compile_routine
from voiceguide.load import load_routine
from voiceguide.pipeline import VoiceOptions
from voiceguide.speech.pyttsx3 import Pyttsx3Synthesizer

UKRAINIAN = Path(__file__).parent / "data" / "uk.yaml"


def test_fixed_sentences_follow_the_routine_language() -> None:
    """A Ukrainian routine hears Ukrainian fixed sentences: the side switch, the safety
    introduction and the ending."""
    script = compile_routine(load_routine(UKRAINIAN))
    said = [s.text for s in script.speech()]
    assert "Тепер правий бік." in said
    assert "Негайно зупиніться, якщо відчуєте: запаморочення." in said
    assert "Сеанс завершено. Відпочиньте кілька хвилин, перш ніж вставати." in said


@pytest.mark.audio
def test_voice_and_countdown_numbers_are_ukrainian() -> None:
    """The voice chosen is the Ukrainian one, and the countdown's "3" is spoken by it
    (as "три", not as the English "three")."""
    routine = load_routine(UKRAINIAN)
    settings = VoiceOptions().settings_for(routine)
    with Pyttsx3Synthesizer(settings) as ukrainian:
        assert ukrainian.voice is not None
        assert ukrainian.voice.id == "zle/uk"
        three_uk = next(ukrainian.synthesize(["3"]))[1].samples
    with Pyttsx3Synthesizer(VoiceOptions().settings_for(load_routine("neck"))) as english:
        three_en = next(english.synthesize(["3"]))[1].samples
    countdown = [s.text for s in compile_routine(routine).speech() if s.role == "countdown"]
    assert countdown[:3] == ["3", "2", "1"]
    assert len(three_uk) != len(three_en) or not np.allclose(three_uk, three_en)
