"""`voiceguide export --course` with several jobs, on the real engine: the same guides as
one by one, and a failing session stops the others, leaving only whole files."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.conftest import RunCli

pytestmark = pytest.mark.audio

COURSE = str(Path(__file__).parent / "data" / "course.yaml")
SESSIONS = [f"course-session-{n:02d}" for n in (1, 2, 3)]


def decoded(path: Path) -> np.ndarray:
    samples, _ = soundfile.read(path, dtype="float32")
    return np.asarray(samples)


def test_sessions_exported_at_once_are_the_ones_exported_one_by_one(
    in_tmp: Path, run_cli: RunCli
) -> None:
    """Two jobs, then one: every session's samples and subtitles are the same."""
    at_once = run_cli("export", COURSE, "--course", "at-once", "--jobs", "2")
    assert at_once.exit_code == 0, at_once.stderr
    one_by_one = run_cli("export", COURSE, "--course", "one-by-one", "--jobs", "1", "-q")
    assert one_by_one.exit_code == 0, one_by_one.stderr
    for name in SESSIONS:
        assert f"wrote at-once/{name}.mp3 and at-once/{name}.srt (" in at_once.stderr
        together, alone = (
            decoded(in_tmp / "at-once" / f"{name}.mp3"),
            decoded(in_tmp / "one-by-one" / f"{name}.mp3"),
        )
        assert len(together) > 44_100 * 50
        np.testing.assert_array_equal(together, alone)
        srt = (in_tmp / "at-once" / f"{name}.srt").read_text(encoding="utf-8")
        assert srt == (in_tmp / "one-by-one" / f"{name}.srt").read_text(encoding="utf-8")


def _limit_file_size(size: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return limit


def test_a_failing_session_stops_the_others_and_leaves_only_whole_files(
    in_tmp: Path, run_cli: RunCli
) -> None:
    """Files limited to a size only the smallest session fits in: a session that does
    not fails for want of room; the export says which and ends 1; the folder holds only
    whole guides (each as one job alone writes it) and no temporary file."""
    assert run_cli("export", COURSE, "--course", "alone", "--jobs", "1", "-q").exit_code == 0
    sizes = {name: (in_tmp / "alone" / f"{name}.mp3").stat().st_size for name in SESSIONS}
    smallest, next_up = sorted(sizes.values())[:2]
    assert smallest < next_up
    limit = (smallest + next_up) // 2
    process = subprocess.run(
        [sys.executable, "-m", "voiceguide", "export", COURSE, "--course", "limited"],
        cwd=in_tmp,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        preexec_fn=_limit_file_size(limit),
    )
    assert process.returncode == 1, process.stderr
    failed = [
        name
        for name in SESSIONS
        if process.stderr.strip().splitlines()[-1]
        == f"voiceguide: error: no space left to write limited/{name}.mp3; nothing was written"
    ]
    assert failed, process.stderr
    assert sizes[failed[0]] > limit
    left = sorted(p.name for p in (in_tmp / "limited").iterdir())
    assert not [name for name in left if name.startswith(".")], left
    assert f"{failed[0]}.mp3" not in left
    for name in left:
        if name.endswith(".mp3"):
            np.testing.assert_array_equal(
                decoded(in_tmp / "limited" / name), decoded(in_tmp / "alone" / name)
            )


def test_several_routines_exported_at_once_are_the_ones_exported_alone(
    in_tmp: Path, run_cli: RunCli
) -> None:
    """Two routines, two jobs, into one folder: each guide is the one it exports alone."""
    short = str(Path(__file__).parent / "data" / "short.yaml")
    together = run_cli("export", short, COURSE, "-o", "both/", "--jobs", "2", "-q")
    assert together.exit_code == 0, together.stderr
    for routine, name in ((short, "short"), (COURSE, "course")):
        assert run_cli("export", routine, "-o", f"{name}.mp3", "-q").exit_code == 0
        np.testing.assert_array_equal(
            decoded(in_tmp / "both" / f"{name}.mp3"), decoded(in_tmp / f"{name}.mp3")
        )
