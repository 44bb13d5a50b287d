"""Work shared with a forked copy, each taking items from one queue: the same results
as in one process, whatever becomes of the copy; and the loudness pass that uses it.

The forking cases run in a fresh interpreter of their own, which has no other Python
thread (a test run may have some), so that they fork for certain."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
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


SHARED = """
import json, os, sys, time
from voiceguide.audio import halves

def work(item, here):
    {body}
    return [os.getpid(), here, item * item]

{setup}
me = os.getpid()
results = halves.shared(work, list(range(40)){options})
children = []
try:
    os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    children = "none"
print(json.dumps({{"me": me, "results": results, "children": children}}))
"""


def shared_alone(body: str = "pass", setup: str = "", options: str = "") -> dict[str, object]:
    return run_alone(SHARED.format(body=body, setup=setup, options=options))


def test_the_items_are_shared_with_a_copy_and_handed_back_in_order() -> None:
    """Every item's result comes back, in the items' order; some were worked in
    another process, which knew it was not the parent, and is gone afterwards."""
    result = shared_alone(body="time.sleep(0.01)")
    me = result["me"]
    results = result["results"]
    assert isinstance(results, list)
    assert [square for _, _, square in results] == [n * n for n in range(40)]
    assert {(pid == me, here) for pid, here, _ in results} == {(True, True), (False, False)}
    assert result["children"] == "none"


def test_the_costliest_items_are_taken_first() -> None:
    """With a cost, the items are taken costliest first (here: those this process
    took, in the order it took them)."""
    code = """
        import json
        from voiceguide.audio import halves
        taken = []
        def work(item, here):
            if here:
                taken.append(item)
            return item
        halves.shared(work, list(range(40)), cost=lambda item: item % 7)
        print(json.dumps({"taken": taken}))
        """
    taken = run_alone(code)["taken"]
    assert isinstance(taken, list)
    costs = [item % 7 for item in taken]
    assert len(costs) > 1
    assert costs == sorted(costs, reverse=True)


def test_a_copy_that_dies_leaves_its_items_to_the_parent() -> None:
    """A copy killed before it answers (here: it exits at once) costs nothing but time:
    the parent works its items too, with the same results."""
    result = shared_alone(body="if not here: os._exit(3)")
    me = result["me"]
    assert result["results"] == [[me, True, n * n] for n in range(40)]
    assert result["children"] == "none"


def test_a_copy_that_hangs_is_stopped_and_its_items_worked_here() -> None:
    """A copy that never answers is waited for only so long, then killed (no process
    is left behind) and its items worked here."""
    result = shared_alone(
        body="if not here: time.sleep(3600)", setup="halves.LEAST_WAIT_SECONDS = 0.5"
    )
    me = result["me"]
    assert result["results"] == [[me, True, n * n] for n in range(40)]
    assert result["children"] == "none"


def test_no_fork_with_another_thread_or_when_told_or_for_little_work() -> None:
    """With another Python thread running, after use_one_process, without ``fork``
    and for a single item, every item is worked here."""

    def work(item: int, here: bool) -> tuple[bool, int]:
        return (here, item)

    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert not halves.can_fork()
        assert halves.shared(work, [1, 2, 3]) == [(True, 1), (True, 2), (True, 3)]
    finally:
        stop.set()
        waiting.join()
    result = run_alone(
        """
        import json, os
        from voiceguide.audio import halves
        mine = lambda item, here: os.getpid()
        before = halves.can_fork()
        unforked = set(halves.shared(mine, list(range(9)), fork=False))
        single = halves.shared(mine, [1])
        halves.use_one_process()
        after = halves.can_fork()
        told = set(halves.shared(mine, list(range(9))))
        me = os.getpid()
        print(json.dumps({"before": before, "after": after,
                          "here": [unforked == {me}, single == [me], told == {me}]}))
        """
    )
    assert result == {"before": True, "after": False, "here": [True, True, True]}


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
