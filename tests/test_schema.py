"""The JSON Schemas shipped in ``voiceguide/schema``: the one for routine files (editors
validate and complete routines with it) and the one for ``preview --format json`` output
(third parties rely on it).  Both must be valid schemas and stay in step with the loader
(``voiceguide.load``) and the JSON writer (``voiceguide.formats.json_format``).
"""

from __future__ import annotations

import itertools
import json
import re
import typing
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.compiler import compile_routine
from voiceguide.durations import parse_duration
from voiceguide.errors import RoutineError, Severity
from voiceguide.formats.json_format import to_json
from voiceguide.load import load_routine
from voiceguide.load.keys import BLOCK_KEYS, INCLUDE_KEYS, STAGE_KEYS, TOP_KEYS
from voiceguide.load.library import builtin_names, builtin_path
from voiceguide.model.routine import CUE_NAMES, DEFAULT_SOUNDS, TECHNIQUES, TEMPLATE_VARIABLES
from voiceguide.model.script import SegmentKind, SpeechRole
from voiceguide.model.sounds import SOUNDS
from voiceguide.phrases import PHRASE_KEYS, PHRASES

Schema = dict[str, Any]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _schema_text(name: str) -> str:
    return (resources.files("voiceguide") / "schema" / name).read_text("utf-8")


ROUTINE_SCHEMA: Schema = json.loads(_schema_text("routine.schema.json"))
SCRIPT_SCHEMA: Schema = json.loads(_schema_text("script.schema.json"))
ROUTINE_VALIDATOR = jsonschema.Draft202012Validator(ROUTINE_SCHEMA)
SCRIPT_VALIDATOR = jsonschema.Draft202012Validator(SCRIPT_SCHEMA)
DEFS: Schema = ROUTINE_SCHEMA["$defs"]
STAGE: Schema = DEFS["stage"]


def _errors(validator: Any, instance: object) -> list[str]:
    """Every validation error, as 'path: message' (empty when the instance is valid)."""
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(instance)]


def _subschema_validator(schema: Schema) -> Any:
    """A validator for a part of the routine schema, resolving its $refs in the whole."""
    return ROUTINE_VALIDATOR.evolve(schema=schema)


def _property_schemas(schema: Any, path: str = "#") -> Iterator[tuple[str, Schema]]:
    """Every schema found under ``properties``, walking properties, items, $defs and the
    anyOf/oneOf/allOf branches (not if/then, whose properties only narrow others)."""
    if not isinstance(schema, dict):
        return
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}/properties/{name}", sub
        yield from _property_schemas(sub, f"{path}/properties/{name}")
    for name, sub in schema.get("$defs", {}).items():
        yield from _property_schemas(sub, f"{path}/$defs/{name}")
    if "items" in schema:
        yield from _property_schemas(schema["items"], f"{path}/items")
    for keyword in ("anyOf", "oneOf", "allOf"):
        for number, sub in enumerate(schema.get(keyword, [])):
            yield from _property_schemas(sub, f"{path}/{keyword}/{number}")


# --------------------------------------------------------------------------- the schemas


@pytest.mark.parametrize("schema", [ROUTINE_SCHEMA, SCRIPT_SCHEMA], ids=["routine", "script"])
def test_schema_is_a_valid_draft_2020_12_schema(schema: Schema) -> None:
    """Each schema declares draft 2020-12 and passes that draft's meta-schema."""
    assert schema["$schema"] == DRAFT_2020_12
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("schema", [ROUTINE_SCHEMA, SCRIPT_SCHEMA], ids=["routine", "script"])
def test_every_property_has_a_title_and_a_description(schema: Schema) -> None:
    """Every property has a non-empty title and description: editors show them on hover."""
    properties = list(_property_schemas(schema))
    assert len(properties) > 25
    missing = [
        path
        for path, sub in properties
        if not str(sub.get("title", "")).strip() or not str(sub.get("description", "")).strip()
    ]
    assert missing == []


@pytest.mark.parametrize("schema", [ROUTINE_SCHEMA, SCRIPT_SCHEMA], ids=["routine", "script"])
def test_every_object_rejects_unknown_keys(schema: Schema) -> None:
    """Every object with properties sets additionalProperties: false, as the loader and
    the writer know no other keys."""

    def objects(node: Any, path: str) -> Iterator[tuple[str, Schema]]:
        if isinstance(node, dict):
            if "properties" in node and not path.endswith(("/then", "/else")):
                yield path, node
            for key, value in node.items():
                if key not in ("if", "then", "else"):
                    yield from objects(value, f"{path}/{key}")
        elif isinstance(node, list):
            for number, value in enumerate(node):
                yield from objects(value, f"{path}/{number}")

    found = list(objects(schema, "#"))
    assert len(found) >= 5
    open_objects = [path for path, node in found if node.get("additionalProperties") is not False]
    assert open_objects == []


def test_schema_command_prints_the_packaged_routine_schema() -> None:
    """`voiceguide schema` prints the routine schema file, byte for byte."""
    result = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output == _schema_text("routine.schema.json")
    assert json.loads(result.output) == ROUTINE_SCHEMA


# --------------------------------------------------------------------------- built-in routines


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_routine_validates_against_the_routine_schema(name: str) -> None:
    """Every built-in routine, read as plain YAML, is valid against the routine schema."""
    document = yaml.safe_load(builtin_path(name).read_text("utf-8"))
    assert _errors(ROUTINE_VALIDATOR, document) == []


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_json_preview_validates_against_the_script_schema(name: str) -> None:
    """The JSON preview of every built-in routine is valid against the script schema."""
    document = json.loads(to_json(compile_routine(load_routine(name))))
    assert _errors(SCRIPT_VALIDATOR, document) == []


def test_there_are_builtin_routines_to_check() -> None:
    """The built-in routine tests above do not pass vacuously."""
    assert builtin_names()


# --------------------------------------------------------------------------- keys and names


def _keys(schema: Schema) -> list[str]:
    return list(schema["properties"])


@pytest.mark.parametrize(
    ("where", "schema", "expected"),
    [
        ("top level", ROUTINE_SCHEMA, TOP_KEYS),
        ("stage", STAGE, STAGE_KEYS),
        ("repeat block", DEFS["repeatBlock"], BLOCK_KEYS),
        ("include", DEFS["include"], INCLUDE_KEYS),
        ("phrases", ROUTINE_SCHEMA["properties"]["phrases"], PHRASE_KEYS),
        ("cue sounds", DEFS["cueSettings"]["properties"]["sounds"], CUE_NAMES),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_schema_keys_are_the_loaders_key_tuples(
    where: str, schema: Schema, expected: tuple[str, ...]
) -> None:
    """The keys each mapping allows are the loader's key tuple, in the same order."""
    assert _keys(schema) == list(expected), where


UNKNOWN = "zzzzzz"  # close to no key, so the loader lists every key it allows

KEY_PROBE = f"""\
voiceguide: 1
title: T
{UNKNOWN}: 1
voice: {{{UNKNOWN}: 1}}
safety: {{{UNKNOWN}: 1}}
cues: {{{UNKNOWN}: 1, sounds: {{{UNKNOWN}: 1}}}}
phrases: {{{UNKNOWN}: 1}}
sparing: {{{UNKNOWN}: 1}}
painful: {{{UNKNOWN}: 1}}
stages:
  - name: S
    duration: 1m
    {UNKNOWN}: 1
    sparing: {{{UNKNOWN}: 1}}
    painful: {{{UNKNOWN}: 1}}
    remind: [{{{UNKNOWN}: 1}}]
    count: {{{UNKNOWN}: 1}}
  - repeat: 2
    {UNKNOWN}: 1
    stages: [{{name: A, duration: 1m}}]
  - include: other.yaml
    {UNKNOWN}: 1
"""

MAPPINGS_BY_LOADER_NAME: dict[str, Schema] = {
    "the routine": ROUTINE_SCHEMA,
    "voice": ROUTINE_SCHEMA["properties"]["voice"],
    "safety": ROUTINE_SCHEMA["properties"]["safety"],
    "cues": DEFS["cueSettings"],
    "cue sounds": DEFS["cueSettings"]["properties"]["sounds"],
    "phrases": ROUTINE_SCHEMA["properties"]["phrases"],
    "a stage": STAGE,
    "a reminder": DEFS["reminders"]["items"],
    "sparing of a stage": STAGE["properties"]["sparing"],
    "painful of a stage": STAGE["properties"]["painful"]["anyOf"][0],
    "sparing of the routine": ROUTINE_SCHEMA["properties"]["sparing"],
    "painful of the routine": ROUTINE_SCHEMA["properties"]["painful"],
    "count": STAGE["properties"]["count"],
    "a repeat block": DEFS["repeatBlock"],
    "an include": DEFS["include"],
}


def test_every_mapping_allows_the_keys_the_loader_allows(tmp_path: Path) -> None:
    """For every mapping in a routine (including voice, safety, cues, reminders and count,
    whose keys live inside the loader's methods), the schema allows exactly the keys the
    loader lists when it rejects an unknown one."""
    (tmp_path / "other.yaml").write_text("stages: [{name: B, duration: 1m}]\n", "utf-8")
    path = tmp_path / "probe.yaml"
    path.write_text(KEY_PROBE, "utf-8")
    with pytest.raises(RoutineError) as caught:
        load_routine(path)
    listed: dict[str, list[str]] = {}
    pattern = re.compile(rf"unknown key '{UNKNOWN}' in (.+?); expected one of: (.+)$")
    for diagnostic in caught.value.diagnostics:
        if match := pattern.search(diagnostic.message):
            listed[match[1]] = match[2].split(", ")
    assert set(listed) == set(MAPPINGS_BY_LOADER_NAME)
    for what, keys in listed.items():
        assert _keys(MAPPINGS_BY_LOADER_NAME[what]) == keys, what


def test_technique_enum_is_the_loaders_list() -> None:
    """The technique enum is TECHNIQUES, in order."""
    assert STAGE["properties"]["technique"]["enum"] == list(TECHNIQUES)


def test_builtin_sound_enum_is_the_palette() -> None:
    """The built-in sound names are SOUNDS' names, described as in the palette."""
    assert DEFS["builtinSound"]["enum"] == list(SOUNDS)
    assert DEFS["builtinSound"]["enumDescriptions"] == [s.description for s in SOUNDS.values()]


def test_cue_sound_defaults_are_the_loaders() -> None:
    """Each cue sound's documented default is the one the loader uses."""
    sounds = DEFS["cueSettings"]["properties"]["sounds"]["properties"]
    assert {cue: sub["default"] for cue, sub in sounds.items()} == DEFAULT_SOUNDS


def test_phrase_defaults_are_the_english_phrases() -> None:
    """Each phrase's documented default is the built-in English phrase."""
    phrases = ROUTINE_SCHEMA["properties"]["phrases"]["properties"]
    assert {key: sub["default"] for key, sub in phrases.items()} == PHRASES["en"]


def _template_variables(pattern: str) -> list[str]:
    match = re.search(r"\\\{\(\?:([\w|]+)\)\\\}", pattern)
    assert match is not None, pattern
    return match[1].split("|")


@pytest.mark.parametrize(
    ("definition", "with_side"),
    [
        ("template", True),
        ("templateNoSide", False),
        ("phraseTemplateSided", True),
        ("phraseTemplate", False),
    ],
)
def test_template_patterns_know_the_loaders_variables(definition: str, with_side: bool) -> None:
    """Template patterns allow exactly TEMPLATE_VARIABLES ({side} only where sides exist)."""
    expected = [v for v in TEMPLATE_VARIABLES if with_side or v != "side"]
    assert _template_variables(DEFS[definition]["pattern"]) == expected


def test_script_schema_enums_are_the_compilers() -> None:
    """Segment kinds, speech roles and tone cues in the script schema are the compiler's."""
    segment = SCRIPT_SCHEMA["properties"]["stages"]["items"]["properties"]
    speech = SCRIPT_SCHEMA["$defs"]["speech"]["properties"]
    tone = SCRIPT_SCHEMA["$defs"]["tone"]["properties"]
    assert segment["kind"]["enum"] == list(typing.get_args(SegmentKind))
    assert speech["role"]["enum"] == list(typing.get_args(SpeechRole))
    assert tone["cue"]["enum"] == list(CUE_NAMES)


# --------------------------------------------------------------------------- durations

# Tokens that build duration-like strings; '-' is left out on purpose (the schema rejects a
# minus sign: negative durations are errors, and the loader reading '--5s' as 5 s is a quirk).
_TOKENS = (
    "1", "30", "1.5", "0", "00", ".5", "5.", "+", " ", ":", "1:30", "h", "hr", "hrs", "hour",
    "hours", "H", "m", "min", "Mins", "minute", "minutes", "s", "sec", "SECS", "second",
    "seconds", "x", "ms", "1h", "30m", "5s",
)  # fmt: skip


def _duration_corpus() -> list[str]:
    return sorted(
        "".join(parts)
        for length in (1, 2, 3)
        for parts in itertools.product(_TOKENS, repeat=length)
    )


def _seconds(text: str) -> float | None:
    try:
        return parse_duration(text)
    except ValueError:
        return None


@pytest.mark.parametrize(
    ("definition", "allow_zero"), [("duration", False), ("durationOrZero", True)]
)
def test_duration_pattern_accepts_what_parse_duration_accepts(
    definition: str, allow_zero: bool
) -> None:
    """On a corpus of about 34,000 duration-like strings, the schema's duration pattern matches
    exactly the strings parse_duration reads as a duration the loader allows (zero only
    where zero is allowed)."""
    pattern = re.compile(DEFS[definition]["anyOf"][1]["pattern"])
    wrong = []
    for text in _duration_corpus():
        seconds = _seconds(text)
        expected = seconds is not None and (seconds > 0 or (allow_zero and seconds == 0))
        if expected != bool(pattern.search(text)):
            wrong.append((text, seconds))
    assert wrong == []


def test_stage_duration_schema_accepts_what_the_loader_accepts_for_a_stage() -> None:
    """On the same corpus, a stage's duration is valid for the schema exactly when
    parse_duration reads it as at least a second (and at most a day); the schema catches
    shorter stages written in seconds or as a clock, the loader every one."""
    duration = re.compile(DEFS["duration"]["anyOf"][1]["pattern"])
    shorter = re.compile(DEFS["stageDuration"]["allOf"][1]["not"]["anyOf"][1]["pattern"])
    wrong = []
    for text in _duration_corpus():
        seconds = _seconds(text)
        expected = seconds is not None and seconds >= 1
        if expected != bool(duration.search(text) and not shorter.search(text)):
            wrong.append((text, seconds))
    assert wrong == []


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("45s", True),
        ("1m30s", True),
        ("2 min", True),
        ("1:30", True),
        ("1:00:00", True),
        ("1h", True),
        ("1 hour 30 minutes", True),
        ("90", True),
        (90, True),
        (2.5, True),
        (86400, True),
        (86401, False),
        (1, True),
        ("1s", True),
        ("0:01", True),
        (0.5, False),
        ("0.5s", False),
        (".5", False),
        ("0:00.5", False),
        ("0m 0.9s", False),
        ("0.000001s", False),
        (0, False),
        ("0s", False),
        ("0:00", False),
        ("-5s", False),
        ("30s 1m", False),
        ("1m30", False),
        ("1 fortnight", False),
        ("", False),
        (True, False),
        (None, False),
    ],
)
def test_stage_duration_values(tmp_path: Path, value: object, valid: bool) -> None:
    """A stage's duration is valid for the schema exactly when the loader accepts it."""
    routine = {"voiceguide": 1, "title": "T", "stages": [{"name": "S", "duration": value}]}
    path = tmp_path / "r.yaml"
    path.write_text(json.dumps(routine), "utf-8")  # JSON is YAML: the loader reads it too
    assert (_errors(ROUTINE_VALIDATOR, routine) == []) is valid
    assert (_loader_problems(path) == []) is valid, _loader_problems(path)


# --------------------------------------------------------------------------- routines


def _loader_problems(path: Path) -> list[str]:
    """The loader's errors for the routine file at ``path`` (empty when it loads)."""
    try:
        load_routine(path)
    except RoutineError as exc:
        return [str(d) for d in exc.diagnostics if d.severity is Severity.ERROR]
    return []


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A routine folder with a sound file and a file to include."""
    (tmp_path / "sounds").mkdir()
    (tmp_path / "sounds" / "cue.wav").write_bytes(b"RIFF")
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "rest.yaml").write_text(
        "voiceguide: 1\ntitle: Rest\nstages:\n  - {name: Rest, technique: rest, duration: 15s}\n",
        "utf-8",
    )
    return tmp_path


RICH_ROUTINE = """\
# yaml-language-server: $schema=../voiceguide/schema/routine.schema.json
voiceguide: 1
title: Shoulders and neck
description: Uses every part of the routine format.
language: en-GB
author: voiceguide tests
voice: {id: en-gb, rate: 140, volume: 0.8}
position: Sit upright with your back supported.
preparation: [Warm your hands., Drop your shoulders.]
closing: Rest for a minute before you get up.
safety:
  contraindications: [fever, a rash on the neck]
  stop_if: dizziness
cues:
  countdown: 5
  halfway: true
  next_up: 10s
  sounds:
    start: rise
    end: false
    switch: sounds/cue.wav
    halfway: null
    countdown: tick
    finish: off
transition: 3s
phrases:
  switch: "Change hands: the {side} side."
  next_up: "Coming up: {next}."
  halfway: ""
  last_stage: the end
stages:
  - name: Stroking
    technique: stroking
    duration: 1m30s
    say:
      - Stroke slowly down.
      - "{remaining} to go."
    remind:
      - {at: 45s, say: Keep it slow.}
      - {every: 20s, say: Breathe.}
    cues: {halfway: false, sounds: {start: chime}}
  - name: Kneading
    technique: kneading
    duration: 3m
    sides: [left, right]
    switch_pause: 5s
    say: Knead the {side} side.
    remind: [{at: 30s, say: "Ease off on the {side} side if it hurts."}]
  - name: Rounds
    repeat: 2
    transition: 1s
    cues: {countdown: 0}
    stages:
      - name: Press
        technique: pressure
        duration: 40s
        say: Press, round {n} of {total}.
        count: {reps: 5, every: 6s, start: 5s}
      - repeat: 2
        stages:
          - {name: Tap, technique: tapping, duration: 20s, say: Tap lightly.}
          - include: parts/rest.yaml
  - name: Finish
    duration: 1:30
    say: Finish with slow strokes to {next}.
"""


def test_rich_routine_is_valid_for_both_schema_and_loader(folder: Path) -> None:
    """A routine using sides, switch_pause, count, reminders at and every, nested repeat
    blocks, cues with sounds and stage overrides, phrases and an include is accepted by
    the loader and the schema, and so is its included file."""
    path = folder / "rich.yaml"
    path.write_text(RICH_ROUTINE, "utf-8")
    assert _loader_problems(path) == []
    assert _errors(ROUTINE_VALIDATOR, yaml.safe_load(RICH_ROUTINE)) == []
    included = yaml.safe_load((folder / "parts" / "rest.yaml").read_text("utf-8"))
    assert _errors(ROUTINE_VALIDATOR, included) == []


def test_rich_routine_json_preview_validates_against_the_script_schema(folder: Path) -> None:
    """The rich routine's JSON preview, with sides, repetitions and a sound file, is valid
    against the script schema."""
    path = folder / "rich.yaml"
    path.write_text(RICH_ROUTINE, "utf-8")
    document = json.loads(to_json(compile_routine(load_routine(path))))
    assert _errors(SCRIPT_VALIDATOR, document) == []
    stages = document["stages"]
    assert {s["kind"] for s in stages} == {"intro", "stage", "transition", "outro"}
    assert [2, 2] in [s["repetition"] for s in stages]
    assert "left" in [s["side"] for s in stages]
    assert any(e["kind"] == "tone" and e["sound"].endswith("cue.wav") for e in document["events"])


def test_unknown_technique_is_a_schema_error_but_only_a_loader_warning(folder: Path) -> None:
    """An unknown technique fails the schema's enum (so editors flag it) while the loader
    only warns (so 'voiceguide check --strict' fails on it)."""
    text = "voiceguide: 1\ntitle: T\nstages:\n  - {name: S, duration: 1m, technique: massage}\n"
    path = folder / "r.yaml"
    path.write_text(text, "utf-8")
    assert load_routine(path).warnings
    assert _errors(ROUTINE_VALIDATOR, yaml.safe_load(text)) != []


HEAD = "voiceguide: 1\ntitle: T\n"


def _stage(body: str) -> str:
    """A routine with one stage S of 1 minute plus ``body`` (flow-style keys)."""
    extra = f", {body}" if body else ""
    return HEAD + f"stages:\n  - {{name: S, duration: 1m{extra}}}\n"


def _top(body: str) -> str:
    """A routine with one plain stage and ``body`` as extra top-level lines."""
    return HEAD + body + "\nstages:\n  - {name: S, duration: 1m}\n"


AGREEMENT = [
    # --- accepted by both
    pytest.param(_stage(""), True, id="minimal"),
    pytest.param(_stage("say: [One., Two.]"), True, id="say-list"),
    pytest.param(_stage("remind: []"), True, id="remind-empty-list"),
    pytest.param(_stage("switch_pause: 2s"), True, id="switch-pause-without-sides-warns-only"),
    pytest.param(_stage("sides: [l, r], say: 'The {side} side.'"), True, id="side-in-sided-say"),
    pytest.param(
        _stage("sides: [l, r], remind: [{at: 5s, say: '{side} again'}]"),
        True,
        id="side-in-sided-reminder",
    ),
    pytest.param(_stage("say: 'Literal {{braces}}.'"), True, id="literal-braces"),
    pytest.param(_stage("cues: {countdown: false, next_up: false}"), True, id="cues-off"),
    pytest.param(_stage("cues: {next_up: 0}"), True, id="next-up-zero"),
    pytest.param(
        _stage("cues: {sounds: {start: none, end: OFF, switch: null, finish: false}}"),
        True,
        id="silent-sounds",
    ),
    pytest.param(_stage("cues: {sounds: {start: sounds/cue.wav}}"), True, id="sound-file"),
    pytest.param(_top("phrases: {halfway: '', switch: 'Now {side}.'}"), True, id="phrases"),
    pytest.param(_top("language: en_GB"), True, id="language-underscore"),
    pytest.param(_top("language: UK-ua"), True, id="language-upper-case-with-region"),
    pytest.param(_top("language: ua"), False, id="language-unsupported"),
    pytest.param(_top("language: english"), False, id="language-name"),
    pytest.param(_top("transition: 0"), True, id="transition-zero"),
    pytest.param(
        HEAD + "stages:\n  - stages: [{name: A, duration: 1m}]\n", True, id="block-without-repeat"
    ),
    pytest.param(HEAD + "stages:\n  - include: parts/rest.yaml\n", True, id="include"),
    pytest.param(_stage("sides: [a, b, c, d]"), True, id="four-sides"),
    pytest.param(_stage(f"say: {'w' * 2000}"), True, id="longest-text"),
    pytest.param(_stage("").replace("name: S", f"name: {'N' * 100}"), True, id="longest-name"),
    # --- rejected by both
    pytest.param(_top("titel: X"), False, id="unknown-top-key"),
    pytest.param(_stage("durration: 1m"), False, id="unknown-stage-key"),
    pytest.param(
        "voiceguide: 1\nstages:\n  - {name: S, duration: 1m}\n", False, id="missing-title"
    ),
    pytest.param("title: T\nstages:\n  - {name: S, duration: 1m}\n", False, id="missing-version"),
    pytest.param(_top("").replace("voiceguide: 1", "voiceguide: 2"), False, id="version-2"),
    pytest.param(HEAD, False, id="missing-stages"),
    pytest.param(HEAD + "stages: []\n", False, id="empty-stages"),
    pytest.param(HEAD + "stages: [Stroking]\n", False, id="stage-not-a-mapping"),
    pytest.param("- voiceguide: 1\n", False, id="routine-is-a-list"),
    pytest.param(HEAD + "stages:\n  - {name: S}\n", False, id="stage-missing-duration"),
    pytest.param(HEAD + "stages:\n  - {duration: 1m}\n", False, id="stage-missing-name"),
    pytest.param(_top("").replace("title: T", "title: '  '"), False, id="blank-title"),
    pytest.param(_top("").replace("title: T", "title: [a, b]"), False, id="title-is-a-list"),
    pytest.param(_top("transition: -1s"), False, id="negative-transition"),
    pytest.param(_top("voice: {rate: fast}"), False, id="rate-not-a-number"),
    pytest.param(_top("voice: {rate: 20}"), False, id="rate-too-low"),
    pytest.param(_top("voice: {volume: 1.5}"), False, id="volume-too-high"),
    pytest.param(_top("language: e n"), False, id="language-with-space"),
    pytest.param(_top("safety: {stop_if: []}"), False, id="empty-stop-if-list"),
    pytest.param(_stage("sides: left"), False, id="sides-not-a-list"),
    pytest.param(_stage("sides: [a, b, c, d, e]"), False, id="five-sides"),
    pytest.param(_stage(f"sides: [a, {'b' * 101}]"), False, id="side-name-too-long"),
    pytest.param(_stage(f"say: {'w' * 2001}"), False, id="text-too-long"),
    pytest.param(_stage(f"say: [a, {'w' * 2001}]"), False, id="list-item-too-long"),
    pytest.param(_stage("").replace("name: S", f"name: {'N' * 101}"), False, id="name-too-long"),
    pytest.param(_stage("").replace("duration: 1m", "duration: 0.5s"), False, id="stage-too-short"),
    pytest.param(
        _top(f"phrases: {{last_stage: {'z' * 101}}}"), False, id="last-stage-phrase-too-long"
    ),
    pytest.param(_top(f"closing: {'w' * 2001}"), False, id="closing-too-long"),
    pytest.param(_stage("sides: [left, left]"), False, id="sides-twice"),
    pytest.param(_stage("remind: [{at: 5s, every: 10s, say: x}]"), False, id="remind-at-and-every"),
    pytest.param(_stage("remind: [{say: x}]"), False, id="remind-without-time"),
    pytest.param(_stage("remind: [{at: 5s}]"), False, id="remind-without-say"),
    pytest.param(_stage("count: {reps: 3}"), False, id="count-without-every"),
    pytest.param(_stage("count: {reps: 0, every: 2s}"), False, id="count-zero-reps"),
    pytest.param(_stage("cues: {countdown: true}"), False, id="countdown-true"),
    pytest.param(_stage("cues: {countdown: 61}"), False, id="countdown-too-long"),
    pytest.param(_stage("cues: {halfway: sometimes}"), False, id="halfway-not-boolean"),
    pytest.param(_stage("cues: {next_up: true}"), False, id="next-up-true"),
    pytest.param(_stage("cues: {sounds: {start: chimes}}"), False, id="unknown-sound"),
    pytest.param(_stage("cues: {sounds: {start: cue.mp3}}"), False, id="unsupported-sound-file"),
    pytest.param(_stage("cues: {sounds: {begin: chime}}"), False, id="unknown-cue"),
    pytest.param(_top("phrases: {hello: Hi.}"), False, id="unknown-phrase"),
    pytest.param(_top("phrases: {finish: null}"), False, id="null-phrase"),
    pytest.param(_top("phrases: {next_up: 'Next {side}.'}"), False, id="side-in-phrase"),
    pytest.param(_stage("say: 'Do {stagee}.'"), False, id="unknown-template-variable"),
    pytest.param(_stage("say: 'The {side} side.'"), False, id="side-without-sides"),
    pytest.param(
        _stage("remind: [{at: 5s, say: 'The {side} side.'}]"), False, id="side-in-unsided-reminder"
    ),
    pytest.param(_stage("say: '{stage:>9}'"), False, id="template-format-spec"),
    pytest.param(_stage("say: 'a } b'"), False, id="stray-brace"),
    pytest.param(HEAD + "stages:\n  - {repeat: 2}\n", False, id="block-without-stages"),
    pytest.param(
        HEAD + "stages:\n  - {repeat: 0, stages: [{name: A, duration: 1m}]}\n",
        False,
        id="block-repeat-zero",
    ),
    pytest.param(
        HEAD + "stages:\n  - {repeat: 2, say: x, stages: [{name: A, duration: 1m}]}\n",
        False,
        id="block-unknown-key",
    ),
    pytest.param(
        HEAD + "stages:\n  - {include: parts/rest.yaml, name: X}\n", False, id="include-extra-key"
    ),
]


@pytest.mark.parametrize(("text", "valid"), AGREEMENT)
def test_schema_and_loader_agree(folder: Path, text: str, valid: bool) -> None:
    """The routine is accepted by the schema (read as plain YAML) exactly when the loader
    accepts it."""
    path = folder / "routine.yaml"
    path.write_text(text, "utf-8")
    loader = _loader_problems(path)
    schema = _errors(ROUTINE_VALIDATOR, yaml.safe_load(text))
    assert (loader == []) is valid, loader
    assert (schema == []) is valid, schema


# --------------------------------------------------------------------------- documentation


def _documented_examples() -> Iterator[tuple[str, str, Schema, object]]:
    """Examples written in descriptions as `key: value` for that very key, and the
    examples listed under 'examples'."""
    for path, sub in _property_schemas(ROUTINE_SCHEMA):
        key = path.rsplit("/", 1)[1]
        for snippet in re.findall(r"`([^`]+)`", sub["description"]):
            if snippet.startswith(f"{key}: "):
                yield path, snippet, sub, yaml.safe_load(snippet)[key]
        block = sub["description"].partition("Example:\n\n")[2]
        if block.startswith(f"{key}:"):
            yield path, block, sub, yaml.safe_load(block)[key]
        for example in sub.get("examples", []):
            yield path, repr(example), sub, example


def test_examples_in_the_routine_schema_are_valid() -> None:
    """Every example the routine schema shows users is valid for its own property."""
    examples = list(_documented_examples())
    assert len(examples) > 40
    wrong = [
        (path, snippet, _errors(_subschema_validator(sub), value))
        for path, snippet, sub, value in examples
        if _errors(_subschema_validator(sub), value)
    ]
    assert wrong == []


def test_routine_schema_tells_editors_how_to_use_it() -> None:
    """The top-level description gives the yaml-language-server comment line."""
    assert "# yaml-language-server: $schema=" in ROUTINE_SCHEMA["description"]
