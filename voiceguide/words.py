"""The fixed words voiceguide writes, per language: units counted with their plural forms.

The spoken sentences are in :mod:`voiceguide.phrases`, the side names in
:mod:`voiceguide.sides`.
"""

from __future__ import annotations

from collections.abc import Callable

from voiceguide.phrases import primary_language

UNITS: dict[str, dict[str, tuple[str, str, str]]] = {
    "en": {"minute": ("minute", "minutes", "minutes"), "second": ("second", "seconds", "seconds")},
    "uk": {"minute": ("хвилина", "хвилини", "хвилин"), "second": ("секунда", "секунди", "секунд")},
    "ru": {"minute": ("минута", "минуты", "минут"), "second": ("секунда", "секунды", "секунд")},
    "lv": {
        "minute": ("minūte", "minūtes", "minūtes"),
        "second": ("sekunde", "sekundes", "sekundes"),
    },
}
"""Each unit's forms after a number: (one, a few, many), chosen by :func:`plural_index`."""


def _english(number: int) -> int:
    return 0 if number == 1 else 2


def _east_slavic(number: int) -> int:
    """1, 21, 101… take the first form; 2-4, 22-24… the second; the rest, and 11-14, the
    third."""
    last, last_two = abs(number) % 10, abs(number) % 100
    if last == 1 and last_two != 11:
        return 0
    if 2 <= last <= 4 and not 12 <= last_two <= 14:
        return 1
    return 2


def _latvian(number: int) -> int:
    """Numbers ending in 1, except those ending in 11, take the singular."""
    return 0 if abs(number) % 10 == 1 and abs(number) % 100 != 11 else 2


PLURAL_RULES: dict[str, Callable[[int], int]] = {
    "en": _english,
    "uk": _east_slavic,
    "ru": _east_slavic,
    "lv": _latvian,
}


def plural_index(number: int, language: str) -> int:
    """Which of a unit's forms (one, a few, many) follows ``number`` in ``language``."""
    return PLURAL_RULES.get(primary_language(language), _english)(number)


def counted(number: int, unit: str, language: str) -> str:
    """``number`` with ``unit`` (``minute``, ``second``) in the form it takes after it:
    ``1 minute``, ``22 секунди``, ``21 sekunde``."""
    forms = UNITS.get(primary_language(language), UNITS["en"])[unit]
    return f"{number} {forms[plural_index(number, language)]}"


__all__ = ["PLURAL_RULES", "UNITS", "counted", "plural_index"]
