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
    "painful_intro",
    "painful_side",
    "sparing",
    "sparing_stage",
    "see_doctor",
)

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "stage_start": "{stage}.",
        "switch": "Now the {side} side.",
        "next_up": "Next: {next}.",
        "halfway": "",
        "contraindications": "Do not do this session if you have any of these:",
        "stop_if": "Stop at once if you feel any of these:",
        "finish": "The session is over. Lie down for a few minutes before you get up: you may feel dizzy.",
        "last_stage": "the end of the session",
        "get_ready": "Get ready.",
        "painful_intro": "Your {side} side is the painful one today: each time, the healthy side comes first.",
        "painful_side": "This is the painful side. Press more lightly, and ease off if the pain grows.",
        "sparing": "This is one of the first sessions of your course: keep the pressure light all the way through.",
        "sparing_stage": "Gently, with light pressure.",
        "see_doctor": "Before a course of massage, see your doctor: an examination must rule out the contraindications first.",
    },
    "uk": {
        "stage_start": "{stage}.",
        "switch": "Тепер {side} бік.",
        "next_up": "Далі: {next}.",
        "contraindications": "Не виконуйте цей сеанс, якщо у вас є щось із переліченого:",
        "stop_if": "Негайно зупиніться, якщо відчуєте:",
        "finish": "Сеанс завершено. Полежте кілька хвилин, перш ніж вставати: може паморочитися голова.",
        "last_stage": "кінець сеансу",
        "get_ready": "Приготуйтеся.",
        "painful_intro": "Сьогодні болить {side} бік: щоразу спершу здоровий бік.",
        "painful_side": "Це болючий бік. Натискайте легше і послабте, якщо біль посилюється.",
        "sparing": "Це один із перших сеансів курсу: увесь час натискайте легко.",
        "sparing_stage": "Обережно, з легким натиском.",
        "see_doctor": "Перед курсом масажу зверніться до лікаря: спершу обстеження має виключити протипоказання.",
    },
    "ru": {
        "stage_start": "{stage}.",
        "switch": "Теперь {side} сторона.",
        "next_up": "Далее: {next}.",
        "contraindications": "Не выполняйте этот сеанс, если у вас есть что-либо из перечисленного:",
        "stop_if": "Немедленно остановитесь, если почувствуете:",
        "finish": "Сеанс окончен. Полежите несколько минут, прежде чем вставать: может закружиться голова.",
        "last_stage": "конец сеанса",
        "get_ready": "Приготовьтесь.",
        "painful_intro": "Сегодня болит {side} сторона: каждый раз сначала здоровая сторона.",
        "painful_side": "Это болезненная сторона. Надавливайте легче и ослабьте, если боль усиливается.",
        "sparing": "Это один из первых сеансов курса: всё время надавливайте легко.",
        "sparing_stage": "Бережно, с лёгким нажимом.",
        "see_doctor": "Перед курсом массажа обратитесь к врачу: сначала обследование должно исключить противопоказания.",
    },
    "lv": {
        "stage_start": "{stage}.",
        "switch": "Tagad {side} puse.",
        "next_up": "Tālāk: {next}.",
        "contraindications": "Neveiciet šo seansu, ja jums ir kaut kas no šī:",
        "stop_if": "Nekavējoties apstājieties, ja jūtat:",
        "finish": "Seanss ir beidzies. Pirms piecelties, dažas minūtes pagulieties: var reibt galva.",
        "last_stage": "seansa beigas",
        "get_ready": "Sagatavojieties.",
        "painful_intro": "Šodien sāp {side} puse: katru reizi vispirms veselā puse.",
        "painful_side": "Šī ir sāpīgā puse. Spiediet vieglāk un atslābiniet, ja sāpes pastiprinās.",
        "sparing": "Šis ir viens no pirmajiem kursa seansiem: visu laiku spiediet viegli.",
        "sparing_stage": "Saudzīgi, ar vieglu spiedienu.",
        "see_doctor": "Pirms masāžas kursa apmeklējiet ārstu: vispirms izmeklējumam jāizslēdz kontrindikācijas.",
    },
}


LANGUAGES = tuple(sorted(PHRASES))
"""The languages a routine may be written in: those with built-in phrases."""

_MEANT = {
    "ua": "uk",
    "ukr": "uk",
    "ukrainian": "uk",
    "eng": "en",
    "english": "en",
    "rus": "ru",
    "russian": "ru",
    "lav": "lv",
    "lat": "lv",
    "latvian": "lv",
}
"""Codes and names people write for a supported language (``ua`` is Ukraine's country
code; the language's code is ``uk``)."""


def primary_language(language: str) -> str:
    """The language of a tag without its region: ``en-GB`` -> ``en``."""
    return language.lower().replace("_", "-").split("-")[0]


def language_problem(language: str) -> str | None:
    """Why ``language`` cannot be a routine's language, with the code meant where it is
    plain; None when it can."""
    primary = primary_language(language)
    if primary in LANGUAGES:
        return None
    *others, last = LANGUAGES
    problem = (
        f"language {language!r} is not supported: use {', '.join(others)} or {last} "
        "(a region may follow, as in en-GB)"
    )
    meant = _MEANT.get(primary)
    return problem + (f"; did you mean {meant!r}?" if meant else "")


def phrases_for(language: str) -> dict[str, str]:
    """The built-in phrases for ``language`` (``uk``, ``en-GB``…), English where missing."""
    base = dict(PHRASES["en"])
    base.update(PHRASES.get(primary_language(language), {}))
    return base
