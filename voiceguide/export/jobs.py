"""What an export writes: one guide, or every session of a course, and where.

Planned before any work, so a bad option or a file that may not be overwritten stops the
export before anything is synthesized.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.adapt import Variant
from voiceguide.audio.rates import DEFAULT_SAMPLE_RATE
from voiceguide.errors import ExportError, OptionError
from voiceguide.export.writer import audio_format, rate_problem, sidecar_paths
from voiceguide.files import check_folder, check_target, make_folder

if TYPE_CHECKING:
    from voiceguide.model.routine import Routine

DEFAULT_FOLDER = Path("audio")
"""Where a guide goes when no file is named."""
DEFAULT_SUFFIX = ".mp3"


@dataclass(frozen=True)
class ExportJob:
    """One guide to write: the variant, the audio file, and its rate."""

    variant: Variant
    target: Path
    sample_rate: int
    make_folder: bool = False
    """Whether the target's folder is made when the guide is written (the default
    folder, or a course folder)."""
    option: str = "-o"
    """The option that chooses another place, for messages."""

    def make_room(self) -> None:
        if self.make_folder:
            make_folder(self.target.parent, self.option)


def stem(routine: Routine, reference: str) -> str:
    """The name guides of ``routine`` are written under."""
    return routine.name or (routine.path.stem if routine.path else Path(reference).stem)


def plan_export(
    routine: Routine,
    reference: str,
    variant: Variant,
    *,
    output: Path | None = None,
    output_folder: Path | None = None,
    course_folder: Path | None = None,
    subtitles: str = "srt",
    chapters_file: bool = False,
    sample_rate: int | None = None,
    force: bool = False,
) -> list[ExportJob]:
    """The guides to write, each checked: its format and rate, and that neither it nor
    its subtitles would overwrite a file without ``force``. ``output``: the file;
    ``output_folder``: the folder the guide goes to, under its routine's name (made when
    it is written); neither: the default folder."""
    if course_folder is not None:
        if output is not None or variant.session is not None:
            raise OptionError("--course", "it writes every session: leave out -o and --session")
        if routine.course is None:
            raise OptionError("--course", "this routine has no course of sessions")
        name = stem(routine, reference)
        places = [
            (variant._replace(session=n), course_folder / f"{name}-session-{n:02d}.mp3", True)
            for n in range(1, routine.course.sessions + 1)
        ]
    elif output is not None:
        places = [(variant, output, False)]
    else:
        folder = DEFAULT_FOLDER if output_folder is None else output_folder
        places = [(variant, folder / f"{stem(routine, reference)}{DEFAULT_SUFFIX}", True)]
    option = "--course" if course_folder is not None else "-o"
    jobs = []
    for job_variant, target, make in places:
        try:
            fmt = audio_format(target)
        except ExportError as exc:
            raise OptionError("--output", str(exc)) from None
        rate = sample_rate or (fmt.rates[0] if fmt.rates else DEFAULT_SAMPLE_RATE)
        problem = rate_problem(fmt, rate)
        if problem:
            raise OptionError("--sample-rate", problem)
        for path in [target, *sidecar_paths(target, subtitles, chapters_file)]:
            if make and not path.parent.exists():
                check_folder(path.parent, option)
            else:
                check_target(path, force, option)
        jobs.append(ExportJob(job_variant, target, rate, make, option))
    return jobs
