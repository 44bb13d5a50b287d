"""``export --split``: the command's side of one file per chapter (see
:mod:`voiceguide.export.split`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.cli.export import prepared, tell
from voiceguide.cli.group import note
from voiceguide.cli.params import progress_bar
from voiceguide.errors import OptionError

if TYPE_CHECKING:
    from voiceguide.adapt import Variant
    from voiceguide.pipeline import VoiceOptions


def export_split(
    routines: tuple[str, ...],
    folder: Path,
    split_format: str,
    *,
    output: Path | None,
    course: bool,
    jobs: int | None,
    variant: Variant,
    voice: VoiceOptions,
    render: tuple[int | None, int, float],
    use_cache: bool,
    force: bool,
    quiet: bool,
) -> None:
    """One file per chapter of one routine, and their playlist (``--split``)."""
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.errors import display_path
    from voiceguide.export.jobs import stem
    from voiceguide.export.split import check_parts, export_split, plan_parts, playlist_path
    from voiceguide.export.writer import audio_format, rate_problem
    from voiceguide.files import check_folder, make_folder, remove_stale
    from voiceguide.load import load_routine
    from voiceguide.pipeline import estimate

    for option, given in (("-o", output), ("--course", course), ("--jobs", jobs)):
        if given:
            raise OptionError(option, "--split writes the files itself: leave it out")
    if len(routines) > 1:
        raise OptionError("--split", "it writes the chapters of one routine: give one")
    reference = routines[0]
    loaded = load_routine(reference)
    fmt = audio_format(Path(f"part.{split_format}"))
    sample_rate, channels, loudness = render
    rate = sample_rate or (fmt.rates[0] if fmt.rates else 44_100)
    problem = rate_problem(fmt, rate)
    if problem:
        raise OptionError("--sample-rate", problem)
    name = stem(loaded, reference)
    if folder.exists():
        parts = plan_parts(estimate(loaded, variant), folder, fmt.suffix)
        check_parts(parts, playlist_path(folder, name), force)
        for left in remove_stale(folder):
            note(
                f"removed {display_path(left)}, a temporary file left by a voiceguide that was killed"
            )
    else:
        check_folder(folder, "--split")
    settings = RenderSettings(rate, channels, loudness)
    guide = prepared(loaded, variant, voice, settings, use_cache=use_cache, quiet=quiet)
    make_folder(folder, "--split")
    with progress_bar("Encoding ", quiet) as encoding:
        written = export_split(guide.renderer, folder, fmt, name, force=force, progress=encoding)
    *files, listing = written
    tell(
        [listing],
        guide.script.duration,
        len(files),
        [str(w) for w in guide.script.warnings],
        guide.loudness_note,
        quiet=quiet,
        what=f"{len(files)} files in {display_path(folder)} and",
    )
