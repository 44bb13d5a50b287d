"""A structure-aware fuzzer: routines built from the routine schema and built-in routines
mutated (tests/routine_strategies.py), each run through `check` and `preview` in-process
with the fakes of voiceguide.testing. Whatever the routine, each command ends within
its time, exits 0 or 1, never shows a traceback, prints every message as
``FILE:LINE:COL: error|warning: ...`` (``FILE: error: ...`` for a whole file) or
``voiceguide: error: ...``, and leaves the folder as it was.

The normal run tries a few dozen routines with a fixed seed, in a few seconds. To run it
longer, with a new seed each time, stopping at the first failing routine as it was drawn
(not shrunk; Hypothesis prints the seed to run it again with --hypothesis-seed):

    VOICEGUIDE_FUZZ_EXAMPLES=10000 .venv/bin/pytest -p no:cacheprovider tests/test_fuzz.py \\
        --hypothesis-show-statistics
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.routine_strategies import from_schema, make_playground, mutated_builtin, routine_bytes
from voiceguide.cli import cli
from voiceguide.testing import FakeSpeech, installed

LONG_RUN = os.environ.get("VOICEGUIDE_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(LONG_RUN) if LONG_RUN else 25,
    derandomize=not LONG_RUN,
    phases=[Phase.explicit, Phase.generate] if LONG_RUN else list(Phase),
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SECONDS_PER_COMMAND = 120
"""Long enough for `check` to compile every variant of the largest routine allowed (a
hundred sessions of 500 stages: about 50 s on a quiet machine, and over 30 s was seen
with the machine busy), so that only a command that would never end fails."""

ROUTINE = "routine.yaml"
MESSAGE = re.compile(
    rf"({re.escape(ROUTINE)}|[\w./-]+\.yaml)(:\d+:\d+)?: (error|warning): \S.*"
    r"|voiceguide: error: \S.*"
)
PREVIEW_FORMATS = ("text", "json", "srt", "vtt", "markdown")


class CommandTimedOut(BaseException):
    """A command ran past its time (a BaseException, so that nothing on the way catches
    it as an error of its own)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block with :class:`CommandTimedOut` after ``seconds``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise CommandTimedOut(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def playground() -> Iterator[Path]:
    """A folder of what includes and cue sounds may name; each routine is written in it."""
    with tempfile.TemporaryDirectory(prefix="voiceguide-fuzz-") as folder:
        make_playground(Path(folder))
        yield Path(folder)


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _run(*args: str) -> Result:
    with installed(speech=FakeSpeech()), time_limit(SECONDS_PER_COMMAND):
        return CliRunner().invoke(cli, list(args))


def _assert_well_behaved(result: Result, command: str) -> None:
    """Exit 0 or 1, no traceback, and every message line shaped as the README says."""
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"{command}: {result.exception!r}\n{result.stderr}"
    assert result.exit_code in (0, 1), f"{command}: exit {result.exit_code}\n{result.stderr}"
    assert "Traceback" not in result.output
    odd = [line for line in result.stderr.splitlines() if not MESSAGE.fullmatch(line)]
    assert odd == [], f"{command}: lines not shaped as messages: {odd!r}"


def _check_and_preview(folder: Path, data: bytes, preview_format: str) -> None:
    """Run check and preview on ``data`` written as a routine in ``folder``."""
    before = _listing(folder)
    path = folder / ROUTINE
    path.write_bytes(data)
    try:
        with contextlib.chdir(folder):
            _assert_well_behaved(_run("check", ROUTINE), "check")
            _assert_well_behaved(_run("preview", ROUTINE, "-f", preview_format), "preview")
    finally:
        path.unlink()
    assert _listing(folder) == before


@FUZZ
@given(data=st.data(), preview_format=st.sampled_from(PREVIEW_FORMATS))
def test_routines_built_from_the_schema(
    playground: Path, data: st.DataObject, preview_format: str
) -> None:
    """Routines the schema describes, some with hostile values mixed in, some damaged as
    text."""
    chaos = data.draw(st.sampled_from([0, 0, 10, 30, 100]), label="chaos")
    document = data.draw(from_schema(chaos=chaos), label="routine")
    routine = data.draw(routine_bytes(document), label="file")
    _check_and_preview(playground, routine, preview_format)


@FUZZ
@given(data=st.data(), preview_format=st.sampled_from(PREVIEW_FORMATS))
def test_builtin_routines_mutated(
    playground: Path, data: st.DataObject, preview_format: str
) -> None:
    """The built-in routines with values replaced, keys dropped, stages repeated and
    includes added, damaged as text."""
    document = data.draw(mutated_builtin(), label="routine")
    routine = data.draw(routine_bytes(document), label="file")
    _check_and_preview(playground, routine, preview_format)


def test_a_command_that_never_ends_is_stopped() -> None:
    """The time limit the fuzzer relies on interrupts a blocked call."""
    with pytest.raises(CommandTimedOut), time_limit(0.1):
        signal.pause()
