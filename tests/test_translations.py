"""Every fixed word voiceguide writes or speaks is in the routine's language: a routine
written in each supported language, compiled with every feature and rendered in every
format, leaves no English fixed word behind, and shows its own language's words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from voiceguide import __version__
from voiceguide.adapt import Variant, adapt
from voiceguide.compiler import compile_routine
from voiceguide.export.page import page_data
from voiceguide.export.tags import Tags, chapters
from voiceguide.formats import WRITERS
from voiceguide.load import load_routine
from voiceguide.model.routine import CUE_NAMES, TECHNIQUES
from voiceguide.model.script import Script
from voiceguide.phrases import LANGUAGES, PHRASES, phrases_for
from voiceguide.pipeline import estimate
from voiceguide.sides import SPOKEN_SIDES
from voiceguide.words import (
    CUE_LABELS,
    LABELS,
    TECHNIQUE_NAMES,
    UNITS,
    labels_for,
    made_with,
    session_title,
    technique_name,
)

ROUTINES = Path(__file__).parent / "data" / "languages"
VARIANTS = (Variant(), Variant(painful_side="left"), Variant(session=1, painful_side="right"))
NAMES = {"voiceguide"}
"""Words in the English tables that are names, the same in every language."""


def _words(text: str) -> set[str]:
    """The words of ``text`` (placeholders such as ``{side}`` left out), folded."""
    return {w.casefold() for w in re.findall(r"[^\W\d_]{2,}", re.sub(r"\{\w+\}", " ", text))}


def english_fixed_words() -> set[str]:
    """Every word of the English tables: phrases, labels, technique, cue and side names,
    units."""
    texts = [
        *PHRASES["en"].values(),
        *LABELS["en"].values(),
        *TECHNIQUE_NAMES["en"].values(),
        *CUE_LABELS["en"].values(),
        *SPOKEN_SIDES["en"].values(),
        *(form for forms in UNITS["en"].values() for form in forms),
    ]
    return set().union(*map(_words, texts)) - NAMES


def scripts(language: str) -> list[Script]:
    """The routine in ``language`` as the patient hears it in each variant, with its
    speech estimated (so lengths read "about") except in the first."""
    routine = load_routine(ROUTINES / f"{language}.yaml")
    assert routine.language == language
    exact = compile_routine(adapt(routine, VARIANTS[0]))
    return [exact, *(estimate(routine, variant) for variant in VARIANTS)]


def readable_output(script: Script) -> str:
    """Everything people read or hear of ``script``: the text preview, the handout, the
    subtitles, the exported chapters and comment, the web page's words, and the JSON's
    names and texts (its keys and ids are for programs, not people)."""
    data = json.loads(WRITERS["json"](script))
    parts = [WRITERS[name](script) for name in ("text", "markdown", "srt", "vtt")]
    parts += [data["title"], *(f"{s['name']} {s['label']} {s['side']}" for s in data["stages"])]
    parts += [e["text"] for e in data["events"] if e["kind"] == "speech"]
    parts += [chapter.title for chapter in chapters(script)]
    parts.append(Tags.for_script(script).comment)
    page = page_data(script)  # the web page's labels, facts and safety headings
    parts += [*page["labels"].values(), page["about"], *(b["heading"] for b in page["safety"])]
    return "\n".join(parts)


def expected_texts(language: str) -> list[str]:
    """The fixed texts each language's output must show, worded in that language."""
    labels, phrases = labels_for(language), phrases_for(language)
    sides = SPOKEN_SIDES[language]
    unit_forms = UNITS[language]
    return [
        *(
            labels[key]
            for key in labels
            if key not in {"cut", "total", "about", "session_title", "made_with"}
        ),
        labels["total"].split("{")[0],
        labels["about"].split("{")[0],
        session_title("", 1, 4, language).strip(", "),
        made_with(__version__, language),
        *(technique_name(technique, language) for technique in ("stroking", "rubbing", "kneading")),
        *(CUE_LABELS[language][cue] for cue in CUE_NAMES),
        *(phrases[key] for key in ("contraindications", "stop_if", "finish", "painful_side")),
        *(phrases[key] for key in ("sparing", "sparing_stage")),
        phrases["switch"].format(side=sides["left"]),
        phrases["switch"].format(side=sides["right"]),
        phrases["painful_intro"].format(side=sides["left"]),
        phrases["next_up"].split("{")[0],
        f"1 {unit_forms['minute'][0]} 21 {unit_forms['second'][0]}",
    ]


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return {language: "\n".join(map(readable_output, scripts(language))) for language in LANGUAGES}


def test_the_tables_cover_every_language_and_every_id() -> None:
    """Every table has every supported language, and each language names every label,
    technique and cue the English one does."""
    for table in (LABELS, TECHNIQUE_NAMES, CUE_LABELS, UNITS, PHRASES):
        assert sorted(table) == sorted(LANGUAGES)
    assert sorted(TECHNIQUE_NAMES["en"]) == sorted(TECHNIQUES)
    assert sorted(CUE_LABELS["en"]) == sorted(CUE_NAMES)
    for language in LANGUAGES:
        assert sorted(LABELS[language]) == sorted(LABELS["en"])
        assert sorted(TECHNIQUE_NAMES[language]) == sorted(TECHNIQUES)
        assert sorted(CUE_LABELS[language]) == sorted(CUE_NAMES)
        placeholders = {key: re.findall(r"\{\w+\}", text) for key, text in LABELS["en"].items()}
        assert {
            key: re.findall(r"\{\w+\}", text) for key, text in LABELS[language].items()
        } == placeholders


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_no_table_entry_is_left_in_english(language: str) -> None:
    """Every phrase, label, technique, cue, side and unit of another language is worded
    in it, those no routine here uses included."""
    texts = [
        *phrases_for(language).values(),
        *labels_for(language).values(),
        *TECHNIQUE_NAMES[language].values(),
        *CUE_LABELS[language].values(),
        *SPOKEN_SIDES[language].values(),
        *(form for forms in UNITS[language].values() for form in forms),
    ]
    english = english_fixed_words()
    assert [(text, _words(text) & english) for text in texts if _words(text) & english] == []


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_no_english_fixed_word_is_left(language: str, outputs: dict[str, str]) -> None:
    """Not one word of the English fixed texts is in what a routine in another language
    shows or says."""
    english = english_fixed_words()
    assert _words(outputs[language]) & english == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_own_words_are_shown(language: str, outputs: dict[str, str]) -> None:
    """Each language's chapter names, labels, technique and cue names, side names, units
    and fixed sentences are in its output."""
    missing = [text for text in expected_texts(language) if text not in outputs[language]]
    assert missing == []


def test_english_output_is_full_of_english_fixed_words(outputs: dict[str, str]) -> None:
    """The English routine shows the English fixed words the other languages must not:
    the check above has something to find."""
    english = english_fixed_words()
    found = _words(outputs["en"]) & english
    assert found >= {"introduction", "transition", "pause", "stages", "left", "right", "minute"}
    assert len(found) > 0.8 * len(english)


@pytest.mark.parametrize("language", LANGUAGES)
def test_ids_for_programs_stay_as_they_are(language: str) -> None:
    """The JSON keeps its English keys, segment kinds and technique ids in every
    language; the exported comment names voiceguide and its version."""
    script = scripts(language)[0]
    data = json.loads(WRITERS["json"](script))
    assert {"title", "language", "duration", "stages", "events"} <= set(data)
    assert [s["kind"] for s in data["stages"]][:2] == ["intro", "stage"]
    assert {s["technique"] for s in data["stages"]} == {None, "stroking", "rubbing", "kneading"}
    assert f"voiceguide {__version__}." in Tags.for_script(script).comment
