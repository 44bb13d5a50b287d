"""The ``voiceguide`` command line.

A thin layer: parse options, call the library, and turn library errors into one-line
messages in one place (:class:`_Group`).  Data goes to stdout; messages to stderr.
Exit codes: 0 success, 1 routine or runtime error, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from voiceguide import __version__
from voiceguide.errors import RoutineError, VoiceguideError

EXIT_INTERRUPTED = 130


class ReportedError(click.ClickException):
    """A library error, printed as it is (one line per problem, no "Error:" prefix)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RoutineError as exc:
            raise ReportedError("\n".join(str(d) for d in exc.diagnostics)) from None
        except VoiceguideError as exc:
            raise ReportedError(f"voiceguide: error: {exc}") from None


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="voiceguide")
def cli() -> None:
    """Voice-guided massage sessions: check, preview, play and export routines.

    A ROUTINE is a YAML file or the name of a built-in routine (see 'voiceguide routines').

    \b
    Example:
      voiceguide check my-neck.yaml
      voiceguide preview neck
    """


if TYPE_CHECKING:
    from voiceguide.audio.render import Renderer
    from voiceguide.load.routine import Routine
    from voiceguide.pipeline import VoiceOptions

routine_argument = click.argument("routine", metavar="ROUTINE")

F = TypeVar("F", bound=Callable[..., Any])


def voice_options(command: F) -> F:
    """--voice, --rate, --volume and --no-cache, shared by the commands that speak."""
    options = [
        click.option(
            "--voice",
            metavar="ID",
            help="Voice id (see 'voiceguide voices'). [default: the routine's, else the "
            "first voice for its language]",
        ),
        click.option(
            "--rate",
            type=click.IntRange(40, 500),
            metavar="WPM",
            help="Speaking rate in words per minute. [default: the routine's, else 150]",
        ),
        click.option(
            "--volume",
            type=click.FloatRange(0.0, 1.0),
            help="Speech volume from 0 to 1. [default: the routine's, else 1]",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            help="Synthesize every utterance again; do not use the clip cache.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def adapt_options(command: F) -> F:
    """--painful-side and --session, shared by play, export and preview."""
    options = [
        click.option(
            "--painful-side",
            type=click.Choice(["left", "right"]),
            help="The side that hurts: the healthy side comes first, the painful one gently.",
        ),
        click.option(
            "--session",
            metavar="N",
            help="Session N of the routine's course (play also takes 'auto': the next one).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _adapted(
    routine: Routine, reference: str, painful_side: str | None, session: str | None
) -> tuple[Routine, int | None]:
    """The routine for this patient (a session of its course, a painful side), and the
    session's number."""
    number = None
    if session is not None:
        from voiceguide.adapt import for_session

        course = routine.course
        if course is None:
            raise click.BadParameter(
                "this routine has no course of sessions", param_hint="--session"
            )
        if session == "auto" and click.get_current_context().info_name == "play":
            from voiceguide.history import History

            done = History().completed_sessions(_history_key(routine, reference))
            number = min(done + 1, course.sessions)
        elif session.isdigit() and 1 <= int(session) <= course.sessions:
            number = int(session)
        else:
            raise click.BadParameter(
                f"{session!r} is not a session of this course: use 1 to {course.sessions}",
                param_hint="--session",
            )
        routine = for_session(routine, course, number)
    if painful_side is not None:
        from voiceguide.adapt import with_painful_side

        routine = with_painful_side(routine, painful_side)
    return routine, number


def _history_key(routine: Routine, reference: str) -> str:
    if routine.name:
        return routine.name
    return str(routine.path.resolve()) if routine.path else reference


def _voice(voice: str | None, rate: int | None, volume: float | None) -> VoiceOptions:
    from voiceguide.pipeline import VoiceOptions

    return VoiceOptions(voice, rate, volume)


@contextlib.contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on stderr, or None when quiet or not a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr, show_eta=True) as bar:
        shown = 0

        def update(done: int, total: int) -> None:
            nonlocal shown
            bar.length = max(total, 1)
            bar.update(done - shown)
            shown = done

        yield update


@cli.command()
@click.argument("routines", nargs=-1, required=True, metavar="ROUTINE...")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(routines: tuple[str, ...], strict: bool) -> None:
    """Check routines and report every problem, one line each.

    Each problem is printed as FILE:LINE:COL: error|warning: message. Exits 1 when any
    routine has an error (or, with --strict, a warning).

    \b
    Example:
      voiceguide check neck my-routine.yaml --strict
    """
    from voiceguide.compiler import compile_routine
    from voiceguide.durations import format_length
    from voiceguide.load.routine import load_routine

    failed = False
    for reference in routines:
        try:
            script = compile_routine(load_routine(reference))
        except RoutineError as exc:
            for diagnostic in exc.diagnostics:
                click.echo(str(diagnostic), err=True)
            failed = True
            continue
        except VoiceguideError as exc:
            click.echo(f"{reference}: error: {exc}", err=True)
            failed = True
            continue
        for warning in script.warnings:
            click.echo(str(warning), err=True)
        if strict and script.warnings:
            failed = True
            continue
        stages = len({s.stage_number for s in script.stages})
        click.echo(
            f"{reference}: ok: {script.title!r}, {stages} stage{'s' * (stages != 1)}, "
            f"{format_length(script.duration)}"
            + (f", {len(script.warnings)} warning(s)" if script.warnings else "")
        )
    if failed:
        sys.exit(1)


FORMAT_CHOICES = ["text", "json", "srt", "vtt", "markdown"]


@cli.command()
@routine_argument
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice(FORMAT_CHOICES),
    default=None,
    help="Output format. [default: from the -o extension, else text]",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.option(
    "--exact",
    is_flag=True,
    help="Synthesize the speech and use its real lengths, so the timeline is exactly the audio's.",
)
@click.option(
    "--sample-rate",
    type=click.IntRange(8000, 192_000),
    metavar="HZ",
    help="With --exact: the sample rate of the audio to match (as export's --sample-rate;"
    " lengths differ by a few samples from one rate to another). [default: 44100]",
)
@voice_options
@adapt_options
def preview(
    routine: str,
    format_name: str | None,
    output: Path | None,
    force: bool,
    exact: bool,
    sample_rate: int | None,
    voice: str | None,
    rate: int | None,
    volume: float | None,
    no_cache: bool,
    painful_side: str | None,
    session: str | None,
) -> None:
    """Show a routine's timeline without sound: as text, JSON, subtitles or a handout.

    Speech lengths are estimated from the speaking rate; with --exact they are measured
    from the synthesized speech (the voice options then apply).

    \b
    Example:
      voiceguide preview neck
      voiceguide preview neck --format markdown -o neck-handout.md
      voiceguide preview neck --exact --format srt
      voiceguide preview neck --session 1 --painful-side right
    """
    from voiceguide.compiler import DEFAULT_RATE, EstimatedDurations, compile_routine
    from voiceguide.files import check_target, write_text_atomic
    from voiceguide.formats import SUFFIXES, WRITERS
    from voiceguide.load.routine import load_routine

    if sample_rate is not None and not exact:
        raise click.UsageError("--sample-rate applies to --exact only")
    if format_name is None:
        format_name = SUFFIXES.get(output.suffix.lower(), "text") if output else "text"
    if output is not None:
        check_target(output, force)
    loaded, _ = _adapted(load_routine(routine), routine, painful_side, session)
    if exact:
        options = _voice(voice, rate, volume)
        from voiceguide.pipeline import measured_script, start_engine_if_needed
        from voiceguide.speech.engine import DEFAULT_SAMPLE_RATE

        rate_hz = sample_rate or DEFAULT_SAMPLE_RATE
        start_engine_if_needed(loaded, options, rate_hz, use_cache=not no_cache)
        script, _ = measured_script(loaded, options, rate_hz, use_cache=not no_cache)
    else:
        script = compile_routine(
            loaded, EstimatedDurations(rate or loaded.voice.rate or DEFAULT_RATE)
        )
    for warning in script.warnings:
        click.echo(str(warning), err=True)
    text = WRITERS[format_name](script)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(output, text, force)
        click.echo(f"wrote {output}", err=True)


@cli.command()
def routines() -> None:
    """List the built-in routines: name, length and title.

    \b
    Example:
      voiceguide routines
    """
    from voiceguide.compiler import compile_routine
    from voiceguide.durations import format_length
    from voiceguide.load.routine import builtin_names, load_routine

    for name in builtin_names():
        script = compile_routine(load_routine(name))
        click.echo(f"{name:<16} {format_length(script.duration):>6}  {script.title}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of routine files, for editors to validate and complete them.

    \b
    Example:
      voiceguide schema > routine.schema.json
    """
    from importlib import resources

    click.echo(
        (resources.files("voiceguide") / "schema" / "routine.schema.json").read_text("utf-8"),
        nl=False,
    )


def _default_output(routine: Routine, reference: str) -> Path:
    stem = routine.name or (routine.path.stem if routine.path else Path(reference).stem)
    folder = Path("audio")
    folder.mkdir(exist_ok=True)
    return folder / f"{stem}.mp3"


@cli.command()
@routine_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The audio file; its extension picks the format: .wav .flac .ogg .opus .mp3. "
    "[default: audio/ROUTINE.mp3]",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--subtitles",
    type=click.Choice(["srt", "vtt", "both", "none"]),
    default="srt",
    show_default=True,
    help="Subtitle files to write beside the audio, with the same name.",
)
@click.option(
    "--sample-rate",
    type=click.IntRange(8000, 192_000),
    metavar="HZ",
    help="Sample rate of the guide. [default: 44100; 48000 for .opus]",
)
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
@adapt_options
@click.option(
    "--course",
    "course_folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every session of the routine's course into this folder.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def export(
    routine: str,
    output: Path | None,
    force: bool,
    subtitles: str,
    sample_rate: int | None,
    stereo: bool,
    loudness: float,
    voice: str | None,
    rate: int | None,
    volume: float | None,
    no_cache: bool,
    painful_side: str | None,
    session: str | None,
    course_folder: Path | None,
    quiet: bool,
) -> None:
    """Export a routine as an audio guide with chapters and subtitles.

    One chapter per stage (and per side); title, artist and comment tags; subtitles timed
    to the audio. The guide is normalized to a spoken-word loudness with a true-peak limit.
    Nothing is written unless all of it succeeds, and no file is overwritten without --force.

    \b
    Example:
      voiceguide export neck
      voiceguide export neck -o neck.flac --subtitles both --rate 140
      voiceguide export neck --course guides/ --painful-side left
    """
    from voiceguide.durations import format_length
    from voiceguide.export.writer import audio_format, chapters, sidecar_paths
    from voiceguide.export.writer import export as write_guide
    from voiceguide.files import check_target
    from voiceguide.load.routine import load_routine

    loaded = load_routine(routine)
    if course_folder is not None:
        if output is not None or session is not None:
            raise click.UsageError("--course writes every session: leave out -o and --session")
        if loaded.course is None:
            raise click.BadParameter(
                "this routine has no course of sessions", param_hint="--course"
            )
        course_folder.mkdir(parents=True, exist_ok=True)
        stem = loaded.name or (loaded.path.stem if loaded.path else "guide")
        jobs: list[tuple[str | None, Path]] = [
            (str(n), course_folder / f"{stem}-session-{n:02d}.mp3")
            for n in range(1, loaded.course.sessions + 1)
        ]
    else:
        jobs = [(session, output or _default_output(loaded, routine))]
    for _, target in jobs:
        fmt = audio_format(target)
        for path in [target, *sidecar_paths(target, subtitles)]:
            check_target(path, force)
    from voiceguide.pipeline import prepare, start_engine_if_needed
    from voiceguide.speech.engine import DEFAULT_SAMPLE_RATE

    for job_session, target in jobs:
        adapted, _ = _adapted(loaded, routine, painful_side, job_session)
        fmt = audio_format(target)
        rate_hz = sample_rate or (fmt.rates[0] if fmt.rates else DEFAULT_SAMPLE_RATE)
        options = _voice(voice, rate, volume)
        start_engine_if_needed(adapted, options, rate_hz, use_cache=not no_cache)
        from voiceguide.audio.render import RenderSettings  # numpy, while the engine starts

        settings = RenderSettings(rate_hz, 2 if stereo else 1, loudness)
        with progress_bar("Speech   ", quiet) as speech, progress_bar("Loudness ", quiet) as level:
            guide = prepare(
                adapted,
                options,
                settings,
                use_cache=not no_cache,
                speech_progress=speech,
                level_progress=level,
            )
        for warning in guide.script.warnings:
            click.echo(str(warning), err=True)
        _loudness_note(guide.renderer)
        with progress_bar("Encoding ", quiet) as encoding:
            written = write_guide(
                guide.renderer, target, force=force, subtitles=subtitles, progress=encoding
            )
        if not quiet:
            names = " and ".join(str(p) for p in written)
            click.echo(
                f"wrote {names} ({format_length(guide.script.duration)}, "
                f"{len(chapters(guide.script))} chapters)",
                err=True,
            )


def _loudness_note(renderer: Renderer) -> None:
    """Say so when the guide stays under its loudness target (see Renderer.shortfall)."""
    from voiceguide.audio.render import LIMITER_MAKEUP_DB

    settings = renderer.settings
    if settings.loudness is None or renderer.shortfall < 0.1:
        return
    reached = settings.loudness - renderer.shortfall
    click.echo(
        f"note: the guide is {reached:.1f} LUFS, {renderer.shortfall:.1f} LU under the "
        f"{settings.loudness:g} LUFS asked for: louder, its peaks would be limited by more "
        f"than {LIMITER_MAKEUP_DB:g} dB under the {settings.true_peak:g} dBTP ceiling",
        err=True,
    )


@cli.command()
@click.option("--language", metavar="CODE", help="Only voices for this language, e.g. uk or en-GB.")
def voices(language: str | None) -> None:
    """List the installed voices: id, languages and name.

    \b
    Example:
      voiceguide voices --language uk
    """
    from voiceguide.speech.engine import list_voices

    found = list_voices(language)
    if not found:
        raise ReportedError(f"voiceguide: error: no installed voice speaks {language!r}")
    for info in found:
        click.echo(f"{info.id:<20} {','.join(info.languages):<12} {info.name}")


@cli.group()
def cache() -> None:
    """The cache of synthesized speech clips.

    \b
    Example:
      voiceguide cache info
      voiceguide cache clear
    """


@cache.command("clear")
def cache_clear() -> None:
    """Delete every cached clip.

    \b
    Example:
      voiceguide cache clear
    """
    from voiceguide.speech.engine import ClipCache

    clips = ClipCache()
    removed = clips.clear()
    click.echo(f"removed {removed} clip{'s' * (removed != 1)} from {clips.folder}", err=True)


@cache.command("info")
def cache_info() -> None:
    """Show where the clips are cached, how many and how much space they take.

    \b
    Example:
      voiceguide cache info
    """
    from voiceguide.speech.engine import ClipCache

    clips = ClipCache()
    files = list(clips.folder.glob(f"*{clips.SUFFIX}")) if clips.folder.is_dir() else []
    size = sum(f.stat().st_size for f in files)
    click.echo(f"{clips.folder}\t{len(files)} clips\t{size / 1e6:.1f} MB")


def _find_stage(script: Any, wanted: str) -> Any:
    """The first part of the stage named or numbered ``wanted``."""
    stages = script.stages
    if wanted.isdigit():
        for segment in stages:
            if segment.stage_number == int(wanted):
                return segment
        raise click.BadParameter(
            f"there is no stage {wanted}; the routine has {stages[-1].stage_number}",
            param_hint="--start-at",
        )
    lowered = wanted.casefold()
    for test in (lambda n: n == lowered, lambda n: n.startswith(lowered), lambda n: lowered in n):
        for segment in stages:
            if test(segment.name.casefold()):
                return segment
    names = ", ".join(dict.fromkeys(f"{s.stage_number} {s.name}" for s in stages))
    raise click.BadParameter(
        f"no stage is called {wanted!r}; stages: {names}", param_hint="--start-at"
    )


def _confirm_safety(script: Any, assume_yes: bool) -> None:
    """Show the contraindications; on a terminal, ask that none applies."""
    safety = script.safety
    if not safety.contraindications and not safety.stop_if:
        return
    if safety.contraindications:
        click.echo("Do not do this session if you have any of these:", err=True)
        for item in safety.contraindications:
            click.echo(f"  - {item}", err=True)
    if safety.stop_if:
        click.echo("Stop at once if you feel any of these:", err=True)
        for item in safety.stop_if:
            click.echo(f"  - {item}", err=True)
    if assume_yes or not sys.stdin.isatty() or not safety.contraindications:
        return
    if click.confirm("Does any of these apply to you now?", default=False, err=True):
        raise ReportedError(
            "voiceguide: not now: do not self-massage while any of these applies (with acute "
            "pain or an exacerbation, massage can make it worse); rest, and ask your doctor "
            "or therapist when it is safe to start"
        )


@cli.command()
@routine_argument
@click.option("--start-at", metavar="STAGE", help="Start at this stage: its number or name.")
@click.option("--device", metavar="DEVICE", help="Output device: index or part of its name.")
@click.option(
    "--volume",
    type=click.FloatRange(0.0, 1.0),
    default=1.0,
    show_default=True,
    help="Playback volume from 0 to 1 (+ and - change it while playing).",
)
@click.option("-y", "--yes", is_flag=True, help="Do not ask about the contraindications.")
@click.option("--voice", metavar="ID", help="Voice id (see 'voiceguide voices').")
@click.option("--rate", type=click.IntRange(40, 500), metavar="WPM", help="Speaking rate.")
@click.option("--no-cache", is_flag=True, help="Synthesize every utterance again.")
@adapt_options
def play(
    routine: str,
    start_at: str | None,
    device: str | None,
    volume: float,
    yes: bool,
    voice: str | None,
    rate: int | None,
    no_cache: bool,
    painful_side: str | None,
    session: str | None,
) -> None:
    """Play a routine aloud, hands-free.

    Shows the contraindications first and, on a terminal, asks that none applies. While
    playing: space pauses and resumes (with "get ready" and a countdown), n or → skips
    to the next stage, p or ← restarts the stage (or goes back one), + and - change the
    volume, q quits. Ctrl-C stops at once. The status goes to standard error.

    \b
    Example:
      voiceguide play neck
      voiceguide play neck --start-at 3 --yes
      voiceguide play neck --session auto --painful-side right
    """
    from voiceguide.compiler import compile_routine
    from voiceguide.load.routine import load_routine

    original = load_routine(routine)
    loaded, session_number = _adapted(original, routine, painful_side, session)
    estimated = compile_routine(loaded)
    if start_at is not None:
        _find_stage(estimated, start_at)  # a bad stage fails before any work
    _confirm_safety(estimated, yes)
    from voiceguide.pipeline import VoiceOptions, prepare, start_engine_if_needed
    from voiceguide.speech.engine import DEFAULT_SAMPLE_RATE

    options = VoiceOptions(voice, rate)
    ready = loaded.phrases.get("get_ready", "")
    extra_texts = tuple(t for t in (ready, "3", "2", "1") if t)
    start_engine_if_needed(
        loaded, options, DEFAULT_SAMPLE_RATE, use_cache=not no_cache, extra_texts=extra_texts
    )
    from voiceguide.play import output_for

    output = output_for(device)

    from voiceguide.audio.render import RenderSettings
    from voiceguide.play import play as play_guide
    from voiceguide.play.record import Recorder

    settings = RenderSettings(DEFAULT_SAMPLE_RATE)
    guide = prepare(loaded, options, settings, use_cache=not no_cache, extra_texts=extra_texts)
    script = guide.script
    start = _find_stage(script, start_at).start if start_at is not None else 0.0
    record = Recorder(
        _history_key(original, routine),
        script.title,
        session_number,
        script.duration,
        warn=lambda message: click.echo(message, err=True),
    )
    outcome = play_guide(
        guide,
        start=start,
        volume=volume,
        device=output,
        get_ready_phrase=ready,
        progress=record.progress,
    )
    record.finish(outcome.reason, outcome.seconds, outcome.segment.label)
    from voiceguide.durations import format_clock

    where = f"{outcome.segment.label} at {format_clock(outcome.seconds)}"
    number = outcome.segment.stage_number
    resume = (
        f"voiceguide play {routine} --start-at {number}" if number else f"voiceguide play {routine}"
    )
    if outcome.dropouts:
        caught_up = (
            f" (skipped {outcome.skipped * 1000:.0f} ms of the guide to stay on time)"
            if outcome.skipped
            else ""
        )
        click.echo(
            f"voiceguide: warning: the sound stuttered {outcome.dropouts} time(s){caught_up}: "
            "the machine was too busy; close other programs, or play an exported guide",
            err=True,
        )
    if outcome.reason == "finished":
        click.echo("Session complete. Rest for a few minutes before you get up.", err=True)
    elif outcome.reason == "quit":
        click.echo(f"Stopped: {where}. To go on from there: {resume}", err=True)
    elif outcome.reason == "interrupted":
        click.echo(f"Interrupted: {where}. To go on from there: {resume}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    else:
        raise ReportedError(
            f"voiceguide: error: the audio output stopped working ({where}); "
            f"to go on from there: {resume}"
        )


@cli.command()
@click.argument("routine", required=False, metavar="[ROUTINE]")
def history(routine: str | None) -> None:
    """Show the sessions played and how far each course has got.

    \b
    Example:
      voiceguide history
      voiceguide history neck
    """
    from voiceguide.durations import format_clock
    from voiceguide.history import History
    from voiceguide.load.routine import load_routine

    store = History()
    key = None
    if routine is not None:
        loaded = load_routine(routine)
        key = _history_key(loaded, routine)
    records = store.records(key)
    if not records:
        click.echo("no sessions yet", err=True)
        return
    for r in records:
        when = r.started.replace("T", " ")[:16]
        session = f"session {r.session}" if r.session else "-"
        outcome = r.outcome if r.ended else "stopped (no end recorded)"
        where = "" if r.completed else f" at {format_clock(r.position)} ({r.stage or 'start'})"
        click.echo(f"{when}  {r.title:<40} {session:<11} {outcome}{where}")
    routines = dict.fromkeys(r.routine for r in records)
    for name in routines:
        try:
            course = load_routine(name).course
        except VoiceguideError:
            continue
        if course is None:
            continue
        done = store.completed_sessions(name)
        following = f"; next: session {done + 1}" if done < course.sessions else "; course complete"
        click.echo(f"{name}: {done} of {course.sessions} course sessions done{following}")


@cli.command()
def devices() -> None:
    """List the audio output devices: index, name, host API, channels (* the default).

    \b
    Example:
      voiceguide devices
    """
    from voiceguide.play.devices import NO_DEVICE, output_devices

    found = output_devices()
    if not found:
        raise ReportedError(f"voiceguide: error: {NO_DEVICE}")
    for info in found:
        mark = "*" if info.default else " "
        click.echo(f"{mark} {info.index:>3}  {info.name:<32} {info.host:<12} {info.channels} ch")


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: run the CLI with our exit codes (130 when interrupted).

    Without ``argv`` (the ``voiceguide`` command itself) the process ends here, so the
    garbage collector is told to leave what exists alone: otherwise the interpreter
    walks every object once more on the way out, which took ~50 ms after an export."""
    try:
        _run(argv)
    finally:
        if argv is None:
            import gc

            gc.freeze()


def _run(argv: list[str] | None) -> NoReturn:
    try:
        code = cli.main(args=argv, prog_name="voiceguide", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("\nvoiceguide: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`); nothing left to say
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
