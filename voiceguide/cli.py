"""The ``voiceguide`` command line.

A thin layer: parse options, call the library, and turn library errors into one-line
messages in one place (:class:`_Group`).  Data goes to stdout; messages to stderr.
Exit codes: 0 success, 1 routine or runtime error, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

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


routine_argument = click.argument("routine", metavar="ROUTINE")


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
    from voiceguide.routine import load_routine

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
def preview(routine: str, format_name: str | None, output: Path | None, force: bool) -> None:
    """Show a routine's timeline without sound: as text, JSON, subtitles or a handout.

    Speech lengths are estimated from the speaking rate.

    \b
    Example:
      voiceguide preview neck
      voiceguide preview neck --format markdown -o neck-handout.md
    """
    from voiceguide.compiler import compile_routine
    from voiceguide.files import write_text_atomic
    from voiceguide.formats import SUFFIXES, WRITERS
    from voiceguide.routine import load_routine

    if format_name is None:
        format_name = SUFFIXES.get(output.suffix.lower(), "text") if output else "text"
    script = compile_routine(load_routine(routine))
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
    from voiceguide.routine import builtin_names, load_routine

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


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: run the CLI with our exit codes (130 when interrupted)."""
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
