"""voiceguide play."""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING

import click

from voiceguide.adapt import Variant
from voiceguide.cli.group import EXIT_INTERRUPTED, ReportedError, cli, command_name, tell, warn
from voiceguide.cli.params import Device, StageReference, no_cache_option, variant_options
from voiceguide.errors import NoOutputDevice, VoiceguideError
from voiceguide.text import one_line

if TYPE_CHECKING:
    from voiceguide.course_review import Advice


@cli.command()
@click.argument("routine", metavar="ROUTINE")
@click.option("--start-at", type=StageReference(), help="Start at this stage: its number or name.")
@click.option("--device", type=Device(), help="Output device: index or part of its name.")
@click.option(
    "--volume",
    type=click.FloatRange(0.0, 1.0),
    default=1.0,
    show_default=True,
    help="Playback volume from 0 to 1 (+ and - change it while playing).",
)
@click.option(
    "-y",
    "--yes",
    is_flag=True,
    help="Ask nothing: not about the contraindications, nor the pain before and after.",
)
@click.option(
    "--latency",
    type=click.FloatRange(0.02, 1.0),
    metavar="SECONDS",
    help="Sound the device holds [default: 0.1]: more rides out a busier machine, "
    "less makes keys act sooner.",
)
@click.option("--voice", metavar="ID", help="Voice id (see 'voiceguide voices').")
@click.option("--rate", type=click.IntRange(40, 500), metavar="WPM", help="Speaking rate.")
@no_cache_option
@variant_options(auto_session=True)
def play(
    routine: str,
    start_at: str | None,
    device: int | str | None,
    latency: float | None,
    volume: float,
    yes: bool,
    voice: str | None,
    rate: int | None,
    no_cache: bool,
    painful_side: str | None,
    session: int | str | None,
) -> None:
    """Play a routine aloud, hands-free.

    Shows the contraindications first and, on a terminal, asks that none applies, then
    the pain now (0-9, t for 10, Enter skips); after the session the pain again and, from
    the third session of a course, whether things are better, the same or worse since it
    began (b, s, w), with the guidance's advice when they are not better. While
    playing: space pauses and resumes (with "get ready" and a countdown), n or → skips
    to the next stage, p or ← restarts the stage (or goes back one), + and - change the
    volume, q quits. Ctrl-C stops at once (SIGTERM and SIGHUP too). The status goes to
    standard error.

    \b
    Example:
      voiceguide play neck
      voiceguide play neck --start-at 3 --yes
      voiceguide play neck --session auto --painful-side right
    """
    from voiceguide.load import load_routine
    from voiceguide.pipeline import VoiceOptions
    from voiceguide.play.questions import patient_questions
    from voiceguide.play.run import PlayRequest, next_session, play_routine
    from voiceguide.signals import signal_for

    loaded = load_routine(routine)
    number = next_session(loaded, routine) if session == "auto" else session
    variant = Variant(number if isinstance(number, int) else None, painful_side)
    request = PlayRequest(
        routine=loaded,
        reference=routine,
        variant=variant,
        voice=VoiceOptions(voice, rate),
        start_at=start_at,
        device=device,
        latency=latency,
        volume=volume,
        use_cache=not no_cache,
    )
    again = [routine, *_variant_options(variant)]
    again += ["--voice", voice] if voice else []
    again += ["--rate", str(rate)] if rate else []
    try:
        played = play_routine(
            request,
            confirm=lambda *lists: _confirm_safety(*lists, ask=not yes),
            warn=warn,
            questions=None if yes else patient_questions(),
            remind=_show_advice,
        )
    except NoOutputDevice as exc:
        export = _command("export", again)
        raise VoiceguideError(f"{exc}; export the guide instead: {export}") from None
    outcome, where = played.outcome, one_line(played.where)
    stage = outcome.segment.stage_number
    device_option = ["--device", str(device)] if device is not None else []
    device_option += ["--latency", f"{latency:g}"] if latency is not None else []
    resume = _command("play", [*again, *device_option, *(["--start-at", str(stage)] * bool(stage))])
    if outcome.reason == "interrupted":
        click.echo(f"Interrupted: {where}. To go on from there: {resume}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    stopped_by = signal_for(outcome.reason)
    if stopped_by is not None:
        tell(f"Stopped by {stopped_by.name}: {where}. To go on from there: {resume}")
        sys.exit(128 + stopped_by.value)
    if outcome.reason not in ("finished", "quit"):
        raise VoiceguideError(
            f"the audio output stopped working ({where}); to go on from there: {resume}"
        )
    if outcome.reason == "finished":
        click.echo("Session complete. Rest for a few minutes before you get up.", err=True)
    else:
        click.echo(f"Stopped: {where}. To go on from there: {resume}", err=True)
    if played.advice is not None:
        _show_advice(played.advice)


def _show_advice(advice: Advice) -> None:
    """The guidance's advice to stop the course, plainly, a line each part."""
    click.echo("", err=True)
    for line in advice.lines:
        click.echo(line, err=True)


def _variant_options(variant: Variant) -> list[str]:
    options = ["--session", str(variant.session)] if variant.session else []
    return options + (["--painful-side", variant.painful_side] if variant.painful_side else [])


def _command(verb: str, words: list[str]) -> str:
    """A command to run next, as the user invoked this one (quoted for a shell)."""
    return f"{command_name()} {verb} {shlex.join(words)}"


def _confirm_safety(
    contraindications: tuple[str, ...], stop_if: tuple[str, ...], *, ask: bool
) -> None:
    """Show the contraindications; on a terminal (unless ``ask`` is off), ask that none
    applies."""
    if contraindications:
        click.echo("Do not do this session if you have any of these:", err=True)
        for item in contraindications:
            click.echo(f"  - {one_line(item)}", err=True)
    if stop_if:
        click.echo("Stop at once if you feel any of these:", err=True)
        for item in stop_if:
            click.echo(f"  - {one_line(item)}", err=True)
    if not ask or not sys.stdin.isatty() or not contraindications:
        return
    if click.confirm("Does any of these apply to you now?", default=False, err=True):
        raise ReportedError(
            "voiceguide: not now: do not self-massage while any of these applies (with acute "
            "pain or an exacerbation, massage can make it worse); rest, and ask your doctor "
            "or therapist when it is safe to start"
        )
