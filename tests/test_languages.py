"""Routines in other languages: the fixed sentences, the voice and the numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import RunCli
from voiceguide.adapt import with_painful_side
from voiceguide.compiler import compile_routine
from voiceguide.durations import format_spoken
from voiceguide.load import load_routine
from voiceguide.phrases import LANGUAGES, PHRASES
from voiceguide.pipeline import VoiceOptions
from voiceguide.sides import SIDES, SPOKEN_SIDES, WRITTEN_SIDES, canonical_side, spoken_side
from voiceguide.speech.pyttsx3 import Pyttsx3Synthesizer
from voiceguide.words import PLURAL_RULES, UNITS, plural_index

UKRAINIAN = Path(__file__).parent / "data" / "uk.yaml"


def test_fixed_sentences_follow_the_routine_language() -> None:
    """A Ukrainian routine hears Ukrainian fixed sentences: the side switch, the safety
    introduction and the ending."""
    script = compile_routine(load_routine(UKRAINIAN))
    said = [s.text for s in script.speech()]
    assert "Тепер правий бік." in said
    assert "Негайно зупиніться, якщо відчуєте: запаморочення." in said
    assert (
        "Сеанс завершено. Полежте кілька хвилин, перш ніж вставати: може паморочитися голова."
        in said
    )


def test_every_language_has_its_side_names() -> None:
    """Each supported language speaks and reads both sides, and each word it speaks is
    one it reads."""
    assert sorted(SPOKEN_SIDES) == sorted(WRITTEN_SIDES) == sorted(LANGUAGES)
    for language in LANGUAGES:
        assert sorted(SPOKEN_SIDES[language]) == sorted(WRITTEN_SIDES[language]) == sorted(SIDES)
        for side, word in SPOKEN_SIDES[language].items():
            assert canonical_side(word, language) == side


@pytest.mark.parametrize(
    ("name", "language", "side"),
    [
        ("left", "en", "left"),
        ("Right", "en-GB", "right"),
        ("left arm", "en", "left"),
        ("upper", "en", None),
        ("лівий", "en", None),
        ("лівий", "uk", "left"),
        ("Ліва", "uk", "left"),
        ("ліве плече", "uk", "left"),
        ("ліворуч", "uk", "left"),
        ("праворуч", "uk", "right"),
        ("права рука", "uk", "right"),
        ("right", "uk", "right"),
        ("верхній", "uk", None),
        ("левая", "ru", "left"),
        ("левый", "ru", "left"),
        ("слева", "ru", "left"),
        ("правое плечо", "ru", "right"),
        ("right", "ru-RU", "right"),
        ("kreisā", "lv", "left"),
        ("kreisais", "lv", "left"),
        ("pa kreisi", "lv", "left"),
        ("Labā roka", "lv", "right"),
        ("labais", "lv", "right"),
        ("left", "lv", "left"),
        ("augšējā", "lv", None),
    ],
)
def test_canonical_side(name: str, language: str, side: str | None) -> None:
    """A side name written in the routine's language or in English reads as left or
    right; any other name as neither."""
    assert canonical_side(name, language) == side


@pytest.mark.parametrize(
    ("name", "language", "spoken"),
    [
        ("left", "en", "left"),
        ("Left", "en", "Left"),
        ("left", "uk", "лівий"),
        ("Right", "uk", "правий"),
        ("left", "ru", "левая"),
        ("right", "ru", "правая"),
        ("left", "lv", "kreisā"),
        ("right", "lv-LV", "labā"),
        ("ліва рука", "uk", "ліва рука"),
        ("правий", "uk", "правий"),
        ("kreisais", "lv", "kreisais"),
        ("upper", "uk", "upper"),
        ("left", "xx", "left"),
    ],
)
def test_spoken_side(name: str, language: str, spoken: str) -> None:
    """left and right are spoken in the routine's language; names written otherwise are
    kept as written."""
    assert spoken_side(name, language) == spoken


@pytest.mark.parametrize(
    ("language", "switch"),
    [("uk", "Тепер лівий бік."), ("ru", "Теперь левая сторона."), ("lv", "Tagad kreisā puse.")],
)
def test_side_is_spoken_in_the_routine_language(tmp_path: Path, language: str, switch: str) -> None:
    """Sides written as right and left are spoken in the routine's language, in the
    sentences, the segments and their labels."""
    path = tmp_path / "r.yaml"
    path.write_text(
        f"voiceguide: 1\ntitle: T\nlanguage: {language}\nstages:\n"
        "  - {name: A, duration: 40s, sides: [right, left], say: '{side}'}\n",
        encoding="utf-8",
    )
    script = compile_routine(load_routine(path))
    said = [s.text for s in script.speech()]
    words = SPOKEN_SIDES[language]
    assert switch in said
    assert words["right"] in said
    assert [s.side for s in script.stages] == [words["right"], words["left"]]
    assert [s.label for s in script.stages] == [f"A ({words['right']})", f"A ({words['left']})"]
    assert not any("right" in text or "left" in text for text in said)
    painful = compile_routine(with_painful_side(load_routine(path), "right"))
    assert [s.side for s in painful.stages] == [words["left"], words["right"]]
    note = [s.text for s in painful.speech() if s.segment == painful.stages[1].index]
    assert painful.warnings == ()
    assert PHRASES[language]["painful_side"] in note


def test_painful_side_pairs_with_sides_named_in_the_language(run_cli: RunCli) -> None:
    """--painful-side left finds the side a Ukrainian routine calls лівий: the healthy
    side comes first, the painful one says to press lightly, the introduction names the
    side in Ukrainian, and nothing warns that the side is missing."""
    routine = load_routine(UKRAINIAN)
    adapted = with_painful_side(routine, "left")
    assert adapted.warnings == ()
    script = compile_routine(adapted)
    assert [s.side for s in script.stages] == ["правий", "лівий"]
    said = [s.text for s in script.speech()]
    assert "Сьогодні болить лівий бік: щоразу спершу здоровий бік." in said
    painful = [s.text for s in script.speech() if s.segment == script.stages[1].index]
    assert routine.phrases["painful_side"] in painful
    result = run_cli("preview", str(UKRAINIAN), "--painful-side", "left")
    assert result.exit_code == 0, result.output
    assert "changes nothing" not in result.stderr
    stages = [line for line in result.stdout.splitlines() if "▶ Погладжування" in line]
    assert ["(правий)" in stages[0], "(лівий)" in stages[1]] == [True, True]
    right = with_painful_side(routine, "right")
    assert right.warnings == ()
    assert [s.side for s in compile_routine(right).stages] == ["лівий", "правий"]


@pytest.mark.parametrize(
    ("seconds", "language", "spoken"),
    [
        (0, "en", "0 seconds"),
        (1, "en", "1 second"),
        (2, "en", "2 seconds"),
        (60, "en", "1 minute"),
        (90, "en-GB", "1 minute 30 seconds"),
        (121, "en", "2 minutes 1 second"),
        (0, "uk", "0 секунд"),
        (1, "uk", "1 секунда"),
        (2, "uk", "2 секунди"),
        (4, "uk", "4 секунди"),
        (5, "uk", "5 секунд"),
        (11, "uk", "11 секунд"),
        (12, "uk", "12 секунд"),
        (14, "uk", "14 секунд"),
        (21, "uk", "21 секунда"),
        (22, "uk", "22 секунди"),
        (25, "uk", "25 секунд"),
        (60, "uk", "1 хвилина"),
        (61, "uk-UA", "1 хвилина 1 секунда"),
        (150, "uk", "2 хвилини 30 секунд"),
        (663, "uk", "11 хвилин 3 секунди"),
        (1260, "uk", "21 хвилина"),
        (1, "ru", "1 секунда"),
        (3, "ru", "3 секунды"),
        (11, "ru", "11 секунд"),
        (13, "ru", "13 секунд"),
        (21, "ru", "21 секунда"),
        (24, "ru", "24 секунды"),
        (111, "ru", "1 минута 51 секунда"),
        (342, "ru", "5 минут 42 секунды"),
        (1320, "ru", "22 минуты"),
        (0, "lv", "0 sekundes"),
        (1, "lv", "1 sekunde"),
        (2, "lv", "2 sekundes"),
        (11, "lv", "11 sekundes"),
        (21, "lv", "21 sekunde"),
        (31, "lv", "31 sekunde"),
        (60, "lv", "1 minūte"),
        (90, "lv", "1 minūte 30 sekundes"),
        (660, "lv", "11 minūtes"),
        (3660, "lv", "61 minūte"),
    ],
)
def test_spoken_span_in_the_language(seconds: float, language: str, spoken: str) -> None:
    """A span is spoken with the language's units in the form the number takes: uk and
    ru one / two to four / five and more (11-14 take the last), lv singular after
    numbers ending in 1 (not 11)."""
    assert format_spoken(seconds, language) == spoken


def test_plural_rules_past_a_hundred() -> None:
    """101 takes the singular, 111 and 112 the many form, 122 the few form."""
    assert [plural_index(n, "uk") for n in (101, 111, 112, 122, 125)] == [0, 2, 2, 1, 2]
    assert [plural_index(n, "ru") for n in (101, 111, 112, 122, 125)] == [0, 2, 2, 1, 2]
    assert [plural_index(n, "lv") for n in (101, 111, 112, 122, 125)] == [0, 2, 2, 2, 2]
    assert sorted(UNITS) == sorted(PLURAL_RULES) == sorted(LANGUAGES)


def test_remaining_is_spoken_in_the_routine_language(tmp_path: Path) -> None:
    """A reminder's {remaining} in a Ukrainian routine is Ukrainian and counts down from
    the stage's end."""
    path = tmp_path / "r.yaml"
    path.write_text(
        "voiceguide: 1\ntitle: T\nlanguage: uk\ncues: {countdown: 0, halfway: false}\n"
        "stages:\n  - {name: A, duration: 100s, remind: [{at: 19s, say: 'Ще {remaining}.'}]}\n",
        encoding="utf-8",
    )
    said = [s.text for s in compile_routine(load_routine(path)).speech()]
    assert "Ще 1 хвилина 21 секунда." in said


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


def test_check_walks_the_painful_sides_of_sides_written_in_the_language(
    run_cli: RunCli,
) -> None:
    """Sides written лівий/правий are the left and right painful sides check walks."""
    result = run_cli("check", str(UKRAINIAN))
    assert "painful side none, left and right" in result.stdout
