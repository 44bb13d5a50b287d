"""The built-in routine library against the clinical guidance it follows.

The guidance (the project's domain texts on massage for cervical osteochondrosis) sets the
order of techniques (stroking, squeezing, rubbing, kneading, vibration, stroking), the
length of a session (self-massage 10-15 minutes; the first sessions of a course 5-7
minutes), about a minute per acupressure point, compression of a knot as 30 seconds to a
light pain and 30 seconds harder, three times, and that massage is never done during an
exacerbation.  ``LIBRARY`` below states, per built-in routine, what the guidance asks of
it; a new built-in routine must be added there before these tests pass.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.compiler import compile_routine
from voiceguide.load import load_routine
from voiceguide.load.library import builtin_names
from voiceguide.model.routine import TECHNIQUES, Routine, written_stages
from voiceguide.model.script import Script


@dataclass(frozen=True)
class Expected:
    """What the guidance asks of one built-in routine.

    ``techniques`` is the order of techniques of its stages, consecutive repeats collapsed
    (a stage done on both sides, or two rubbing stages in a row, count once);
    ``minutes`` is the allowed range of the whole session, spoken introduction included;
    ``massage`` says whether the general order of a massage session applies to it.
    """

    techniques: tuple[str, ...]
    minutes: tuple[float, float]
    massage: bool = True


COMPRESSION_ROUND = ("compression", "rest", "compression", "rest")
"""Press and hold, release; press again and hold, rest (the techniques as they change)."""

LIBRARY: dict[str, Expected] = {
    # Self-massage of the neck: stroking, intensive rubbing, deep kneading, pressure on
    # the paravertebral zones, vibration, stroking; a session lasts 10-15 minutes.
    "neck": Expected(
        ("stroking", "rubbing", "kneading", "pressure", "vibration", "stroking"), (10, 15)
    ),
    # The collar zone and shoulder girdle (trapezius, shoulder joints, deltoids):
    # stroking, rubbing, kneading, then tapping and shaking, stroking; 10-15 minutes.
    "collar": Expected(
        ("stroking", "rubbing", "kneading", "tapping", "shaking", "stroking"), (10, 15)
    ),
    # The first sessions of a course are sparing and last 5-7 minutes.
    "first-sessions": Expected(("stroking", "rubbing", "stroking"), (5, 7)),
    # 3-4 points at first, about a minute a point (paired points on each side): 3-8
    # minutes of pressing, with light stroking before and after.
    "acupressure": Expected(("stroking", "acupressure", "stroking"), (5, 12)),
    # Press to a light pain and hold 30 s, then harder for 30 s, three times: 3 minutes of
    # pressing, plus the pauses, warming the muscle around the knot first, and stroking.
    "compression": Expected(("stroking", "rubbing", *COMPRESSION_ROUND * 3, "stroking"), (4, 10)),
    # A few simple neck exercises after a massage: turns from side to side, circles.
    "mobility": Expected(("exercise", "rest", "exercise", "rest"), (3, 6), massage=False),
    # The collar zone from beside the upper thoracic spine out to the armpits and the
    # shoulders: stroking, squeezing, rubbing, kneading (most of the time), tapping,
    # stroking; 10-15 minutes.
    "upper-back": Expected(
        ("stroking", "squeezing", "rubbing", "kneading", "tapping", "stroking"), (10, 15)
    ),
    # A helper's massage of the patient's neck and collar zone, step by step: stroking,
    # squeezing, rubbing, kneading (most of the time), stroking and vibration, stroking;
    # no more than 15 minutes.
    "helper-neck": Expected(
        (
            "stroking",
            "squeezing",
            "rubbing",
            "kneading",
            "stroking",
            "vibration",
            "stroking",
        ),
        (10, 15),
    ),
    # Self-massage of the lower back, the sacrum, buttocks and thighs: stroking, rubbing,
    # kneading, vibration, stroking; a lumbar procedure lasts 15-20 minutes.
    "lower-back": Expected(("stroking", "rubbing", "kneading", "vibration", "stroking"), (15, 20)),
    # A short break at work, through clothes, not a session of a course: about two
    # minutes of massage.
    "desk-break": Expected(("stroking", "rubbing", "kneading", "stroking"), (1.5, 3)),
}

MASSAGE_NAMES = sorted(name for name, expected in LIBRARY.items() if expected.massage)


@functools.cache
def routine(name: str) -> Routine:
    return load_routine(name)


@functools.cache
def script(name: str) -> Script:
    return compile_routine(routine(name))


def techniques(name: str) -> tuple[str | None, ...]:
    """The techniques of the routine's stage segments, consecutive repeats collapsed."""
    result: list[str | None] = []
    for segment in script(name).stages:
        if not result or result[-1] != segment.technique:
            result.append(segment.technique)
    return tuple(result)


def test_the_table_lists_exactly_the_builtin_routines() -> None:
    """Every built-in routine is in LIBRARY, so none escapes the checks against the
    guidance, and LIBRARY names no routine that is not built in."""
    assert set(builtin_names()) == set(LIBRARY)


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_routine_passes_check_strict(name: str) -> None:
    """`voiceguide check --strict NAME` succeeds in every variant: no error and no
    warning (all the words fit their stages)."""
    result = CliRunner().invoke(cli, ["check", "--strict", name], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith(f"{name}: ok: ")


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_techniques_come_in_the_order_the_table_states(name: str) -> None:
    """The compiled stages use the techniques of the table, in its order."""
    assert techniques(name) == LIBRARY[name].techniques


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_session_length_is_in_the_range_from_the_guidance(name: str) -> None:
    """The massage, from the first stage to the end of the last (the spoken introduction
    with its safety notes, and the ending, come on top), lasts as long as the guidance
    allows for its kind."""
    low, high = LIBRARY[name].minutes
    stages = script(name).stages
    assert low * 60 <= stages[-1].end - stages[0].start <= high * 60


@pytest.mark.parametrize("name", builtin_names())
def test_every_stage_names_a_known_technique(name: str) -> None:
    """Every stage says which technique it is, one of the known ones."""
    for segment in script(name).stages:
        assert segment.technique in TECHNIQUES, segment.label


@pytest.mark.parametrize("name", builtin_names())
def test_every_routine_has_contraindications_and_stop_if(name: str) -> None:
    """Each routine lists when not to do it and when to stop."""
    safety = routine(name).safety
    assert safety.contraindications
    assert safety.stop_if


def test_acupressure_holds_three_or_four_points_about_a_minute_each() -> None:
    """3-4 points at first, each pressed for about a minute (on each side when paired)."""
    parts = [s for s in script("acupressure").stages if s.technique == "acupressure"]
    assert 3 <= len({s.stage_number for s in parts}) <= 4
    for part in parts:
        assert 50 <= part.duration <= 75, part.label


def test_mobility_counts_every_exercise_at_a_slow_tempo() -> None:
    """The neck exercises are counted repetitions, no faster than one every 5 seconds,
    so there are no sudden movements."""
    exercises = [s for s in written_stages(routine("mobility").stages) if s.technique == "exercise"]
    assert exercises
    for stage in exercises:
        assert stage.count is not None, stage.name
        assert stage.count.every >= 5, stage.name
