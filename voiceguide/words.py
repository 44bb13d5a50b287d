"""The fixed words voiceguide writes, per language: chapter names, preview and handout
labels, technique and cue names, and units counted with their plural forms.

The spoken sentences are in :mod:`voiceguide.phrases`, the side names in
:mod:`voiceguide.sides`. Machine-readable output (JSON keys, technique and cue ids) keeps
its English ids; these words are what people read.
"""

from __future__ import annotations

from collections.abc import Callable

from voiceguide.phrases import primary_language

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "intro": "Introduction",
        "outro": "End",
        "transition": "Transition",
        "pause": "pause",
        "end": "end",
        "cut": "cut",
        "duration": "Duration",
        "author": "By",
        "before": "Before you start",
        "position": "Position",
        "preparation": "Preparation",
        "stages": "Stages",
        "starts": "Starts",
        "stage": "Stage",
        "technique": "Technique",
        "length": "Length",
        "what_to_do": "What to do",
        "total": "Total: {length}, with the spoken introduction and ending.",
        "about": "about {length}",
        "session_title": "{title}, session {session} of {sessions}",
        "made_with": "Made with voiceguide {version}.",
        "play": "Play",
        "pause_button": "Pause",
        "back": "Back",
        "next": "Next",
        "chapters": "Chapters",
        "keys": "Keys: space to play or pause; → or n, the next chapter; ← or p, back; + and −, louder and quieter.",
    },
    "uk": {
        "intro": "Вступ",
        "outro": "Завершення",
        "transition": "Перехід",
        "pause": "пауза",
        "end": "кінець",
        "cut": "обрізано",
        "duration": "Тривалість",
        "author": "Автор",
        "before": "Перед початком",
        "position": "Положення",
        "preparation": "Підготовка",
        "stages": "Етапи",
        "starts": "Початок",
        "stage": "Етап",
        "technique": "Техніка",
        "length": "Тривалість",
        "what_to_do": "Що робити",
        "total": "Усього: {length}, разом зі вступом і завершенням.",
        "about": "близько {length}",
        "session_title": "{title}, сеанс {session} з {sessions}",
        "made_with": "Створено за допомогою voiceguide {version}.",
        "play": "Відтворити",
        "pause_button": "Пауза",
        "back": "Назад",
        "next": "Далі",
        "chapters": "Розділи",
        "keys": "Клавіші: пробіл — відтворити або пауза; → або n — наступний розділ; ← або p — назад; + і − — гучніше й тихіше.",
    },
    "ru": {
        "intro": "Вступление",
        "outro": "Завершение",
        "transition": "Переход",
        "pause": "пауза",
        "end": "конец",
        "cut": "обрезано",
        "duration": "Длительность",
        "author": "Автор",
        "before": "Перед началом",
        "position": "Положение",
        "preparation": "Подготовка",
        "stages": "Этапы",
        "starts": "Начало",
        "stage": "Этап",
        "technique": "Техника",
        "length": "Длительность",
        "what_to_do": "Что делать",
        "total": "Всего: {length}, вместе со вступлением и завершением.",
        "about": "около {length}",
        "session_title": "{title}, сеанс {session} из {sessions}",
        "made_with": "Создано с помощью voiceguide {version}.",
        "play": "Воспроизвести",
        "pause_button": "Пауза",
        "back": "Назад",
        "next": "Далее",
        "chapters": "Разделы",
        "keys": "Клавиши: пробел — воспроизвести или пауза; → или n — следующий раздел; ← или p — назад; + и − — громче и тише.",
    },
    "lv": {
        "intro": "Ievads",
        "outro": "Noslēgums",
        "transition": "Pāreja",
        "pause": "pauze",
        "end": "beigas",
        "cut": "apgriezts",
        "duration": "Ilgums",
        "author": "Autors",
        "before": "Pirms sākat",
        "position": "Stāvoklis",
        "preparation": "Sagatavošanās",
        "stages": "Posmi",
        "starts": "Sākums",
        "stage": "Posms",
        "technique": "Tehnika",
        "length": "Ilgums",
        "what_to_do": "Ko darīt",
        "total": "Kopā: {length}, ieskaitot ievadu un noslēgumu.",
        "about": "apmēram {length}",
        "session_title": "{title}, {session}. seanss no {sessions}",
        "made_with": "Izveidots ar voiceguide {version}.",
        "play": "Atskaņot",
        "pause_button": "Pauze",
        "back": "Atpakaļ",
        "next": "Tālāk",
        "chapters": "Nodaļas",
        "keys": "Taustiņi: atstarpe — atskaņot vai pauze; → vai n — nākamā nodaļa; ← vai p — atpakaļ; + un − — skaļāk un klusāk.",
    },
}
"""Chapter and segment names, preview and handout labels, the audio file's comment."""

TECHNIQUE_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "stroking": "stroking",
        "squeezing": "squeezing",
        "rubbing": "rubbing",
        "kneading": "kneading",
        "pressure": "pressure",
        "acupressure": "acupressure",
        "compression": "compression",
        "vibration": "vibration",
        "tapping": "tapping",
        "shaking": "shaking",
        "exercise": "exercise",
        "rest": "rest",
    },
    "uk": {
        "stroking": "погладжування",
        "squeezing": "вижимання",
        "rubbing": "розтирання",
        "kneading": "розминання",
        "pressure": "натискання",
        "acupressure": "акупресура",
        "compression": "компресія",
        "vibration": "вібрація",
        "tapping": "постукування",
        "shaking": "струшування",
        "exercise": "вправа",
        "rest": "відпочинок",
    },
    "ru": {
        "stroking": "поглаживание",
        "squeezing": "выжимание",
        "rubbing": "растирание",
        "kneading": "разминание",
        "pressure": "надавливание",
        "acupressure": "акупрессура",
        "compression": "компрессия",
        "vibration": "вибрация",
        "tapping": "поколачивание",
        "shaking": "встряхивание",
        "exercise": "упражнение",
        "rest": "отдых",
    },
    "lv": {
        "stroking": "glaudīšana",
        "squeezing": "izspiešana",
        "rubbing": "berzēšana",
        "kneading": "mīcīšana",
        "pressure": "spiešana",
        "acupressure": "akupresūra",
        "compression": "kompresija",
        "vibration": "vibrācija",
        "tapping": "piesitieni",
        "shaking": "kratīšana",
        "exercise": "vingrinājums",
        "rest": "atpūta",
    },
}
"""The massage techniques (the ids of :data:`voiceguide.model.routine.TECHNIQUES`) as
people read them."""

CUE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "start": "start",
        "end": "end",
        "switch": "switch",
        "halfway": "halfway",
        "countdown": "countdown",
        "finish": "finish",
    },
    "uk": {
        "start": "початок",
        "end": "кінець етапу",
        "switch": "зміна боку",
        "halfway": "половина",
        "countdown": "відлік",
        "finish": "кінець сеансу",
    },
    "ru": {
        "start": "начало",
        "end": "конец этапа",
        "switch": "смена стороны",
        "halfway": "половина",
        "countdown": "отсчёт",
        "finish": "конец сеанса",
    },
    "lv": {
        "start": "sākums",
        "end": "posma beigas",
        "switch": "puses maiņa",
        "halfway": "pusceļš",
        "countdown": "atpakaļskaitīšana",
        "finish": "seansa beigas",
    },
}
"""The cue sounds (the ids of :data:`voiceguide.model.routine.CUE_NAMES`) as the text
preview names them."""

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


def _table(tables: dict[str, dict[str, str]], language: str) -> dict[str, str]:
    words = dict(tables["en"])
    words.update(tables.get(primary_language(language), {}))
    return words


def labels_for(language: str) -> dict[str, str]:
    """The labels for ``language`` (``uk``, ``en-GB``…), English where missing."""
    return _table(LABELS, language)


def technique_name(technique: str, language: str) -> str:
    """A technique id as people read it in ``language``; an unknown one as written."""
    return TECHNIQUE_NAMES.get(primary_language(language), {}).get(technique, technique)


def cue_label(cue: str, language: str) -> str:
    """A cue id as people read it in ``language``; an unknown one as written."""
    return CUE_LABELS.get(primary_language(language), {}).get(cue, cue)


def plural_index(number: int, language: str) -> int:
    """Which of a unit's forms (one, a few, many) follows ``number`` in ``language``."""
    return PLURAL_RULES.get(primary_language(language), _english)(number)


def counted(number: int, unit: str, language: str) -> str:
    """``number`` with ``unit`` (``minute``, ``second``) in the form it takes after it:
    ``1 minute``, ``22 секунди``, ``21 sekunde``."""
    forms = UNITS.get(primary_language(language), UNITS["en"])[unit]
    return f"{number} {forms[plural_index(number, language)]}"


def session_title(title: str, session: int, sessions: int, language: str) -> str:
    """The title of a session of a course: ``Neck, session 3 of 10``."""
    template = labels_for(language)["session_title"]
    return template.format(title=title, session=session, sessions=sessions)


def made_with(version: str, language: str) -> str:
    """The sentence an exported file's comment ends with: ``Made with voiceguide 1.2.``"""
    return labels_for(language)["made_with"].format(version=version)


__all__ = [
    "CUE_LABELS",
    "LABELS",
    "TECHNIQUE_NAMES",
    "UNITS",
    "counted",
    "cue_label",
    "labels_for",
    "made_with",
    "plural_index",
    "session_title",
    "technique_name",
]
