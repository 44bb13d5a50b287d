"""Every built-in routine against every rule of the guidance that applies to it
(tests/guidance_rules.yaml: the rule, its passage, its check), in every session of its
course and with every painful side."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_variants import variants_of
from voiceguide.adapt import Variant, adapt
from voiceguide.compiler import compile_routine
from voiceguide.load import builtin_names, load_routine
from voiceguide.load.library import builtin_path
from voiceguide.model.routine import Routine
from voiceguide.model.script import Script, Segment
from voiceguide.stages import instances_of

RULES_FILE = Path(__file__).parent / "guidance_rules.yaml"
RULES: dict[str, Any] = yaml.safe_load(RULES_FILE.read_text("utf-8"))
SHARED_SAFETY = builtin_path("neck").parent / "shared" / "safety.yaml"

Rule = dict[str, Any]
Check = Callable[[Rule, Routine, Variant, Script], None]

GENERAL_ORDER = {
    "squeezing": 1,
    "rubbing": 2,
    "kneading": 3,
    "pressure": 4,
    "acupressure": 4,
    "compression": 4,
    "vibration": 5,
    "tapping": 5,
    "shaking": 5,
}
"""Rank of each technique between the opening and the closing stroking; stroking and
rest may come anywhere."""

FORCEFUL = re.compile(
    r"\b(deep|deeply|hard|harder|firm|firmly|greater force|intensive|intensively|shake|"
    r"shaking|strong|strongly|vigorous|vigorously)\b",
    re.IGNORECASE,
)
"""Words a sparing session never says in its instructions."""

SAID_TO_DO = {"announce", "instruction", "reminder", "switch"}


def routines_of(rule: Rule) -> list[str]:
    names: list[str] = []
    for entry in rule["applies"]:
        if entry == "all":
            names += builtin_names()
        else:
            names += RULES["groups"].get(entry, [entry])
    return sorted(set(names))


def cases() -> Iterator[Any]:
    for rule in RULES["rules"]:
        for name in routines_of(rule):
            yield pytest.param(rule, name, id=f"{rule['id']}-{name}")


@functools.cache
def routine(name: str) -> Routine:
    return load_routine(name)


@functools.cache
def compiled(name: str, variant: Variant) -> Script:
    return compile_routine(adapt(routine(name), variant))


def techniques(script: Script) -> list[str]:
    """The techniques of the stage segments, consecutive repeats collapsed."""
    result: list[str] = []
    for segment in script.stages:
        if segment.technique and (not result or result[-1] != segment.technique):
            result.append(segment.technique)
    return result


def said_in(script: Script, segment: Segment, roles: set[str] = SAID_TO_DO) -> list[str]:
    return [s.text for s in script.speech() if s.segment == segment.index and s.role in roles]


def massage_time(script: Script) -> float:
    return script.stages[-1].end - script.stages[0].start


# -- the checks


def starts_and_ends_with_stroking(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    order = techniques(script)
    assert order[0] == order[-1] == "stroking", order


def follows_the_general_order(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    order = techniques(script)
    ranks = [GENERAL_ORDER[t] for t in order[1:-1] if t in GENERAL_ORDER]
    assert ranks == sorted(ranks), order
    if "kneading" in order:
        assert "rubbing" in order
        assert order.index("rubbing") < order.index("kneading"), order


def kneading_has_the_most_time(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    time: dict[str, float] = {}
    for segment in script.stages:
        key = segment.technique or ""
        time[key] = time.get(key, 0.0) + segment.duration
    assert time["kneading"] >= max(time.values()), time


def keeps_off_the_spine(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    """Whatever mentions the spine keeps off it; pressure and tapping say so."""
    keep_off = re.compile(r"\b(never|not|beside|either side|both sides|nearer)\b", re.IGNORECASE)
    for speech in script.speech():
        if "spine" in speech.text.lower():
            assert keep_off.search(speech.text), speech.text
    for segment in script.stages:
        if segment.technique in {"pressure", "tapping", "vibration"}:
            words = " ".join(said_in(script, segment))
            assert re.search(r"never on the spine", words, re.IGNORECASE), segment.label


def says_to_press_more_lightly_where_it_hurts(
    rule: Rule, r: Routine, v: Variant, script: Script
) -> None:
    spoken = " ".join(s.text for s in script.speech())
    assert re.search(r"more lightly|ease off|stop where it hurts", spoken, re.IGNORECASE)


def massage_lasts(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    low, high = rule["minutes"]
    assert low * 60 <= massage_time(script) <= high * 60, massage_time(script)


def course_grows(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    course = r.course
    assert course is not None
    low, high = rule["sessions"]
    assert low <= course.sessions <= high
    lengths = [
        massage_time(compiled(r.name or "", Variant(n))) for n in range(1, course.sessions + 1)
    ]
    first_low, first_high = rule["first_minutes"]
    assert first_low * 60 - 1 <= lengths[0] <= first_high * 60 + 1, lengths[0]
    assert lengths == sorted(lengths)
    assert lengths[-1] == pytest.approx(massage_time(script), abs=0.01)


def sparing_sessions_are_gentle(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    course = r.course
    assert course is not None
    assert 2 <= course.sparing <= 3
    if v.session is None or v.session > course.sparing:
        return
    for speech in script.speech():
        if speech.role in SAID_TO_DO:
            assert not FORCEFUL.search(speech.text), speech.text


def healthy_side_first_and_longer(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    if v.painful_side is None:
        return
    note = r.phrases["painful_side"]
    apart = {i.stage.name for i in instances_of(r) if not i.stage.follows_painful_side}
    parts: dict[int | None, list[Segment]] = {}
    for segment in script.stages:
        if segment.side and segment.name not in apart:
            parts.setdefault(segment.stage_number, []).append(segment)
    assert parts
    for sides in parts.values():
        if len(sides) < 2:
            continue
        *healthy, painful = sides
        assert painful.side == v.painful_side
        assert all(part.side != v.painful_side for part in healthy)
        assert painful.duration < min(part.duration for part in healthy), painful.label
        assert note in said_in(script, painful, {"instruction"})


def lists_exacerbation_and_the_shared_contraindications(
    rule: Rule, r: Routine, v: Variant, script: Script
) -> None:
    shared = yaml.safe_load(SHARED_SAFETY.read_text("utf-8"))["safety"]
    assert set(shared["contraindications"]) <= set(r.safety.contraindications)
    assert any("exacerbation" in item for item in r.safety.contraindications)
    intro = " ".join(s.text for s in script.speech() if s.role == "intro")
    for item in r.safety.contraindications:
        assert item in intro


def holds_after_the_words(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    stages = script.stages
    holds = [i for i, s in enumerate(stages) if s.name == rule["stage"]]
    assert len(holds) == rule["holds"]
    for i in holds:
        hold = stages[i]
        words = [
            s.end
            for s in script.speech()
            if s.segment == hold.index and s.role in {"announce", "instruction"}
        ]
        assert hold.end - max(words) >= rule["seconds"], hold.label
        assert any("Press" in text for text in said_in(script, stages[i - 1])), hold.label


def presses_points_until_they_respond(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    low, high = rule["points"]
    points = {s.stage_number for s in script.stages if s.technique == "acupressure"}
    assert low <= len(points) <= high
    spoken = " ".join(s.text for s in script.speech()).lower()
    assert "three fingers" in spoken
    for sign in ("throb", "soft", "warm"):
        assert sign in spoken, sign


def offered_once_the_pain_is_gone(rule: Rule, r: Routine, v: Variant, script: Script) -> None:
    said = " ".join([r.description or "", *(s.text for s in script.speech())])
    assert re.search(r"8th|eighth|session 8", said, re.IGNORECASE), said[:200]
    assert "pain" in said.lower()


CHECKS: dict[str, Check] = {
    name: check
    for name, check in globals().items()
    if callable(check) and name in {rule["check"] for rule in RULES["rules"]}
}


@pytest.mark.parametrize(("rule", "name"), list(cases()))
def test_routine_follows_the_rule_in_every_variant(rule: Rule, name: str) -> None:
    check = CHECKS[rule["check"]]
    whole = routine(name)
    variants = [Variant()] if rule.get("as_written") else list(variants_of(whole))
    for variant in variants:
        check(rule, whole, variant, compiled(name, variant))


@pytest.mark.parametrize(("rule", "name"), list(cases()))
def test_routine_file_quotes_the_passage_it_follows(rule: Rule, name: str) -> None:
    """The routine's comments repeat part of each passage it follows."""
    comments = " ".join(
        line.lstrip("# ").strip()
        for line in builtin_path(name).read_text("utf-8").splitlines()
        if line.lstrip().startswith("#")
    )
    assert rule["quote"] in comments


def test_every_rule_has_a_check_and_quotes_its_passage() -> None:
    for rule in RULES["rules"]:
        assert rule["check"] in CHECKS, rule["id"]
        assert rule["quote"] in " ".join(rule["passage"].split()), rule["id"]
        assert routines_of(rule), rule["id"]


def test_every_builtin_routine_is_a_massage_or_named_apart() -> None:
    """The groups name every built-in routine, so none escapes the rules for its kind."""
    grouped = {name for names in RULES["groups"].values() for name in names}
    assert grouped == set(builtin_names()) - {"mobility"}
