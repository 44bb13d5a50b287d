"""voiceguide export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from voiceguide.cli.group import cli, note, warn
from voiceguide.cli.params import progress_bar, sample_rate_option, variant_options, voice_options
from voiceguide.errors import OptionError
from voiceguide.export import SPLIT_FORMATS, SUBTITLE_CHOICES

if TYPE_CHECKING:
    from voiceguide.adapt import Variant
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.export.jobs import ExportJob
    from voiceguide.model.routine import Routine
    from voiceguide.pipeline import Guide, VoiceOptions


@cli.command()
@click.argument("routines", metavar="ROUTINE...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The audio file; its extension picks the format: .wav .flac .ogg .opus .mp3 "
    ".m4b .m4a .html (a web page that plays offline). "
    "With several routines, a folder: each goes to FOLDER/ROUTINE.mp3. "
    "[default: audio/ROUTINE.mp3]",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--subtitles",
    type=click.Choice(SUBTITLE_CHOICES),
    default="srt",
    show_default=True,
    help="Subtitle files to write beside the audio, with the same name.",
)
@click.option(
    "--chapters",
    "chapters_kind",
    type=click.Choice(("embedded", "json")),
    default="embedded",
    show_default=True,
    help="json: also write the chapters as ROUTINE.chapters.json beside the audio "
    "(Podcasting 2.0), for the podcast apps that read them.",
)
@sample_rate_option("Sample rate of the guide. [default: 44100; 48000 for .opus]")
@click.option("--stereo", is_flag=True, help="Two channels instead of one.")
@click.option(
    "--loudness",
    type=click.FloatRange(-40.0, -6.0),
    default=-16.0,
    show_default=True,
    metavar="LUFS",
    help="Integrated loudness of the guide.",
)
@voice_options
@variant_options()
@click.option(
    "--course",
    "course_folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every session of the routine's course into this folder.",
)
@click.option(
    "--split",
    "split_folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one file per chapter into this folder, numbered, and a playlist of them "
    "(ROUTINE.m3u8), for players that know no chapters.",
)
@click.option(
    "--split-format",
    type=click.Choice(SPLIT_FORMATS),
    default="mp3",
    show_default=True,
    help="The format of the files --split writes.",
)
@click.option(
    "--bundle",
    "bundle_target",
    type=click.Path(path_type=Path),
    help="Write a patient's bundle: the guide (MP3 with chapters, subtitles), the web "
    "page, the printable handout and the routine file, into a .zip file or a folder.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    metavar="N",
    help="With --course or several routines: guides exported at once, each in a process "
    "of its own. [default: the cores]",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def export(
    routines: tuple[str, ...],
    output: Path | None,
    force: bool,
    subtitles: str,
    chapters_kind: str,
    sample_rate: int | None,
    stereo: bool,
    loudness: float,
    voice: str | None,
    rate: int | None,
    volume: float | None,
    no_cache: bool,
    painful_side: str | None,
    session: int | None,
    course_folder: Path | None,
    split_folder: Path | None,
    split_format: str,
    bundle_target: Path | None,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Export a routine (or several) as an audio guide with chapters and subtitles.

    One chapter per stage (and per side); title, artist and comment tags; subtitles timed
    to the audio. The guide is normalized to a spoken-word loudness with a true-peak limit.
    Nothing is written unless all of it succeeds, and no file is overwritten without --force.

    \b
    Example:
      voiceguide export neck
      voiceguide export neck -o neck.flac --subtitles both --rate 140
      voiceguide export neck --course guides/ --painful-side left --jobs 2
      voiceguide export neck collar desk-break -o guides/
      voiceguide export neck --split guides/neck/ --split-format flac
      voiceguide export neck --session 1 --painful-side left --bundle neck-1.zip
    """
    from voiceguide.adapt import Variant
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.errors import display_path
    from voiceguide.export.jobs import plan_export
    from voiceguide.export.parallel import default_jobs
    from voiceguide.export.tags import chapters
    from voiceguide.export.writer import export as write_guide
    from voiceguide.files import remove_stale
    from voiceguide.load import load_routine
    from voiceguide.pipeline import VoiceOptions

    if bundle_target is not None:
        from voiceguide.cli.export_bundle import export_bundle

        given = {"-o": output, "--course": course_folder, "--split": split_folder, "--jobs": jobs}
        export_bundle(
            routines,
            bundle_target,
            given,
            variant=Variant(session, painful_side),
            voice=VoiceOptions(voice, rate, volume),
            render=(2 if stereo else 1, loudness),
            use_cache=not no_cache,
            force=force,
            quiet=quiet,
        )
        return
    if split_folder is not None:
        from voiceguide.cli.export_split import export_split

        export_split(
            routines,
            split_folder,
            split_format,
            output=output,
            course=course_folder is not None,
            jobs=jobs,
            variant=Variant(session, painful_side),
            voice=VoiceOptions(voice, rate, volume),
            render=(sample_rate, 2 if stereo else 1, loudness),
            use_cache=not no_cache,
            force=force,
            quiet=quiet,
        )
        return
    several = len(routines) > 1
    if several and course_folder is not None:
        raise OptionError("--course", "it writes the sessions of one routine: give one")
    if several and session is not None:
        raise OptionError("--session", "it is for one routine: export them one by one")
    if several and output is not None and output.suffix and not output.is_dir():
        raise OptionError("--output", "with several routines it is a folder: -o FOLDER/")
    if jobs is not None and course_folder is None and not several:
        raise OptionError(
            "--jobs", "it is for --course or several routines, which export several guides"
        )
    plan: list[tuple[str, Routine, ExportJob]] = []
    for reference in routines:
        loaded = load_routine(reference)
        jobs_of_routine = plan_export(
            loaded,
            reference,
            Variant(session, painful_side),
            output=None if several else output,
            output_folder=output if several else None,
            course_folder=course_folder,
            subtitles=subtitles,
            chapters_file=chapters_kind == "json",
            sample_rate=sample_rate,
            force=force,
        )
        plan += [(reference, loaded, job) for job in jobs_of_routine]
    targets = [job.target for _, _, job in plan]
    twice = next((t for t in targets if targets.count(t) > 1), None)
    if twice is not None:
        raise OptionError("ROUTINE", f"two of the routines would both be written to {twice}")
    for folder in dict.fromkeys(target.parent for target in targets):
        for left in remove_stale(folder):
            note(
                f"removed {display_path(left)}, a temporary file left by a voiceguide that was killed"
            )
    voice_options = VoiceOptions(voice, rate, volume)
    channels = 2 if stereo else 1
    workers = min(jobs or default_jobs(), len(plan))
    if workers > 1:
        _export_at_once(
            plan,
            voice_options,
            channels,
            loudness,
            workers,
            use_cache=not no_cache,
            force=force,
            subtitles=subtitles,
            chapters_file=chapters_kind == "json",
            quiet=quiet,
        )
        return
    for _, loaded, job in plan:
        render = RenderSettings(job.sample_rate, channels, loudness)
        guide = prepared(
            loaded, job.variant, voice_options, render, use_cache=not no_cache, quiet=quiet
        )
        job.make_room()
        with progress_bar("Encoding ", quiet) as encoding:
            written = write_guide(
                guide.renderer,
                job.target,
                force=force,
                subtitles=subtitles,
                chapters_file=chapters_kind == "json",
                progress=encoding,
            )
        tell(
            written,
            guide.script.duration,
            len(chapters(guide.script)),
            [str(w) for w in guide.script.warnings],
            guide.loudness_note,
            quiet=quiet,
        )


def _export_at_once(
    plan: list[tuple[str, Routine, ExportJob]],
    voice: VoiceOptions,
    channels: int,
    loudness: float,
    workers: int,
    *,
    use_cache: bool,
    force: bool,
    subtitles: str,
    chapters_file: bool,
    quiet: bool,
) -> None:
    """The guides of ``plan``, ``workers`` at a time, after one synthesis pass for each
    routine's texts (into one cache: what routines share is synthesized once)."""
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.export.parallel import Order, make_all
    from voiceguide.pipeline import speak_all

    cache = None
    for reference in dict.fromkeys(reference for reference, _, _ in plan):
        loaded = next(routine for named, routine, _ in plan if named == reference)
        variants = [job.variant for named, _, job in plan if named == reference]
        with progress_bar("Speech   ", quiet) as speech:
            cache = speak_all(
                loaded, variants, voice, use_cache=use_cache, progress=speech, cache=cache
            )
    assert cache is not None
    for _, _, job in plan:
        job.make_room()
    orders = [
        Order(
            reference,
            job.variant,
            job.target,
            voice,
            RenderSettings(job.sample_rate, channels, loudness),
            cache.folder,
            use_cache,
            force,
            subtitles,
            chapters_file,
        )
        for reference, _, job in plan
    ]
    for done in make_all(orders, workers):
        tell(
            done.paths, done.duration, done.chapters, done.warnings, done.loudness_note, quiet=quiet
        )


def prepared(
    routine: Routine,
    variant: Variant,
    voice: VoiceOptions,
    settings: RenderSettings,
    *,
    use_cache: bool,
    quiet: bool,
) -> Guide:
    """The guide ready to write (its speech and loudness), with progress bars on a
    terminal (not ``quiet``) and damaged cached clips told."""
    from voiceguide.pipeline import prepare

    with progress_bar("Speech   ", quiet) as speech, progress_bar("Loudness ", quiet) as level:
        return prepare(
            routine,
            variant,
            voice,
            settings,
            use_cache=use_cache,
            speech_progress=speech,
            warn=warn,
            level_progress=level,
        )


def tell(
    written: list[Path],
    duration: float,
    chapters: int,
    warnings: list[str],
    loudness_note: str | None,
    *,
    quiet: bool,
    what: str = "",
) -> None:
    """What an export wrote: its routine's warnings, the loudness reached if short of the
    target, and (unless ``quiet``) the files, length and chapters."""
    from voiceguide.durations import format_length

    for warning in warnings:
        click.echo(warning, err=True)
    if loudness_note:
        note(loudness_note)
    if not quiet:
        names = " and ".join(str(p) for p in written)
        click.echo(
            f"wrote {what + ' ' if what else ''}{names} ({format_length(duration)}, "
            f"{chapters} chapters)",
            err=True,
        )
