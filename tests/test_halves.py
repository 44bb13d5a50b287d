"""Work split in two, the second half in a forked copy: the same results as in one
process, whatever becomes of the copy; and the loudness pass that uses it.

The forking cases run in a fresh interpreter of their own, which has no other Python
thread (a test run may have some), so that they fork for certain."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path

from voiceguide.audio import halves

ROOT = Path(__file__).resolve().parent.parent


def run_alone(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


HALVES = """
import json, os, sys, time
from voiceguide.audio import halves

def work(part, here):
    {body}
    return [[os.getpid(), here, item * item] for item in part]

{setup}
me = os.getpid()
first, second = halves.in_two(work, list(range(6)), 2)
children = []
try:
    os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    children = "none"
print(json.dumps({{"me": me, "first": first, "second": second, "children": children}}))
"""


def test_the_second_half_is_worked_in_a_copy_and_handed_back() -> None:
    """Both results come back in order; the second half was worked in another process,
    which knew it was not the parent, and is gone afterwards."""
    result = run_alone(HALVES.format(body="pass", setup=""))
    me = result["me"]
    assert result["first"] == [[me, True, 0], [me, True, 1]]
    second = result["second"]
    assert isinstance(second, list)
    assert [item for _, _, item in second] == [4, 9, 16, 25]
    assert {pid for pid, _, _ in second} != {me}
    assert {here for _, here, _ in second} == {False}
    assert result["children"] == "none"


def test_a_copy_that_dies_leaves_its_half_to_the_parent() -> None:
    """A copy killed before it answers (here: it exits at once) costs nothing but time:
    the parent works that half too, with the same results."""
    result = run_alone(HALVES.format(body="if not here: os._exit(3)", setup=""))
    me = result["me"]
    assert result["second"] == [[me, True, n * n] for n in range(2, 6)]
    assert result["children"] == "none"


def test_a_copy_that_hangs_is_stopped_and_its_half_worked_here() -> None:
    """A copy that never answers is waited for only so long, then killed (no process
    is left behind) and its half worked here."""
    setup = "halves.LEAST_WAIT_SECONDS = 0.5"
    result = run_alone(HALVES.format(body="if not here: time.sleep(3600)", setup=setup))
    me = result["me"]
    assert result["second"] == [[me, True, n * n] for n in range(2, 6)]
    assert result["children"] == "none"


def test_no_fork_with_another_thread_or_when_told_or_for_little_work() -> None:
    """With another Python thread running, after use_one_process, and for a part
    that is empty, both halves are worked here."""

    def work(part: Sequence[int], here: bool) -> list[tuple[bool, int]]:
        return [(here, item) for item in part]

    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert not halves.can_fork()
        assert halves.in_two(work, [1, 2, 3], 1) == ([(True, 1)], [(True, 2), (True, 3)])
    finally:
        stop.set()
        waiting.join()
    assert halves.in_two(work, [1, 2, 3], 3) == ([(True, 1), (True, 2), (True, 3)], [])
    result = run_alone(
        """
        import json
        from voiceguide.audio import halves
        before = halves.can_fork()
        halves.use_one_process()
        print(json.dumps({"before": before, "after": halves.can_fork()}))
        """
    )
    assert result == {"before": True, "after": False}


def test_split_shares_the_weight_in_two() -> None:
    """The cut leaves about half the weight on each side; below ``least``, nothing is
    cut off."""
    lengths = [5, 1, 1, 1, 1, 1]
    assert halves.split(lengths, int) == 1
    assert halves.split([1, 1, 1, 1], int) == 2
    assert halves.split([1, 1, 1, 1], int, least=5) == 4
    assert halves.split([], int) == 0


def test_the_loudness_pass_forked_finds_the_very_level_of_one_process() -> None:
    """The loudness pass of a long guide, shared with a copy, finds exactly the level it
    finds in one process (both passes forked); the copy's clips pushed out of its
    memory are not written beside its parent's."""
    result = run_alone(
        """
        import json, os
        from voiceguide.audio import halves, level
        from voiceguide.audio.render import Renderer
        from voiceguide.audio.settings import RenderSettings
        from voiceguide.audio.store import ClipStore
        from voiceguide.compiler import compile_routine
        from voiceguide.load import load_routine
        from voiceguide.testing import FakeSynthesizer

        clips = ClipStore(FakeSynthesizer(), 16_000, memory_bytes=1 << 16)  # files, mostly
        script = compile_routine(load_routine("neck"), clips)
        settings = RenderSettings(sample_rate=16_000, true_peak=-12.0)  # the limiter acts
        renderer = Renderer(script, clips, settings)
        forks = []
        fork = os.fork
        def counted():
            forks.append(1)
            return fork()
        os.fork = counted
        shared = level.measure_level(renderer)
        spilled = renderer.clips._spilled
        files = sorted(p.name for p in spilled.folder.iterdir())
        known = sorted(p.name for p in spilled.files.values())
        halves.use_one_process()
        alone = level.measure_level(renderer)
        print(json.dumps({"forks": len(forks), "shared": [shared.gain, shared.shortfall],
                          "alone": [alone.gain, alone.shortfall], "files": files,
                          "known": known}))
        """
    )
    assert isinstance(result["forks"], int)
    assert result["forks"] >= 2  # the first pass, and each round of making up for the limiter
    assert result["shared"] == result["alone"]
    assert result["files"] == result["known"]
