"""The upper-back, lower-back and helper-neck routines against the passages they follow.

Each test states one rule of the guidance (the project's domain texts), quoting it, and
checks it on the compiled script a patient (or a helper) hears: the routine as written,
and, where the rule concerns them, every session of its course with no painful side and
with each painful side.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator

from tests.test_variants import variants_of
from voiceguide.adapt import Variant, adapt
from voiceguide.compiler import compile_routine
from voiceguide.load import load_routine
from voiceguide.model.routine import Routine
from voiceguide.model.script import Script, Segment

FORCEFUL = re.compile(
    r"\b(deep|deeply|deeper|hard|harder|firm|firmly|strong|strongly|shake|shaking|"
    r"intensive|greater force)\b",
    re.IGNORECASE,
)
"""Words that ask for force: none of them may be said in a sparing session."""

GENTLE = re.compile(r"\b(light|lightly|lighter|gentle|gently|soft|softly)\b", re.IGNORECASE)

NEAR_THE_SPINE = re.compile(r"\b(beside|near|from|side of|never on)$", re.IGNORECASE)
"""What may come before 'the spine' in a stage: the hands go beside it, near it, out
from it or on each side of it, and on it only as 'never on the spine'."""


@functools.cache
def routine(name: str) -> Routine:
    return load_routine(name)


AS_WRITTEN = Variant()


@functools.cache
def script(name: str, variant: Variant = AS_WRITTEN) -> Script:
    return compile_routine(adapt(routine(name), variant))


def variants(name: str) -> list[Variant]:
    """The routine as written, and every session of its course, each with no painful
    side and with each painful side."""
    return list(variants_of(routine(name)))


def sessions(name: str) -> list[Variant]:
    """Every session of the course, with no painful side."""
    course = routine(name).course
    assert course is not None
    return [Variant(n, None) for n in range(1, course.sessions + 1)]


def massage(s: Script) -> float:
    """Seconds from the start of the first stage to the end of the last."""
    return s.stages[-1].end - s.stages[0].start


def said(s: Script, part: Segment, roles: tuple[str, ...] = ("instruction", "reminder")) -> str:
    """What is said in ``part`` in ``roles``, one text."""
    return " ".join(
        speech.text
        for speech in s.speech()
        if speech.segment == part.index and speech.role in roles
    )


def intro(s: Script) -> str:
    return " ".join(speech.text for speech in s.speech() if speech.role == "intro")


def outro(s: Script) -> str:
    return " ".join(speech.text for speech in s.speech() if speech.role == "outro")


def technique_order(s: Script) -> tuple[str | None, ...]:
    """The techniques of the stage parts in order, consecutive repeats collapsed."""
    order: list[str | None] = []
    for part in s.stages:
        if not order or order[-1] != part.technique:
            order.append(part.technique)
    return tuple(order)


def seconds_by_technique(s: Script) -> dict[str, float]:
    totals: dict[str, float] = {}
    for part in s.stages:
        key = part.technique or ""
        totals[key] = totals.get(key, 0.0) + part.duration
    return totals


def is_painful_part(part: Segment, variant: Variant) -> bool:
    """Whether ``part`` is the painful side's part in ``variant``."""
    return variant.painful_side is not None and part.side == variant.painful_side


def check_order_everywhere(name: str, order: tuple[str, ...]) -> None:
    """The routine as written has the techniques in ``order``; every session has them in
    that order, those it leaves out for a later session aside."""
    assert technique_order(script(name)) == order
    for variant in variants(name):
        played: Iterator[str | None] = iter(order)
        assert all(t in played for t in technique_order(script(name, variant))), variant


def check_kneading_has_most_of_the_time(name: str) -> None:
    for variant in variants(name):
        totals = seconds_by_technique(script(name, variant))
        kneading = totals.pop("kneading")
        assert kneading >= max(totals.values()), (variant, kneading, totals)


def check_never_on_the_spine(name: str) -> None:
    """The introduction says to keep off the spine; in the stages, 'the spine' comes
    only after beside, near, from or 'never on'."""
    for variant in variants(name):
        s = script(name, variant)
        assert "never on the spine itself" in intro(s), variant
        for part in s.stages:
            text = said(s, part)
            for match in re.finditer(r"\bthe spine\b", text):
                before = text[: match.start()].rstrip()
                assert NEAR_THE_SPINE.search(before), (variant, part.label, text)


def check_healthy_side_first(name: str) -> None:
    """With a painful side, every stage done on both sides does the healthy side first,
    the painful side after it, shorter, with gentle words and no forceful ones."""
    checked = 0
    for variant in variants(name):
        if variant.painful_side is None:
            continue
        s = script(name, variant)
        by_stage: dict[int | None, list[Segment]] = {}
        for part in s.stages:
            if part.side is not None:
                by_stage.setdefault(part.stage_number, []).append(part)
        assert by_stage, variant
        for parts in by_stage.values():
            healthy, painful = parts
            assert healthy.side != variant.painful_side, (variant, healthy.label)
            assert painful.side == variant.painful_side, (variant, painful.label)
            assert painful.duration < healthy.duration, (variant, painful.label)
            words = said(s, painful)
            assert "painful side" in words, (variant, painful.label)
            assert GENTLE.search(words), (variant, painful.label, words)
            assert not FORCEFUL.search(words), (variant, painful.label, words)
            checked += 1
    assert checked


def check_sparing(name: str) -> None:
    """The first sessions of the course are sparing: nothing said asks for force, and
    every stage part says to go lightly or gently."""
    course = routine(name).course
    assert course is not None
    assert 2 <= course.sparing <= 3
    for variant in variants(name):
        if variant.session is None or variant.session > course.sparing:
            continue
        s = script(name, variant)
        for speech in s.speech():
            assert not FORCEFUL.search(speech.text), (variant, speech.text)
        for part in s.stages:
            assert GENTLE.search(said(s, part)), (variant, part.label)


def check_course(name: str, sizes: range) -> list[float]:
    """The course has ``sizes`` sessions; the first lasts 5-7 minutes of massage, and
    none is shorter than the one before until the whole routine is played (the first
    ones may be equal, each stage part kept to its 30 s at least). Returns the
    sessions' massage times."""
    course = routine(name).course
    assert course is not None
    assert course.sessions in sizes
    lengths = [massage(script(name, variant)) for variant in sessions(name)]
    full = massage(script(name))
    assert 5 * 60 <= lengths[0] <= 7 * 60
    growing = lengths[: course.full_from]
    assert all(later >= earlier - 0.01 for earlier, later in itertools.pairwise(growing))
    assert growing[0] < growing[-1]
    assert all(length < full for length in lengths[: course.full_from - 1])
    assert all(abs(length - full) < 1 for length in lengths[course.full_from - 1 :])
    return lengths


def first_part(s: Script, pattern: str, techniques: tuple[str, ...] | None = None) -> int:
    """The index of the first stage part that says ``pattern`` (with one of
    ``techniques``)."""
    return next(
        n
        for n, part in enumerate(s.stages)
        if re.search(pattern, said(s, part))
        and (techniques is None or part.technique in techniques)
    )


def counts(s: Script, part: Segment) -> list[str]:
    return [x.text for x in s.speech() if x.segment == part.index and x.role == "count"]


# The upper back and the shoulder blades (upper-back).


def test_upper_back_goes_from_stroking_to_squeezing_rubbing_kneading_tapping_stroking() -> None:
    """The guidance: "Begin a session with wide strokes of the entire surface of the collar
    region and neck." "After surface reception, squeezing is performed." "Before you start
    kneading muscles, they must be prepared by rubbing." "After kneading, stroking and
    vibration techniques are performed" "The session ends with wide strokes of the collar
    area and the neck surface." In every session and with either painful side."""
    check_order_everywhere(
        "upper-back", ("stroking", "squeezing", "rubbing", "kneading", "tapping", "stroking")
    )


def test_upper_back_strokes_from_the_spine_out_to_the_armpits_and_shoulders() -> None:
    """The guidance: "All movements are directed along the lymph. ... on the collar area
    from the upper thoracic to the armpits and shoulders." and "From the seventh cervical
    vertebra do strokes in the sides." The opening strokes go out from beside the spine to
    the shoulders and round to the armpits, in every session."""
    for variant in variants("upper-back"):
        s = script("upper-back", variant)
        words = said(s, s.stages[0]).lower()
        assert re.search(r"\b(near|beside) the spine\b", words), variant
        assert "out to the" in words, variant
        assert "shoulder" in words, variant
        assert "armpits" in words, variant


def test_upper_back_squeezes_from_beside_the_spine_to_the_shoulder_joint() -> None:
    """The guidance: "On the collar region, the movements are performed from the fourth
    thoracic vertebra to the shoulder joints." Each squeezing part (the painful side's says
    'the same') starts as far down beside the spine as the hand reaches and goes up and out
    to the shoulder joint."""
    for variant in variants("upper-back"):
        s = script("upper-back", variant)
        parts = [p for p in s.stages if p.technique == "squeezing"]
        assert len(parts) == 2
        for part in parts:
            words = said(s, part)
            if is_painful_part(part, variant):
                assert "The same on this side" in words
                continue
            assert "down beside the spine" in words, (variant, part.label)
            assert "up and out to the shoulder joint" in words, (variant, part.label)


def test_upper_back_counts_the_squeezing_eight_times_a_side() -> None:
    """The guidance: "Starting from the area of the scapula and upwards, the elaboration is
    carried out more thoroughly (up to 8-10 times)": the whole session counts eight squeezes
    a side; no session counts more than ten."""
    s = script("upper-back")
    parts = [p for p in s.stages if p.technique == "squeezing"]
    assert [counts(s, p) for p in parts] == [[str(n) for n in range(1, 9)]] * 2
    for variant in variants("upper-back"):
        s = script("upper-back", variant)
        for part in s.stages:
            assert len(counts(s, part)) <= 10


def test_upper_back_kneads_the_upper_and_outer_edge_of_the_shoulder_blade() -> None:
    """The guidance: "On the collar area, the procedure is performed in several stages:
    muscle grasping, fixing and pulling away from the bone, mashing itself. Very well work
    out the upper and outer edge of the scapula." """
    s = script("upper-back")
    kneading = " ".join(said(s, p) for p in s.stages if p.technique == "kneading")
    assert "upper edge of the shoulder blade" in kneading
    assert "outer edge of the shoulder blade" in kneading
    assert "lift it away from the bone" in kneading


def test_upper_back_gives_kneading_most_of_the_time() -> None:
    """The guidance: "Mending should be given most of the time.": kneading has more of the
    session than any other technique, in every session and with either painful side."""
    check_kneading_has_most_of_the_time("upper-back")


def test_upper_back_lasts_10_to_12_minutes_and_never_more_than_15() -> None:
    """The guidance: "Massage session lasts no more than 15 minutes.", "The average duration
    of self-massage should be 10–15 minutes" and "at the end of the course it reaches 10-12
    minutes": the whole routine is 10-12 minutes of massage, and no variant is longer than
    15."""
    assert 10 * 60 <= massage(script("upper-back")) <= 12 * 60
    for variant in variants("upper-back"):
        assert massage(script("upper-back", variant)) <= 15 * 60


def test_upper_back_is_done_sitting_with_the_head_slightly_lowered() -> None:
    """The guidance: "Massage should be done in a sitting position with a slightly lowered
    head." """
    s = script("upper-back")
    assert s.position_text is not None
    assert s.position_text.startswith("Sit ")
    assert "Lower your head slightly" in s.position_text
    assert s.position_text in intro(s)


def test_upper_back_is_never_done_on_the_spine() -> None:
    """The guidance: "On the spine itself, no reception is performed." """
    check_never_on_the_spine("upper-back")


def test_upper_back_does_the_healthy_side_first_and_the_painful_side_gently() -> None:
    """The guidance: "in the first sessions, focus on the healthy side, and on the patient
    perform gentle massage." """
    check_healthy_side_first("upper-back")


def test_upper_back_first_sessions_are_sparing() -> None:
    """The guidance: "The first 2-3 sessions of massage should always be conducted in a
    sparing mode." and "Too energetic massage movements cause muscle tension, and this
    causes pain intensification." The whole routine does ask for depth, so the sparing words
    are the ones that keep it light."""
    check_sparing("upper-back")
    assert FORCEFUL.search(" ".join(x.text for x in script("upper-back").speech()))


def test_upper_back_course_starts_at_5_to_7_minutes_and_grows() -> None:
    """The guidance: "The duration of the first sessions is 5-7 minutes, and at the end of
    the course it reaches 10-12 minutes." and a course of "10-15 procedures"; the sparing
    sessions all stay within 5-7 minutes."""
    lengths = check_course("upper-back", range(10, 16))
    course = routine("upper-back").course
    assert course is not None
    assert all(length <= 7 * 60 + 1 for length in lengths[: course.sparing])


# The lower back (lower-back).


def test_lower_back_goes_from_stroking_to_rubbing_kneading_vibration_stroking() -> None:
    """The guidance: "Lumbar massage always begins with strokes", then "rubbing is used",
    "After the preparation of the muscles go to kneading", "The vibration is then carried
    out", "Complete the massage as they begin, with a series of stroking soothing
    movements." In every session and with either painful side."""
    check_order_everywhere(
        "lower-back", ("stroking", "rubbing", "kneading", "vibration", "stroking")
    )


def test_lower_back_moves_only_from_below_upwards() -> None:
    """The guidance: "Massage movements are made only from below upwards - in a direction of
    movement of a lymph.": no stage says down, and every stage part says up, in every
    session and on either side."""
    for variant in variants("lower-back"):
        s = script("lower-back", variant)
        for part in s.stages:
            words = said(s, part)
            assert not re.search(r"\bdown", words, re.IGNORECASE), (variant, part.label)
            assert re.search(r"\bup(wards)?\b", words), (variant, part.label, words)


def test_lower_back_is_never_done_on_the_spine() -> None:
    """The guidance: "During massage, only soft tissues are treated, directly on the spinal
    column, the effect is prohibited." """
    check_never_on_the_spine("lower-back")


def test_lower_back_works_the_kidney_area_with_less_force() -> None:
    """The guidance: "The impact in the area of the projection of the kidneys is not
    prohibited, but is produced with less force and intensity.": every rubbing, kneading or
    vibration that goes up beside the spine to the lowest ribs, where the kidneys lie, says
    to go lighter over the kidney."""
    for variant in variants("lower-back"):
        s = script("lower-back", variant)
        reaching = 0
        for part in s.stages:
            words = said(s, part)
            if part.technique == "stroking":
                continue
            if ("beside the spine" in words and "ribs" in words) or "kidney" in words:
                reaching += 1
                assert "kidney" in words, (variant, part.label)
                assert re.search(r"lighter|more lightly|very lightly|fingertips", words), (
                    variant,
                    part.label,
                )
        assert reaching >= 3, variant


def test_lower_back_prepares_the_thighs_buttocks_and_sacrum_first() -> None:
    """The guidance: "For greater efficiency, massage not only the lower back, but also the
    sacrum, buttocks, thighs." and "The lumbar area is massaged only after the entire back,
    gluteus muscles and thighs have been prepared.": the thighs and then the buttocks and
    the sacrum come before any rubbing or kneading beside the spine."""
    for variant in variants("lower-back"):
        s = script("lower-back", variant)
        lumbar = first_part(s, r"beside the spine", ("rubbing", "kneading"))
        assert first_part(s, r"thighs") < first_part(s, r"buttocks") < lumbar, variant
        assert first_part(s, r"sacrum") < lumbar, variant


def test_lower_back_lasts_15_to_20_minutes() -> None:
    """The guidance: "The duration of one procedure depends on the general condition of the
    patient, but usually 15-20 minutes." """
    assert 15 * 60 <= massage(script("lower-back")) <= 20 * 60


def test_lower_back_does_the_healthy_side_first_and_the_painful_side_gently() -> None:
    """The guidance: "With unilateral osteochondrosis (if the pain is observed only on one
    side of the back), first of all they process the healthy part of the waist and only
    after that pass to the patient." Every rubbing and kneading of the lower back is done
    side by side, so the healthy side can come first."""
    check_healthy_side_first("lower-back")
    s = script("lower-back")
    for part in s.stages:
        if part.technique in {"rubbing", "kneading"} and "beside the spine" in said(s, part):
            assert part.side is not None, part.label


def test_lower_back_gives_kneading_most_of_the_time() -> None:
    """The guidance: "Most of the massage session is allocated for kneading." """
    check_kneading_has_most_of_the_time("lower-back")


def test_lower_back_rubbing_eases_off_where_it_hurts() -> None:
    """The guidance: "If there are severe pains during the grinding process, the force of
    pressure should be reduced, or for several sessions, to refuse this method.": the
    rubbing of the lower back says to press more lightly, or only to stroke."""
    s = script("lower-back")
    rubbing = [p for p in s.stages if p.technique == "rubbing" and p.side is not None]
    assert rubbing
    for part in rubbing:
        words = said(s, part)
        assert "press more lightly" in words, part.label
        assert "only stroke" in words, part.label


def test_lower_back_first_sessions_are_sparing() -> None:
    """The guidance: "The first sessions can cause the patient pain, so they spend in a
    sparing mode. As you get used, the strength and duration of the effect is increased."
    """
    check_sparing("lower-back")


def test_lower_back_course_has_10_to_15_sessions_starting_at_5_to_7_minutes() -> None:
    """The guidance: "Usually, the course of therapeutic massage for osteochondrosis
    consists of 10-15 sessions", "The course consists of 10-12 sessions", and "The duration
    of the first sessions is 5-7 minutes": twelve sessions, the first 5-7 minutes, each
    longer than the one before until the whole routine."""
    check_course("lower-back", range(10, 13))


def test_lower_back_is_done_sitting() -> None:
    """The guidance: "it is also possible to hold it in a sitting position" and
    "Self-massage should be performed while sitting": the routine is done sitting, without
    leaning back."""
    s = script("lower-back")
    assert s.position_text is not None
    assert s.position_text.startswith("Sit ")
    assert "without leaning back" in s.position_text
    assert s.position_text in intro(s)


def test_lower_back_says_when_to_do_it_and_to_rest_after_it() -> None:
    """The guidance: "The procedure is most expedient to spend two hours after eating. It is
    advisable to go to the toilet before the massage." and "At the end of the session, it is
    recommended to rest for 20-30 minutes, you can take a warm shower." """
    s = script("lower-back")
    assert "two hours after a meal" in intro(s)
    assert "toilet" in intro(s)
    assert "20 to 30 minutes" in outro(s)
    assert "warm shower" in outro(s)


# The neck and collar massage given by a helper (helper-neck).


HELPER_HANDS = {"hand", "hands", "palm", "palms", "fingertips", "fingers", "other", "pressure"}
"""What 'your' may qualify in the helper's guide: the helper's own hands and pressure."""


def test_helper_guide_speaks_to_the_helper_about_the_patient() -> None:
    """The listener is the helper, whose hands are busy: "the patient should put his
    hands under his forehead". Nothing spoken addresses the patient ('your neck', 'if you
    have'); the safety notes, the sides and the ending name the patient, and so does
    every stage part."""
    for variant in variants("helper-neck"):
        s = script("helper-neck", variant)
        for speech in s.speech():
            for match in re.finditer(r"\byour (\w+)", speech.text, re.IGNORECASE):
                assert match[1].lower() in HELPER_HANDS, (variant, speech.text)
            assert not re.search(r"\byou (have|feel|get)\b", speech.text), (variant, speech.text)
        start = intro(s)
        assert "Do not give this massage if the patient has any of these:" in start
        assert "Stop at once if the patient feels any of these:" in start
        assert "Tell the patient: Lie down" in outro(s)
        for part in s.stages:
            words = said(s, part, ("switch", "instruction", "reminder"))
            assert "patient" in words, (variant, part.label)
            if part.side is not None and part is not s.stages[0]:
                switch = said(s, part, ("switch",))
                assert not switch or f"the patient's {part.side} side" in switch


def test_helper_positions_the_patient_as_the_guidance_does() -> None:
    """The guidance: "If the patient has cervical osteochondrosis with severe pain, it is
    advisable to massage in the supine position. To better relax the muscles, the patient
    should put his hands under his forehead, and press his chin to his chest. In other
    cases, you can massage in the patient's position while sitting at the table." With the
    hands under the forehead the patient lies face down."""
    s = script("helper-neck")
    position = s.position_text
    assert position is not None
    assert "sit at a table" in position
    assert "If the pain is severe" in position
    assert "lie face down" in position
    assert "hands under the forehead" in position
    assert "chin pressed to the chest" in position
    for variant in variants("helper-neck"):
        assert position in intro(script("helper-neck", variant))


def test_helper_follows_the_six_steps_of_the_technique() -> None:
    """The guidance: "1. Begin a session with wide strokes", "2. After surface reception,
    squeezing is performed", "3. Before you start kneading muscles, they must be prepared by
    rubbing", "4. Mending", "5. After kneading, stroking and vibration techniques are
    performed", "6. The session ends with wide strokes of the collar area and the neck
    surface." """
    check_order_everywhere(
        "helper-neck",
        ("stroking", "squeezing", "rubbing", "kneading", "stroking", "vibration", "stroking"),
    )


def test_helper_strokes_from_the_hairline_to_the_shoulders_and_out_to_the_armpits() -> None:
    """The guidance: "On the neck perform embracing strokes from the growth of hair to the
    shoulders, on the collar area from the upper thoracic to the armpits and shoulders." """
    for variant in variants("helper-neck"):
        s = script("helper-neck", variant)
        for part in (s.stages[0], s.stages[-1]):
            words = said(s, part)
            assert "from the hairline down to the shoulders" in words, (variant, part.label)
            assert "out to" in words or "out towards" in words, (variant, part.label)
            assert "armpits" in words, (variant, part.label)


def test_helper_squeezes_the_neck_and_then_from_the_fourth_thoracic_vertebra() -> None:
    """The guidance: "put a hand across the neck and make a deep slow movement ... down to
    the trapezoidal muscle" and "On the collar region, the movements are performed from the
    fourth thoracic vertebra to the shoulder joints." The painful side's part says 'the
    same'."""
    for variant in variants("helper-neck"):
        s = script("helper-neck", variant)
        parts = [p for p in s.stages if p.technique == "squeezing"]
        assert len(parts) == 4
        for part, (start, end) in zip(
            parts,
            [("across", "down to the shoulder")] * 2
            + [("beside the fourth thoracic vertebra", "up and out to the shoulder joint")] * 2,
            strict=True,
        ):
            words = said(s, part)
            if is_painful_part(part, variant):
                assert "The same on this side" in words
                continue
            assert start in words, (variant, part.label)
            assert end in words, (variant, part.label)


def test_helper_counts_five_squeezes_on_the_neck_and_eight_on_the_upper_back() -> None:
    """The guidance: "carrying out about 5 pressure from each side" (squeezing along the
    neck) and "Starting from the area of the scapula and upwards, the elaboration is carried
    out more thoroughly (up to 8-10 times)"."""
    s = script("helper-neck")
    parts = [p for p in s.stages if p.technique == "squeezing"]
    assert [len(counts(s, p)) for p in parts] == [5, 5, 8, 8]


def test_helper_kneads_away_from_the_spine_and_the_edges_of_the_shoulder_blade() -> None:
    """The guidance: "On the near-vertebral zones, the muscle is pressed against the bone
    and shifted by circular motions in the direction from the spine. On the collar area, the
    procedure is performed in several stages: muscle grasping, fixing and pulling away from
    the bone, mashing itself. Very well work out the upper and outer edge of the scapula."
    """
    s = script("helper-neck")
    kneading = " ".join(said(s, p) for p in s.stages if p.technique == "kneading")
    assert "press the muscle against the bone" in kneading
    assert "away from the spine" in kneading
    assert "lift it away from the bone" in kneading
    assert "upper edge and the outer edge of the shoulder blade" in kneading


def test_helper_gives_kneading_most_of_the_time() -> None:
    """The guidance: "Mending should be given most of the time." """
    check_kneading_has_most_of_the_time("helper-neck")


def test_helper_session_lasts_no_more_than_15_minutes() -> None:
    """The guidance: "Massage session lasts no more than 15 minutes." and "The session of
    massage of the collar zone lasts ten to fifteen minutes." """
    assert 10 * 60 <= massage(script("helper-neck")) <= 15 * 60
    for variant in variants("helper-neck"):
        assert massage(script("helper-neck", variant)) <= 15 * 60


def test_helper_never_works_on_the_spine() -> None:
    """The guidance: "On the spine itself, no reception is performed." """
    check_never_on_the_spine("helper-neck")


def test_helper_does_the_healthy_side_first_and_the_painful_side_gently() -> None:
    """The guidance: "For pronounced radicular syndrome, pain is typical only on one side.
    Therefore, in the first sessions, focus on the healthy side, and on the patient perform
    gentle massage." """
    check_healthy_side_first("helper-neck")


def test_helper_first_sessions_are_sparing() -> None:
    """The guidance: "The first 2-3 sessions of massage should always be conducted in a
    sparing mode." The whole routine asks for strong pressure and shaking; the sparing
    sessions never do."""
    check_sparing("helper-neck")
    assert FORCEFUL.search(" ".join(x.text for x in script("helper-neck").speech()))


def test_helper_course_has_10_to_15_sessions_starting_at_5_to_7_minutes() -> None:
    """The classical massage is "appointed by a course of 10-15 procedures, performed
    daily", and "The duration of the first sessions is 5-7 minutes"."""
    check_course("helper-neck", range(10, 16))


def test_helper_ends_asking_the_patient_to_lie_down() -> None:
    """The guidance: "After the procedure, it is recommended to lie down for a few minutes,
    as dizziness may occur due to an improvement in blood flow." """
    for variant in variants("helper-neck"):
        ending = outro(script("helper-neck", variant))
        assert "Tell the patient: Lie down for a few minutes" in ending, variant
        assert "dizziness" in ending, variant
