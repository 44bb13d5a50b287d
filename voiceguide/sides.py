"""Side names in each language: the word a sentence speaks, and the forms people write.

A routine names its sides as it likes (``[left, right]``, ``[лівий, правий]``,
``[kreisā roka, labā roka]``); ``--painful-side`` is always ``left`` or ``right``.
:func:`canonical_side` reads a written name as one of those two, and :func:`spoken_side`
turns ``left``/``right`` into the word the routine's language speaks.
"""

from __future__ import annotations

import re

from voiceguide.phrases import primary_language

SIDES = ("left", "right")
"""The canonical side names, as ``--painful-side`` takes them."""

SPOKEN_SIDES: dict[str, dict[str, str]] = {
    "en": {"left": "left", "right": "right"},
    # The forms agree with the built-in phrases: "Тепер {side} бік." (masculine),
    # "Теперь {side} сторона." (feminine), "Tagad {side} puse." (feminine, definite).
    "uk": {"left": "лівий", "right": "правий"},
    "ru": {"left": "левая", "right": "правая"},
    "lv": {"left": "kreisā", "right": "labā"},
}
"""The word for each side that a sentence in the language speaks."""

WRITTEN_SIDES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "left": ("left",),
        "right": ("right",),
    },
    "uk": {
        "left": (
            "лівий", "ліва", "ліве", "ліві", "лівого", "лівої", "лівому", "лівій",
            "лівим", "лівою", "ліву", "ліворуч", "зліва", "зліву", "наліво", "вліво",
        ),
        "right": (
            "правий", "права", "праве", "праві", "правого", "правої", "правому", "правій",
            "правим", "правою", "праву", "праворуч", "справа", "справу", "направо", "вправо",
        ),
    },
    "ru": {
        "left": (
            "левый", "левая", "левое", "левые", "левого", "левой", "левому", "левым",
            "левую", "левою", "слева", "налево", "влево",
        ),
        "right": (
            "правый", "правая", "правое", "правые", "правого", "правой", "правому", "правым",
            "правую", "правою", "справа", "направо", "вправо",
        ),
    },
    "lv": {
        "left": (
            "kreisā", "kreisais", "kreisa", "kreisās", "kreisajā", "kreisajai", "kreisajam",
            "kreiso", "kreisie", "pa kreisi",
        ),
        "right": (
            "labā", "labais", "laba", "labās", "labajā", "labajai", "labajam",
            "labo", "labie", "pa labi",
        ),
    },
}  # fmt: skip
"""The forms people write for each side in each language (looked up case-insensitively,
alone or as the first word of a name such as ``ліва рука``)."""

_WORD = re.compile(r"[^\W\d_]+")


def _forms(language: str) -> dict[str, str]:
    """Each written form of a side, in ``language`` or in English, to its canonical name."""
    forms: dict[str, str] = {}
    for table in (WRITTEN_SIDES["en"], WRITTEN_SIDES.get(primary_language(language), {})):
        for side, written in table.items():
            forms.update(dict.fromkeys(written, side))
    return forms


def canonical_side(name: str, language: str) -> str | None:
    """``left`` or ``right`` for a side name written in ``language`` or in English (the
    whole name, or its first word: ``ліва рука`` is the left side); None for a name that
    is neither (``upper``)."""
    forms = _forms(language)
    text = " ".join(name.casefold().split())
    if text in forms:
        return forms[text]
    first = _WORD.search(text)
    return forms.get(first.group()) if first else None


def spoken_side(name: str, language: str) -> str:
    """The side name as a sentence in ``language`` speaks it: ``left``/``right`` become
    the language's word (``лівий`` in Ukrainian); a name written otherwise (in the
    language already, or not a side word) is kept as written."""
    words = SPOKEN_SIDES.get(primary_language(language))
    key = name.strip().casefold()
    if words is None or key not in words or words[key].casefold() == key:
        return name
    return words[key]


def same_side(name: str, side: str, language: str) -> bool:
    """Whether the side a routine names ``name`` is ``side`` (``left``, ``right`` or a
    name as the routine writes it)."""
    if name.casefold() == side.casefold():
        return True
    wanted = canonical_side(side, language)
    return wanted is not None and canonical_side(name, language) == wanted


__all__ = ["SIDES", "SPOKEN_SIDES", "WRITTEN_SIDES", "canonical_side", "same_side", "spoken_side"]
