"""Work on a list of items shared by this process and a forked copy of it: each takes
the next item from a common queue until none is left; the copy hands its results back
through a pipe.

The loudness pass (:mod:`voiceguide.audio.level`) is numpy work in many small steps,
which threads cannot share out (the interpreter lock), so on two processors it took
as long as on one. A fork shares the renderer and its clips without copying them. The
queue (item numbers in a pipe, which one read at a time takes) keeps both busy to the
end however the items' costs differ: a fixed cut left one waiting for the other.

It forks only where that is safe and pays: on Linux, with more than one processor to
run on, from a process with no other Python thread (one holding a lock at the fork,
of a stream, say, would leave the copy waiting for it; the copy runs numpy code only,
and glibc's malloc and numpy's BLAS prepare their locks for a fork), unless
:func:`use_one_process` was called (a worker of a parallel export: the cores are busy
already). Otherwise, or for the items a copy took but did not hand back (it failed,
died, or took far longer than this process did), the work is done here: the results
are the same either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar, cast

Item = TypeVar("Item")
Result = TypeVar("Result")

PATIENCE = 4.0
"""Once the queue is empty, the copy may take this many times as long as this process
took so far (and at least :data:`LEAST_WAIT_SECONDS`) to hand its results back."""
LEAST_WAIT_SECONDS = 10.0

_NUMBER = struct.Struct("<I")  # an item's number in the queue (4 bytes: one read takes one)
_F_SETPIPE_SZ = 1031  # Linux's fcntl to set a pipe's buffer
_one_process = False


def use_one_process() -> None:
    """From now on, work every item in this process."""
    global _one_process
    _one_process = True


def can_fork() -> bool:
    """Whether :func:`shared` would fork here and now."""
    if _one_process or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        if len(os.sched_getaffinity(0)) < 2:
            return False
    except OSError:
        return False
    return threading.active_count() == 1


Work = Callable[[Item, bool], Result]
"""Called with one item, and whether it runs in this process (the copy must not write
to the terminal, say)."""


def shared(
    work: Work[Item, Result],
    items: Sequence[Item],
    *,
    fork: bool = True,
    cost: Callable[[Item], float] | None = None,
) -> list[Result]:
    """``work(item, here)`` for each of ``items``, in a forked copy as well as here when
    ``fork`` and :func:`can_fork` (and there are two items or more); the results in
    the order of ``items``. With ``cost``, the costliest items are taken first, so
    that neither process is left with a long one at the end."""
    if not fork or len(items) < 2 or not can_fork():
        return [work(item, True) for item in items]
    numbers = range(len(items))
    if cost is not None:
        numbers = sorted(numbers, key=lambda number: -cost(items[number]))  # type: ignore[assignment]
    queue = b"".join(_NUMBER.pack(number) for number in numbers)
    try:
        queue_out, queue_in = os.pipe()
    except OSError:
        return [work(item, True) for item in items]
    if not _holds(queue_in, len(queue)):  # writing it would wait for a reader forever
        os.close(queue_out)
        os.close(queue_in)
        return [work(item, True) for item in items]
    os.write(queue_in, queue)
    os.close(queue_in)  # the end of the queue: an empty read
    try:
        answers, answering = os.pipe()
    except OSError:
        os.close(queue_out)
        return [work(item, True) for item in items]
    try:
        child = os.fork()
    except OSError:
        child = -1
    if child == 0:  # the copy: never returns
        os.close(answers)
        _work_in_copy(work, items, queue_out, answering)
    os.close(answering)
    results: dict[int, Result] = {}
    started = time.monotonic()
    try:
        for number in _taken(queue_out):
            results[number] = work(items[number], True)
        if child > 0:
            patience = max(LEAST_WAIT_SECONDS, PATIENCE * (time.monotonic() - started))
            handed = _receive(answers, patience)
            results.update(cast(dict[int, Result], handed or {}))
    finally:
        os.close(queue_out)
        os.close(answers)
        if child > 0:
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)  # gone already, unless late or stuck
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, 0)
    return [
        results[number] if number in results else work(item, True)
        for number, item in enumerate(items)
    ]


def _holds(pipe: int, size: int) -> bool:
    """Whether ``pipe`` holds ``size`` bytes unread (its buffer made larger if need be)."""
    import fcntl

    try:
        return fcntl.fcntl(pipe, _F_SETPIPE_SZ, max(size, 4096)) >= size
    except OSError:
        return size <= 4096  # what any pipe holds (POSIX's PIPE_BUF at least)


def _taken(queue: int) -> Iterator[int]:
    """Item numbers taken from the queue, one read each, until it is empty."""
    while True:
        data = os.read(queue, _NUMBER.size)
        if len(data) < _NUMBER.size:
            return
        yield _NUMBER.unpack(data)[0]


def _work_in_copy(work: Work[Item, Result], items: Sequence[Item], queue: int, fd: int) -> None:
    """In the forked copy: work the items it takes, send the results, leave at once (no
    clean-up of the parent's files, no handlers of its own: the parent owns all that)."""
    code = 1
    try:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        results = {number: work(items[number], False) for number in _taken(queue)}
        data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
        code = 0
    except BaseException:  # the parent works what is missing itself
        pass
    finally:
        os._exit(code)


def _receive(fd: int, patience: float) -> dict[int, object] | None:
    """The results the copy sent, or None if it failed or took longer than ``patience``
    seconds."""
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
    return received if isinstance(received, dict) else None
