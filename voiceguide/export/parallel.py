"""Several guides at once (a course's sessions): one synthesis pass for the texts they
share (:func:`voiceguide.pipeline.speak_all`), then each guide rendered and encoded in
a process of its own, up to ``jobs`` at a time, each with the memory of one export.

A worker that fails stops the others: they are told to stop (SIGTERM, which they take
as the command itself does: each removes its temporary files), so every file left is a
whole guide and nothing is half-written. Ctrl-C reaches the workers too (they share the
terminal's process group) and ends the same way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.adapt import Variant
from voiceguide.errors import ExportError, VoiceguideError

if TYPE_CHECKING:
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.pipeline import VoiceOptions


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Order:
    """One guide for a worker: what it needs to make it on its own."""

    routine: str
    """The routine as the user named it (loaded again in the worker)."""
    variant: Variant
    target: Path
    voice: VoiceOptions
    render: RenderSettings
    clip_folder: Path
    """The clip cache :func:`~voiceguide.pipeline.speak_all` filled."""
    use_cache: bool
    force: bool
    subtitles: str
    chapters_file: bool = False


@dataclass(frozen=True)
class Written:
    """What a worker wrote, and what to tell the user of it."""

    paths: list[Path]
    duration: float
    chapters: int
    warnings: list[str]
    loudness_note: str | None


@dataclass(frozen=True)
class Failed:
    """A worker's error, as its one-line message."""

    message: str


def make(order: Order) -> Written | Failed:
    """One guide, in a worker (stopped by SIGTERM as the command is: nothing left)."""
    from voiceguide.audio.halves import use_one_process
    from voiceguide.export.tags import chapters
    from voiceguide.export.writer import export
    from voiceguide.load import load_routine
    from voiceguide.pipeline import prepare
    from voiceguide.signals import Stopped, stopping_on_signals
    from voiceguide.speech.cache import ClipCache

    use_one_process()  # the other workers have the other cores
    try:
        with stopping_on_signals():
            routine = load_routine(order.routine)
            guide = prepare(
                routine,
                order.variant,
                order.voice,
                order.render,
                use_cache=order.use_cache,
                clip_cache=ClipCache(order.clip_folder),
            )
            paths = export(
                guide.renderer,
                order.target,
                force=order.force,
                subtitles=order.subtitles,
                chapters_file=order.chapters_file,
            )
    except VoiceguideError as exc:
        return Failed(str(exc))
    except Stopped as exc:
        return Failed(f"stopped by {exc.name}")
    return Written(
        paths,
        guide.script.duration,
        len(chapters(guide.script)),
        [str(warning) for warning in guide.script.warnings],
        guide.loudness_note,
    )


def make_all(orders: list[Order], jobs: int) -> Iterator[Written]:
    """Each guide as its worker finishes it; the first failure stops the others and is
    raised (an :class:`ExportError` with the worker's message)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "voiceguide.export.writer", "voiceguide.pipeline"])
    pool = context.Pool(min(jobs, len(orders)), maxtasksperchild=1)
    try:
        for result in pool.imap_unordered(make, orders):
            if isinstance(result, Failed):
                raise ExportError(result.message)
            yield result
        pool.close()
    except BaseException:
        pool.terminate()  # SIGTERM: each worker removes what it had begun
        raise
    finally:
        pool.join()
