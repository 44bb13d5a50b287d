"""Safety notes: one shared list of contraindications included by every built-in
routine, the advice to see a doctor before a course, and lying down at the end."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import RunCli
from voiceguide.adapt import Variant, adapt
from voiceguide.compiler import compile_routine
from voiceguide.formats.handout import to_markdown
from voiceguide.load import builtin_names, load_routine
from voiceguide.load.library import builtin_path
from voiceguide.phrases import PHRASES

SHARED = builtin_path("neck").parent / "shared" / "safety.yaml"


def test_an_included_safety_list_comes_first_and_each_item_once(in_tmp: Path) -> None:
    (in_tmp / "lists").mkdir()
    (in_tmp / "lists" / "common.yaml").write_text(
        "voiceguide: 1\nsafety: {contraindications: [fever, diabetes], stop_if: [dizziness]}\n",
        "utf-8",
    )
    (in_tmp / "r.yaml").write_text(
        "voiceguide: 1\ntitle: T\n"
        "safety: {include: lists/common.yaml, contraindications: [diabetes, a rash]}\n"
        "stages: [{name: S, duration: 1m}]\n",
        "utf-8",
    )
    safety = load_routine(str(in_tmp / "r.yaml")).safety
    assert safety.contraindications == ("fever", "diabetes", "a rash")
    assert safety.stop_if == ("dizziness",)


def test_a_missing_safety_file_is_reported_where_it_is_named(in_tmp: Path, run_cli: RunCli) -> None:
    (in_tmp / "r.yaml").write_text(
        "voiceguide: 1\ntitle: T\nsafety:\n  include: nowhere.yaml\nstages: [{name: S, duration: 1m}]\n",
        "utf-8",
    )
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 1
    assert "nowhere.yaml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_routine_lists_the_whole_shared_list(name: str) -> None:
    """Every contraindication and sign to stop at of the shared list (taken from the
    guidance, see its comments) is shown and spoken by every built-in routine."""
    shared = yaml.safe_load(SHARED.read_text("utf-8"))["safety"]
    routine = load_routine(name)
    assert set(shared["contraindications"]) <= set(routine.safety.contraindications)
    assert set(shared["stop_if"]) <= set(routine.safety.stop_if)
    intro = " ".join(s.text for s in compile_routine(routine).speech() if s.role == "intro")
    for item in routine.safety.contraindications + routine.safety.stop_if:
        assert item in intro, item


def test_the_first_session_of_a_course_and_every_handout_say_to_see_a_doctor() -> None:
    """The guidance: "Before the course of massage, a general examination of the patient's general
    health is mandatory to determine the contraindications." and "consultation with a
    doctor is required to identify possible contraindications"."""
    see_doctor = PHRASES["en"]["see_doctor"]
    routine = load_routine("neck")
    first = compile_routine(adapt(routine, Variant(1, None)))
    second = compile_routine(adapt(routine, Variant(2, None)))
    assert see_doctor in [s.text for s in first.speech()]
    assert see_doctor not in [s.text for s in second.speech()]
    for name in builtin_names():
        assert see_doctor in to_markdown(compile_routine(load_routine(name))), name
    assert to_markdown(first).count(see_doctor) == 1


@pytest.mark.parametrize("name", builtin_names())
def test_every_session_ends_advising_to_lie_down(name: str) -> None:
    """The guidance: "After the procedure, it is recommended to lie down for a few minutes, as
    dizziness may occur due to an improvement in blood flow." """
    ending = [s.text for s in compile_routine(load_routine(name)).speech() if s.role == "outro"]
    assert any("Lie down for a few minutes" in text for text in ending)
