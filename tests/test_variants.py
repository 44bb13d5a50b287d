"""Every session a patient can hear is whole: each built-in routine (and a therapist's)
in every session of its course and with every painful side has no warning, counts its
repetitions 1..k with none cut, and says the true time wherever it says {remaining}."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from voiceguide.adapt import PAINFUL_SIDES, Variant, adapt
from voiceguide.compiler import compile_routine
from voiceguide.estimate import EstimatedDurations
from voiceguide.load import builtin_names, load_routine
from voiceguide.model.routine import ModeText, Routine, Stage
from voiceguide.model.script import Script
from voiceguide.pipeline import VoiceOptions, measure
from voiceguide.stages import instances_of

DATA = Path(__file__).parent / "data"
THERAPIST = str(DATA / "therapist.yaml")
ROUTINES = [*builtin_names(), THERAPIST]


def variants_of(routine: Routine) -> Iterator[Variant]:
    """The routine as written and every session of its course, each with no painful side
    and with each side its stages are done on."""
    sessions: list[int | None] = [None]
    if routine.course is not None:
        sessions += range(1, routine.course.sessions + 1)
    sides = {side for instance in instances_of(routine) for side in instance.stage.sides}
    for session in sessions:
        yield Variant(session, None)
        for side in PAINFUL_SIDES:
            if side in sides:
                yield Variant(session, side)


def _label(variant: Variant) -> str:
    return f"session {variant.session}, painful side {variant.painful_side}"


def _spoken_seconds(phrase: str) -> float:
    """Seconds in a spoken span such as '1 minute 30 seconds'."""
    match = re.fullmatch(r"(?:(\d+) minutes?)? ?(?:(\d+) seconds?)?", phrase)
    assert phrase, phrase
    assert match is not None, phrase
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def _templates_with_remaining(routine: Routine) -> list[re.Pattern[str]]:
    """A pattern for each text of the routine that says {remaining}, capturing it."""
    texts: list[str] = []
    for instance in instances_of(routine):
        stage: Stage = instance.stage
        modes: list[ModeText] = [
            ModeText(stage.say, stage.remind),
            *(m for m in (stage.sparing, stage.painful) if m is not None),
            *stage.side_texts.values(),
        ]
        for mode in modes:
            texts += mode.say or ()
            texts += [r.text for r in mode.remind or ()]
    patterns = []
    for text in dict.fromkeys(t for t in texts if "{remaining}" in t):
        parts = re.split(r"(\{\w+\})", text)
        regex = "".join(
            "(?P<remaining>.+?)"
            if p == "{remaining}"
            else ".+?"
            if p.startswith("{")
            else re.escape(p)
            for p in parts
        )
        patterns.append(re.compile(regex))
    return patterns


def check_whole(routine: Routine, variant: Variant, script: Script) -> int:
    """Assert the variant's script is whole; return how many {remaining} it said."""
    label = _label(variant)
    assert not script.warnings, (label, [str(w) for w in script.warnings])
    adapted = adapt(routine, variant)
    counted = {n for n, i in enumerate(instances_of(adapted), start=1) if i.stage.count}
    by_segment: dict[int, list[str]] = {s.index: [] for s in script.stages}
    for speech in script.speech():
        if speech.role == "count":
            by_segment[speech.segment].append(speech.text)
    for segment in script.stages:
        counts = by_segment[segment.index]
        if segment.stage_number in counted:
            assert counts, (label, segment.label, "no count at all")
            assert counts == [str(k) for k in range(1, len(counts) + 1)], (label, segment.label)
        else:
            assert not counts, (label, segment.label)
    said = 0
    patterns = _templates_with_remaining(adapted)
    for speech in script.speech():
        for pattern in patterns:
            if match := pattern.fullmatch(speech.text):
                truth = script.segments[speech.segment].end - speech.time
                assert abs(_spoken_seconds(match["remaining"]) - truth) <= 1.0, (
                    label,
                    speech.text,
                    truth,
                )
                said += 1
    return said


@pytest.mark.parametrize("reference", ROUTINES, ids=lambda r: Path(r).stem)
def test_every_variant_is_whole(reference: str) -> None:
    routine = load_routine(reference)
    variants = list(variants_of(routine))
    assert variants
    for variant in variants:
        check_whole(routine, variant, compile_routine(adapt(routine, variant)))


@pytest.mark.parametrize("rate", [130, 150, 190])
def test_remaining_is_true_whatever_the_speaking_rate(rate: int) -> None:
    """The therapist's routine says {remaining} in reminders that move to make room for
    the sparing and painful-side words; at any speaking rate each is within 1 s of the
    time really left in its part."""
    routine = load_routine(THERAPIST)
    said = 0
    for variant in variants_of(routine):
        script = compile_routine(adapt(routine, variant), EstimatedDurations(rate))
        said += check_whole(routine, variant, script)
    assert said >= 20


def test_a_short_session_counts_fewer_repetitions_whole_and_before_the_next_stage() -> None:
    """Session 1 of the therapist's routine counts fewer of the 12 kneading repetitions,
    all of them after the instructions and before 'Next: …' and the countdown."""
    routine = load_routine(THERAPIST)
    script = compile_routine(adapt(routine, Variant(1, "left")))
    for segment in script.stages:
        if segment.name != "Kneading":
            continue
        spoken = [s for s in script.speech() if s.segment == segment.index]
        counts = [s for s in spoken if s.role == "count"]
        assert 1 <= len(counts) < 12
        instructions = [s for s in spoken if s.role == "instruction"]
        closing = [s for s in spoken if s.role in {"next", "countdown"}]
        assert max(s.end for s in instructions) < counts[0].time
        assert not closing or counts[-1].end < min(s.time for s in closing)


def test_sparing_and_painful_words_replace_the_stages_own() -> None:
    """A sparing session says the stage's sparing words (and not its own), the painful
    side's part its painful words, the healthy side's part the sparing ones."""
    routine = load_routine(THERAPIST)
    script = compile_routine(adapt(routine, Variant(1, "left")))
    kneading = {s.side: s.index for s in script.stages if s.name == "Kneading"}
    said = {
        side: [s.text for s in script.speech() if s.segment == i] for side, i in kneading.items()
    }
    assert (
        "Knead the right shoulder muscle lightly, one soft squeeze on each count." in said["right"]
    )
    assert (
        "Knead the left shoulder muscle very lightly, one soft squeeze on each count."
        in said["left"]
    )
    everything = " ".join(s.text for s in script.speech())
    assert "deeply" not in everything
    assert "firmly" not in everything
    assert script.description == "The healthy side first and the painful side gently."
    later = compile_routine(adapt(routine, Variant(3, None)))
    assert "deeply" in " ".join(s.text for s in later.speech())
    assert later.description == routine.description
    assert compile_routine(adapt(routine, Variant(2, None))).description == (
        "A short and gentle session at the start of the course."
    )


def test_no_sparing_session_of_a_builtin_routine_asks_for_force() -> None:
    """The guidance keeps the first sessions of a course sparing: no built-in routine's
    sparing session (with or without a painful side) tells the patient to knead deeply or
    press hard."""
    forceful = re.compile(
        r"\b(deep|deeply|hard|harder|firm|firmly|greater force|intensive)\b", re.I
    )
    for name in builtin_names():
        routine = load_routine(name)
        if routine.course is None or not routine.course.sparing:
            continue
        for variant in variants_of(routine):
            if variant.session is None or variant.session > routine.course.sparing:
                continue
            script = compile_routine(adapt(routine, variant))
            for speech in script.speech():
                if speech.role in {"announce", "instruction", "reminder", "switch"}:
                    assert not forceful.search(speech.text), (name, _label(variant), speech.text)


@pytest.mark.audio
@pytest.mark.parametrize("name", builtin_names())
def test_every_variant_is_whole_with_the_real_voice(name: str) -> None:
    """As above, laid out with the real lengths of the speech espeak-ng makes (what
    play and export use)."""
    routine = load_routine(name)
    for variant in variants_of(routine):
        check_whole(routine, variant, measure(routine, variant, VoiceOptions()))


def test_a_stage_offered_from_a_later_session_waits_for_it() -> None:
    """Collar's tapping and shaking come in once its three sparing sessions are over."""
    routine = load_routine("collar")
    names = {
        session: {s.name for s in compile_routine(adapt(routine, Variant(session))).stages}
        for session in (1, 3, 4)
    }
    assert "Tapping" not in names[1] | names[3]
    assert "Tapping" in names[4]
    assert "Tapping" in {s.name for s in compile_routine(routine).stages}


def test_a_stage_the_painful_side_does_not_change_keeps_its_order_and_words() -> None:
    """The acupressure point on each hand is not where the neck hurts (painful: false):
    with a painful side it keeps its order and says nothing of pain."""
    routine = load_routine("acupressure")
    note = routine.phrases["painful_side"]
    for side in PAINFUL_SIDES:
        script = compile_routine(adapt(routine, Variant(None, side)))
        hand = [s for s in script.stages if s.name == "The web of the hand"]
        assert [s.side for s in hand] == ["left", "right"]
        for part in hand:
            assert note not in [s.text for s in script.speech() if s.segment == part.index]


@pytest.mark.parametrize("reference", ROUTINES, ids=lambda r: Path(r).stem)
def test_no_stage_part_of_a_short_session_is_under_30_seconds(reference: str) -> None:
    """Each part keeps time to massage after its words: at least 30 s, or its length in
    the routine as written (with the same painful side) when that is shorter."""
    routine = load_routine(reference)
    for variant in variants_of(routine):
        as_written = compile_routine(adapt(routine, Variant(None, variant.painful_side)))
        written = {(s.name, s.side): s.duration for s in as_written.stages}
        for part in compile_routine(adapt(routine, variant)).stages:
            assert part.duration >= min(30.0, written[part.name, part.side]) - 0.05, (
                _label(variant),
                part.label,
            )
