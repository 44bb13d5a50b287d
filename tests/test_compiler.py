"""The compiler: a pure, deterministic layout of a routine on a timeline."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceguide.compiler import compile_routine
from voiceguide.estimate import EstimatedDurations
from voiceguide.load import load_routine
from voiceguide.load.library import builtin_names
from voiceguide.model.routine import Item, Stage
from voiceguide.model.script import Script, Speech, Tone


class FixedDurations:
    """An oracle where every utterance lasts ``seconds`` and every sound ``sound_seconds``."""

    def __init__(self, seconds: float, sound_seconds: float = 0.5) -> None:
        self.seconds = seconds
        self.sound_seconds = sound_seconds

    def speech(self, text: str) -> float:
        return self.seconds

    def sound(self, sound: str) -> float:
        return self.sound_seconds


def load_text(tmp_path: Path, text: str) -> Script:
    path = tmp_path / "r.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return compile_routine(load_routine(path))


def assert_well_formed(script: Script) -> None:
    segments = script.segments
    assert segments[0].start == 0
    for before, after in itertools.pairwise(segments):
        assert before.end == after.start
    assert segments[-1].end == script.duration
    speech = sorted(script.speech(), key=lambda s: s.time)
    for said, next_said in itertools.pairwise(speech):
        assert said.end <= next_said.time, (said, next_said)
    for event in script.events:
        segment = segments[event.segment]
        assert segment.start <= event.time < segment.end
        if isinstance(event, Speech):
            assert event.end <= segment.end + 1e-9
    assert [e.time for e in script.events] == sorted(e.time for e in script.events)


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_segments_add_up_to_the_duration(name: str) -> None:
    """Segments laid end to end cover the whole session, with no speech overlapping."""
    script = compile_routine(load_routine(name))
    assert_well_formed(script)
    assert sum(s.duration for s in script.segments) == pytest.approx(script.duration, abs=1e-6)


@pytest.mark.parametrize("name", builtin_names())
def test_stage_lengths_are_the_routine_durations(name: str) -> None:
    """Stage boundaries never move: each stage (all its sides) lasts what the routine says."""
    routine = load_routine(name)
    script = compile_routine(routine)
    by_number: dict[int, float] = {}
    for segment in script.stages:
        assert segment.stage_number is not None
        by_number[segment.stage_number] = by_number.get(segment.stage_number, 0) + segment.duration
    assert [round(v, 6) for v in by_number.values()] == [
        round(d, 6) for d in played(routine.stages)
    ]


def played(items: tuple[Item, ...]) -> list[float]:
    """Stage durations in the order they are played, repeat blocks expanded."""
    result: list[float] = []
    for item in items:
        if isinstance(item, Stage):
            result.append(item.duration)
        else:
            result.extend(played(item.items) * item.repeat)
    return result


def test_sides_split_the_stage_with_a_spoken_switch(tmp_path: Path) -> None:
    """A stage with sides is split into equal parts; the second begins with the switch."""
    script = load_text(
        tmp_path,
        """\
        voiceguide: 1
        title: T
        cues: {countdown: 0, halfway: false}
        stages:
          - name: Rubbing
            duration: 2m
            sides: [left, right]
            switch_pause: 4s
            say: Rub the {side} side.
        """,
    )
    left, right = script.stages
    assert (left.side, right.side) == ("left", "right")
    assert left.duration == pytest.approx(58.0)
    assert right.duration == pytest.approx(62.0)  # its part plus the switch pause
    spoken = [(s.text, s.segment) for s in script.speech() if s.role != "intro"]
    assert spoken[:4] == [
        ("Rubbing.", left.index),
        ("Rub the left side.", left.index),
        ("Now the right side.", right.index),
        ("Rub the right side.", right.index),
    ]
    switch_tone = next(t for t in script.tones() if t.cue == "switch")
    assert switch_tone.time == right.start
    instructions = [s for s in script.speech() if s.text == "Rub the right side."]
    assert instructions[0].time >= right.start + 4.0  # after the switch pause


def test_countdown_and_count_are_at_exact_times(tmp_path: Path) -> None:
    """Countdown numbers sound in the last seconds, counted reps every N seconds."""
    script = load_text(
        tmp_path,
        """\
        voiceguide: 1
        title: T
        cues: {countdown: 3, halfway: false}
        stages:
          - name: Kneading
            duration: 1m
            count: {reps: 5, every: 4s, start: 10s}
        """,
    )
    (stage,) = script.stages
    counts = [
        (s.text, round(s.time - stage.start, 3)) for s in script.speech() if s.role == "count"
    ]
    assert counts == [("1", 10.0), ("2", 14.0), ("3", 18.0), ("4", 22.0), ("5", 26.0)]
    countdown = [
        (s.text, round(stage.end - s.time, 3)) for s in script.speech() if s.role == "countdown"
    ]
    assert countdown == [("3", 3.0), ("2", 2.0), ("1", 1.0)]
    ticks = [round(stage.end - t.time, 3) for t in script.tones() if t.cue == "countdown"]
    assert ticks == [3.0, 2.0, 1.0]


def test_repeat_blocks_fill_n_and_total_and_use_their_own_transition(tmp_path: Path) -> None:
    """{n} and {total} count the block's repetitions; a block's transition applies inside it."""
    script = load_text(
        tmp_path,
        """\
        voiceguide: 1
        title: T
        transition: 5s
        cues: {countdown: 0, halfway: false}
        stages:
          - name: Warm-up
            duration: 20s
          - name: Compression
            repeat: 3
            transition: 0s
            stages:
              - {name: Press, duration: 30s, say: "Press {n} of {total}."}
              - {name: Release, duration: 10s}
        """,
    )
    kinds = [s.kind for s in script.segments]
    assert kinds.count("transition") == 1  # only between warm-up and the block
    presses = [s.text for s in script.speech() if s.text.startswith("Press ")]
    assert presses == ["Press 1 of 3.", "Press 2 of 3.", "Press 3 of 3."]
    labels = [s.label for s in script.stages]
    assert labels == [
        "Warm-up", "Press 1/3", "Release 1/3", "Press 2/3", "Release 2/3", "Press 3/3", "Release 3/3",
    ]  # fmt: skip


def test_words_that_do_not_fit_are_cut_at_the_stage_end(tmp_path: Path) -> None:
    """Overlong instructions are cut at the stage end (boundaries never move) with a warning."""
    path = tmp_path / "r.yaml"
    path.write_text(
        "voiceguide: 1\ntitle: T\ncues: {countdown: 0}\nstages:\n"
        "  - {name: Short, duration: 10s, say: [one, two, three]}\n  - {name: Next, duration: 10s}\n",
        encoding="utf-8",
    )
    script = compile_routine(load_routine(path), FixedDurations(4.0, 0.0))
    short = script.stages[0]
    assert short.duration == 10.0
    spoken = [s for s in script.speech() if s.segment == short.index]
    assert [s.text for s in spoken] == ["Short.", "one", "two"]
    assert spoken[-1].truncated
    assert spoken[-1].end == short.end
    assert [w.message for w in script.warnings] == [
        "stage 'Short': the words do not fit: 2.5 s of 'two' overrun the stage and are cut; "
        "shorten the text or lengthen the stage",
        "stage 'Short': instruction 'three' does not fit (overrun 4.2 s) and is left out; "
        "shorten the text or lengthen the stage",
    ]


def test_oracle_changes_speech_not_stage_boundaries(tmp_path: Path) -> None:
    """Measured and estimated durations move speech, never the stages' lengths."""
    routine = load_routine("neck")
    quick = compile_routine(routine, FixedDurations(1.0))
    slow = compile_routine(routine, FixedDurations(3.0))
    assert [s.duration for s in quick.stages] == [s.duration for s in slow.stages]
    assert {s.duration for s in quick.speech()} == {1.0}
    assert {s.duration for s in slow.speech()} == {3.0}


def test_compiling_is_deterministic() -> None:
    """The same routine and oracle always give the same script."""
    routine = load_routine("neck")
    assert compile_routine(routine) == compile_routine(routine)


def test_estimate_follows_the_speaking_rate() -> None:
    """The estimate grows with the words and shrinks with a faster rate."""
    slow, fast = EstimatedDurations(100), EstimatedDurations(200)
    assert slow.speech("one two three four") > slow.speech("one two")
    assert slow.speech("one two three four") > fast.speech("one two three four")


def test_intro_speaks_safety_and_position(tmp_path: Path) -> None:
    """The introduction says the title, contraindications, stop-if warnings and position."""
    script = load_text(
        tmp_path,
        """\
        voiceguide: 1
        title: Neck
        position: Sit down.
        safety: {contraindications: [fever], stop_if: [dizziness, sharp pain]}
        stages:
          - {name: S, duration: 30s}
        """,
    )
    intro = [s.text for s in script.speech() if s.role == "intro"]
    assert intro == [
        "Neck.",
        "Do not do this session if you have any of these: fever.",
        "Stop at once if you feel any of these: dizziness, sharp pain.",
        "Sit down.",
    ]
    assert script.segments[0].kind == "intro"
    assert script.segments[-1].kind == "outro"
    assert [t.cue for t in script.tones()][-1] == "finish"


def test_cues_can_be_turned_off_per_stage(tmp_path: Path) -> None:
    """A stage's cues override the routine's: here, no sounds at all in the second stage."""
    script = load_text(
        tmp_path,
        """\
        voiceguide: 1
        title: T
        cues: {countdown: 3, halfway: true}
        stages:
          - {name: A, duration: 40s}
          - name: B
            duration: 40s
            cues: {countdown: 0, halfway: false, sounds: {start: false}}
        """,
    )
    a, b = script.stages
    assert {t.cue for t in script.tones() if t.segment == a.index} == {
        "start",
        "countdown",
        "halfway",
    }
    assert [t for t in script.tones() if t.segment == b.index] == []


@st.composite
def routines(draw: st.DrawFn) -> str:
    stages = []
    for number in range(draw(st.integers(1, 6))):
        seconds = draw(st.integers(3, 120))
        say = draw(st.lists(st.text("ab ", min_size=1, max_size=60).filter(str.strip), max_size=3))
        lines = [f"  - name: S{number}", f"    duration: {seconds}s"]
        if say:
            lines.append("    say: [" + ", ".join(f"'{s.strip()}'" for s in say) + "]")
        if draw(st.booleans()) and seconds >= 10:
            lines.append("    sides: [left, right]")
        if draw(st.booleans()):
            lines.append(
                f"    remind: [{{at: {draw(st.integers(0, seconds // 2 - 1 if seconds >= 4 else 0))}s, say: r}}]"
            )
        stages.extend(lines)
    countdown = draw(st.integers(0, 5))
    next_up = draw(st.integers(0, 20))
    transition = draw(st.integers(0, 5))
    return (
        f"voiceguide: 1\ntitle: T\ntransition: {transition}s\n"
        f"cues: {{countdown: {countdown}, next_up: {next_up}s}}\nstages:\n"
        + "\n".join(stages)
        + "\n"
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=routines(), seconds=st.floats(0.2, 8.0))
def test_layout_invariants_hold_for_any_routine(tmp_path: Path, text: str, seconds: float) -> None:
    """Whatever the routine and speech lengths: segments tile the timeline, speech never
    overlaps speech, every event stays inside its segment, and stages keep their lengths."""
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    routine = load_routine(path)
    script = compile_routine(routine, FixedDurations(round(seconds, 3)))
    assert_well_formed(script)
    stage_time = sum(s.duration for s in script.stages)
    assert stage_time == pytest.approx(sum(played(routine.stages)))


def test_tones_sit_at_segment_starts(tmp_path: Path) -> None:
    """Each stage's start tone is at its first sample; transitions begin with the end tone."""
    script = load_text(
        tmp_path,
        "voiceguide: 1\ntitle: T\ntransition: 3s\nstages:\n"
        "  - {name: A, duration: 20s}\n  - {name: B, duration: 20s}\n",
    )
    starts = [t.time for t in script.tones() if t.cue == "start"]
    assert starts == [s.start for s in script.stages]
    ends = [t.time for t in script.tones() if isinstance(t, Tone) and t.cue == "end"]
    assert ends == [s.start for s in script.segments if s.kind == "transition"]
