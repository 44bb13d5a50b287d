"""Work on a list of items split in two: the first half here, the second half at the same
time in a forked copy of this process, which hands its result back through a pipe.

The loudness pass (:mod:`voiceguide.audio.level`) is numpy work in many small steps,
which threads cannot share out (the interpreter lock), so on two processors it took
as long as on one. A fork shares the renderer and its clips without copying them.

It forks only where that is safe and pays: on Linux, with more than one processor to
run on, from a process with no other Python thread (one holding a lock at the fork,
of a stream, say, would leave the copy waiting for it; the copy runs numpy code only,
and glibc's malloc and numpy's BLAS prepare their locks for a fork), unless :func:`use_one_process` was
called (a worker of a parallel export: the cores are busy already). Otherwise, or if
the copy fails, dies or takes far longer than this half did, the second half is
worked here as well: the results are the same either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

Item = TypeVar("Item")
Result = TypeVar("Result")

PATIENCE = 4.0
"""The copy may take this many times as long as this process took for its half (and
at least :data:`LEAST_WAIT_SECONDS`) before its half is worked here instead."""
LEAST_WAIT_SECONDS = 10.0

_one_process = False


def use_one_process() -> None:
    """From now on, work both halves in this process."""
    global _one_process
    _one_process = True


def can_fork() -> bool:
    """Whether :func:`in_two` would fork here and now."""
    if _one_process or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        if len(os.sched_getaffinity(0)) < 2:
            return False
    except OSError:
        return False
    return threading.active_count() == 1


def split(items: Sequence[Item], weight: Callable[[Item], int], least: int = 0) -> int:
    """Where to cut ``items`` so that each part holds about half of the weight; at the
    end (nothing to fork for) when they weigh less than ``least`` in all."""
    total = sum(weight(item) for item in items)
    if total < least:
        return len(items)
    running = 0
    for index, item in enumerate(items):
        running += weight(item)
        if 2 * running >= total:
            return index + 1
    return len(items)


Work = Callable[[Sequence[Item], bool], Result]
"""Called with a part of the items, and whether it runs in this process (the copy
must not write to the terminal, say)."""


def in_two(work: Work[Item, Result], items: Sequence[Item], cut: int) -> tuple[Result, Result]:
    """``work(items[:cut], True)`` here and ``work(items[cut:], False)`` in a forked
    copy when :func:`can_fork` (else here too, with True); both results, in order."""
    first, second = items[:cut], items[cut:]
    if not first or not second or not can_fork():
        return work(first, True), work(second, True)
    try:
        reading, writing = os.pipe()
    except OSError:
        return work(first, True), work(second, True)
    try:
        child = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return work(first, True), work(second, True)
    if child == 0:  # the copy: never returns
        os.close(reading)
        _work_in_copy(work, second, writing)
    os.close(writing)
    started = time.monotonic()
    handed: tuple[object] | None = None
    try:
        done = work(first, True)
        patience = max(LEAST_WAIT_SECONDS, PATIENCE * (time.monotonic() - started))
        handed = _receive(reading, patience)
    finally:
        os.close(reading)
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)  # gone already, unless late or stuck
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, 0)
    if handed is None:
        return done, work(second, True)
    return done, cast(Result, handed[0])


def _work_in_copy(work: Work[Item, Result], items: Sequence[Item], fd: int) -> None:
    """In the forked copy: work, send the result, leave at once (no clean-up of the
    parent's files, no handlers of its own: the parent owns all of that)."""
    code = 1
    try:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        data = pickle.dumps((work(items, False),), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
        code = 0
    except BaseException:  # the parent works this half itself
        pass
    finally:
        os._exit(code)


def _receive(fd: int, patience: float) -> tuple[object] | None:
    """What the copy sent (in a 1-tuple), or None if it failed or took longer than
    ``patience`` seconds."""
    deadline = time.monotonic() + patience
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        received = pickle.loads(b"".join(chunks))
    except Exception:  # cut short: the copy died while writing
        return None
    return received if isinstance(received, tuple) and len(received) == 1 else None
