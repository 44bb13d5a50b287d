"""The one pipeline: every command adapts and compiles each variant once, and the texts to
synthesize come from a walk of the stages, not from a second compile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import RunCli
from voiceguide.adapt import Variant, adapt
from voiceguide.compiler import compile_routine, spoken_texts
from voiceguide.load import builtin_names, load_routine


def _variants(name: str) -> Iterator[Variant]:
    routine = load_routine(name)
    sessions = range(1, routine.course.sessions + 1) if routine.course else [None]
    for session in [None, *sessions]:
        for side in (None, "left", "right"):
            yield Variant(session, side)


@pytest.mark.parametrize("name", builtin_names())
def test_walk_lists_every_text_the_compile_says(name: str) -> None:
    """For every built-in routine in every variant, each text the compile places is one
    the walk listed, so everything said is synthesized before the one compile."""
    routine = load_routine(name)
    for variant in _variants(name):
        adapted = adapt(routine, variant)
        said = {s.text for s in compile_routine(adapted).speech()}
        walked = spoken_texts(adapted)
        assert said - set(walked) == set(), variant
        assert len(walked) == len(set(walked))


@pytest.mark.parametrize(
    "args",
    [
        ["check", "neck", "--session", "4", "--painful-side", "none"],
        ["preview", "neck"],
        ["preview", "neck", "--session", "2", "--painful-side", "left", "--format", "json"],
    ],
)
def test_commands_compile_once(run_cli: RunCli, compiles: list[str], args: list[str]) -> None:
    """check of one variant and preview compile the routine once."""
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    assert len(compiles) == 1


def test_check_compiles_each_variant_once(run_cli: RunCli, compiles: list[str]) -> None:
    """check compiles every variant of the routine, each once: as written and each
    session of its course, each with no painful side, left and right."""
    assert run_cli("check", "neck").exit_code == 0
    titles = ["Neck self-massage"] + [f"Neck self-massage, session {n} of 10" for n in range(1, 11)]
    assert compiles == [title for title in titles for _ in range(3)]


def test_routines_compiles_each_once(run_cli: RunCli, compiles: list[str]) -> None:
    assert run_cli("routines").exit_code == 0
    assert len(compiles) == len(builtin_names())
    assert len(set(compiles)) == len(compiles)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["export", "neck", "--sample-rate", "22051"],
            "Invalid value for '--sample-rate': 22051 Hz is not a multiple of 10 Hz; "
            "use a rate such as 44100 or 48000",
        ),
        (
            ["preview", "neck", "--exact", "--sample-rate", "7000"],
            "Invalid value for '--sample-rate': 7000 Hz is not between 8000 and 192000 Hz",
        ),
        (
            ["export", "neck", "-o", "x.opus", "--sample-rate", "44100"],
            "Invalid value for '--sample-rate': Ogg Opus takes a sample rate of "
            "48000, 24000, 16000, 12000, 8000 Hz, not 44100",
        ),
        (
            ["export", "neck", "-o", "guide.aac"],
            "Invalid value for '-o' / '--output': cannot export to 'guide.aac': unknown extension "
            "'.aac'; use one of .wav, .flac, .ogg, .opus, .mp3, .m4b, .m4a, .html",
        ),
        (
            ["export", "neck", "--loudness", "-3"],
            "Invalid value for '--loudness': -3.0 is not in the range -40.0<=x<=-6.0.",
        ),
        (
            ["preview", "neck", "--session", "auto"],
            "Invalid value for '--session': 'auto' is not a session number (1, 2, …)",
        ),
        (
            ["play", "neck", "--start-at", "9", "--yes"],
            "Invalid value for '--start-at': there is no stage 9; the routine has 6",
        ),
        (
            ["play", "neck", "--device", " ", "--yes"],
            "Invalid value for '--device': give a device's index or part of its name",
        ),
    ],
)
def test_bad_option_values_are_usage_errors(
    run_cli: RunCli, in_tmp: object, args: list[str], message: str
) -> None:
    """A bad option value is a usage error (exit 2) that says what is wrong; no traceback,
    nothing written."""
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == f"Error: {message}"
    assert "Traceback" not in result.stderr
