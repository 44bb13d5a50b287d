"""check compiles every variant a patient can hear (as written and each session of the
course, with no painful side and each side), and reports each problem once, naming the
variants it occurs in."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import RunCli
from voiceguide.adapt import Variant
from voiceguide.load import load_routine
from voiceguide.variants import VariantGrid, painful_sides

DATA = Path(__file__).parent / "data"

STROKING = "variants.yaml:11:5: warning: {variants}stage 'Stroking': the words do not fit: "
RUBBING = "variants.yaml:23:5: warning: {variants}stage 'Rubbing ({side})': the words do not fit: "
SUMMARY = "variants.yaml: ok: 'Variant check', 2 stages, about 2:57"
EVERY_VARIANT = (
    "15 variants checked: as written and sessions 1–4, painful side none, left and right"
)


@pytest.fixture
def variants(in_tmp: Path, empty_cache: Path) -> str:
    """tests/data/variants.yaml in the working folder, checked with nothing cached."""
    shutil.copy(DATA / "variants.yaml", in_tmp)
    return "variants.yaml"


def test_each_problem_is_reported_once_naming_its_variants(
    variants: str, run_cli: RunCli, compiles: list[str]
) -> None:
    """Every variant is compiled once; a problem found in several is one line naming
    them (sides left out when all have it, sessions when all do), the seconds it
    overruns by in each given as a range."""
    result = run_cli("check", variants)
    assert result.exit_code == 0, result.stderr
    left, right, stroking = result.stderr.splitlines()
    assert left.startswith(RUBBING.format(variants="painful side left: ", side="left"))
    assert right.startswith(RUBBING.format(variants="painful side right: ", side="right"))
    shortened = STROKING.format(variants="sessions 1 and 2: ")
    assert stroking.startswith(shortened)
    assert re.match(r"\d+\.\d–\d+\.\d s of 'Stroke from the", stroking.removeprefix(shortened))
    assert result.stdout == f"{SUMMARY}, 3 warnings; {EVERY_VARIANT}\n"
    assert len(compiles) == 15


def test_strict_fails_on_a_warning_in_any_variant(variants: str, run_cli: RunCli) -> None:
    """--strict fails when any variant has a warning, though the routine as written has
    none; a check narrowed to variants without one passes."""
    assert run_cli("check", variants, "--session", "4", "--painful-side", "none").stderr == ""
    failed = run_cli("check", "--strict", variants)
    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert len(failed.stderr.splitlines()) == 3
    passed = run_cli("check", "--strict", variants, "--session", "3", "--painful-side", "none")
    assert passed.exit_code == 0, passed.stderr
    assert passed.stdout == (
        "variants.yaml: ok: 'Variant check, session 3 of 4', 2 stages, about 2:39; "
        "1 variant checked: session 3\n"
    )


def test_session_and_painful_side_narrow_the_check(
    variants: str, run_cli: RunCli, compiles: list[str]
) -> None:
    """--session N checks that session with each side; --painful-side that side in
    each session; a problem in every variant checked needs no names."""
    session = run_cli("check", variants, "--session", "1")
    assert len(compiles) == 3
    stroking, left, right = session.stderr.splitlines()
    assert stroking.startswith(STROKING.format(variants=""))
    assert left.startswith(RUBBING.format(variants="painful side left: ", side="left"))
    assert right.startswith(RUBBING.format(variants="painful side right: ", side="right"))
    side = run_cli("check", variants, "--painful-side", "right")
    right, stroking = side.stderr.splitlines()
    assert right.startswith(RUBBING.format(variants="", side="right"))
    assert stroking.startswith(STROKING.format(variants="sessions 1 and 2: "))
    assert side.stdout.endswith(
        "; 5 variants checked: as written and sessions 1–4, painful side right\n"
    )
    none = run_cli("check", variants, "--painful-side", "none")
    assert none.stdout.endswith("; 5 variants checked: as written and sessions 1–4\n")
    assert len(none.stderr.splitlines()) == 1


def test_a_problem_in_every_variant_is_the_routines_own(
    in_tmp: Path, empty_cache: Path, run_cli: RunCli
) -> None:
    """A problem every variant has (here a misspelt technique) is one line, worded as
    for a routine with no variants."""
    (in_tmp / "r.yaml").write_text(
        "voiceguide: 1\ntitle: T\ncourse: {sessions: 2, first: 30s, full_from: 2}\n"
        "stages:\n  - {name: S, duration: 1m, technique: strokng, sides: [left, right]}\n",
        encoding="utf-8",
    )
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 0
    assert result.stderr == (
        "r.yaml:5:40: warning: unknown technique 'strokng'; did you mean 'stroking'?\n"
    )
    assert result.stdout.endswith(
        "1 warning; 9 variants checked: as written and sessions 1 and 2, "
        "painful side none, left and right\n"
    )


def test_only_the_sides_a_routine_has_are_checked(
    in_tmp: Path, empty_cache: Path, run_cli: RunCli, compiles: list[str]
) -> None:
    """A routine whose stages have no sides has no painful-side variants; without a
    course it has one variant, the routine as written, and the summary says no more.
    --painful-side for a side it has not is checked, and warns."""
    (in_tmp / "course.yaml").write_text(
        "voiceguide: 1\ntitle: C\ncourse: {sessions: 3, first: 30s, full_from: 3}\n"
        "stages:\n  - {name: S, duration: 1m}\n",
        encoding="utf-8",
    )
    (in_tmp / "plain.yaml").write_text(
        "voiceguide: 1\ntitle: P\nstages:\n  - {name: S, duration: 1m}\n", encoding="utf-8"
    )
    result = run_cli("check", "course.yaml", "plain.yaml")
    assert result.stdout.splitlines() == [
        "course.yaml: ok: 'C', 1 stage, about 1:11; 4 variants checked: as written and "
        "sessions 1–3",
        "plain.yaml: ok: 'P', 1 stage, about 1:11",
    ]
    assert len(compiles) == 5
    sided = run_cli("check", "plain.yaml", "--painful-side", "left")
    assert sided.stderr == (
        "plain.yaml: warning: no stage of this routine is done on the left side; "
        "--painful-side changes nothing\n"
    )
    assert sided.stdout.endswith("1 warning; 1 variant checked: painful side left\n")


def test_a_session_the_routine_lacks_is_an_error(
    variants: str, in_tmp: Path, run_cli: RunCli
) -> None:
    """--session beyond the course, or for a routine with none, is an error of that
    routine; other routines are still checked."""
    (in_tmp / "plain.yaml").write_text(
        "voiceguide: 1\ntitle: P\nstages:\n  - {name: S, duration: 1m}\n", encoding="utf-8"
    )
    result = run_cli("check", variants, "plain.yaml", "--session", "9")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "variants.yaml: error: --session: '9' is not a session of this course: use 1 to 4",
        "plain.yaml: error: --session: this routine has no course of sessions",
    ]
    assert result.stdout == ""
    usage = run_cli("check", variants, "--painful-side", "middle")
    assert usage.exit_code == 2


def test_painful_sides_are_those_of_the_stages(in_tmp: Path) -> None:
    """The sides to check are the painful sides some stage is done on, in any case, in
    the order of --painful-side's choices, found inside repeat blocks too."""
    (in_tmp / "block.yaml").write_text(
        "voiceguide: 1\ntitle: B\nstages:\n  - {name: A, duration: 1m}\n"
        "  - name: Block\n    repeat: 2\n    stages:\n"
        "      - {name: S, duration: 1m, sides: [Right, middle]}\n",
        encoding="utf-8",
    )
    assert painful_sides(load_routine(Path("block.yaml"))) == ("right",)
    assert painful_sides(load_routine(str(DATA / "variants.yaml"))) == ("left", "right")
    assert painful_sides(load_routine("compression")) == ()


@pytest.mark.parametrize(
    ("chosen", "named"),
    [
        ({(1, "left")}, "session 1, painful side left"),
        (
            {(s, p) for s in (1, 2, 3) for p in ("left", "right")},
            "sessions 1–3, painful side left and right",
        ),
        ({(s, p) for s in (1, 2) for p in (None, "left", "right")}, "sessions 1 and 2"),
        ({(s, "left") for s in (None, 1, 2, 3, 4, 5)}, "painful side left"),
        ({(None, None)}, "as written, painful side none"),
        (
            {(None, None), (5, None), (4, None), (1, "left"), (1, "right")},
            "as written and sessions 4 and 5, painful side none; session 1, painful side left "
            "and right",
        ),
        ({(s, p) for s in (None, 1, 2, 3, 4, 5) for p in (None, "left", "right")}, ""),
        ({(s, None) for s in (1, 2, 3, 5)}, "sessions 1–3 and 5, painful side none"),
    ],
)
def test_variants_are_named_compactly(
    chosen: set[tuple[int | None, str | None]], named: str
) -> None:
    """Sessions run together as ranges; sessions are left out when all of them are
    named, sides when all of them are; all variants need no name."""
    grid = VariantGrid(sessions=(None, 1, 2, 3, 4, 5), sides=(None, "left", "right"))
    assert grid.name(Variant(s, p) for s, p in chosen) == named
