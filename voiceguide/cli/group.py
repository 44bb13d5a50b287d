"""The click group, and the one place where library errors become messages and exit
codes: 0 success, 1 a routine or runtime error (one line per problem), 2 a usage error,
130 interrupted, 128 + N stopped by signal N (143 SIGTERM, 129 SIGHUP). Data goes to
stdout; messages to stderr."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from voiceguide import __version__
from voiceguide.errors import OptionError, RoutineError, VoiceguideError
from voiceguide.signals import Stopped, stopping_on_signals

EXIT_INTERRUPTED = 130
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ReportedError(click.ClickException):
    """A library error, printed as it is (one line per problem, no "Error:" prefix)."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def error_text(exc: VoiceguideError) -> str:
    """How a library error reads on the terminal: a routine's diagnostics one per line,
    anything else as one ``voiceguide: error:`` line."""
    if isinstance(exc, RoutineError):
        return "\n".join(str(d) for d in exc.diagnostics)
    return f"voiceguide: error: {exc}"


def tell(text: str) -> None:
    """A line on standard error, unless that is gone (after SIGHUP, the terminal may
    be)."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        click.echo(text, err=True)


def warn(text: str) -> None:
    tell(f"voiceguide: warning: {text}")


def note(text: str) -> None:
    click.echo(f"note: {text}", err=True)


class _Command(click.Command):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OptionError as exc:  # worded and shown with the usage as click's own
            param = next((p for p in self.params if exc.option in p.opts), None)
            hint = None if param else exc.option
            raise click.BadParameter(str(exc), ctx=ctx, param=param, param_hint=hint) from None


class _Group(click.Group):
    command_class = _Command
    group_class = type

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VoiceguideError as exc:
            raise ReportedError(error_text(exc)) from None


@click.group("voiceguide", cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="voiceguide")
def cli() -> None:
    """Voice-guided massage sessions: check, preview, play and export routines.

    A ROUTINE is a YAML file or the name of a built-in routine (see 'voiceguide routines').

    \b
    Example:
      voiceguide check my-neck.yaml
      voiceguide preview neck
    """


def invoked_as() -> str:
    """The command as the user ran it, for the commands we suggest: ``voiceguide`` when
    that is what the shell finds, else the path typed (``.venv/bin/voiceguide``), or
    ``python3 -m voiceguide``."""
    import os
    import shutil
    from pathlib import Path

    typed = sys.argv[0] if sys.argv and sys.argv[0] else "voiceguide"
    if typed.endswith("__main__.py"):
        return f"{Path(sys.executable).name} -m voiceguide"
    name = Path(typed).name
    found = shutil.which(name)
    if found and os.path.realpath(found) == os.path.realpath(typed):
        return name
    return typed


def command_name() -> str:
    """How the running command was invoked (see :func:`invoked_as`)."""
    return click.get_current_context().find_root().info_name or "voiceguide"


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: run the CLI with our exit codes (130 when interrupted, 128 + N when
    stopped by signal N).

    Without ``argv`` (the ``voiceguide`` command itself) the process ends here, so the
    garbage collector is told to leave what exists alone: otherwise the interpreter
    walks every object once more on the way out."""
    try:
        _run(argv)
    finally:
        if argv is None:
            import gc

            gc.freeze()


def _run(argv: list[str] | None) -> NoReturn:
    try:
        prog = invoked_as() if argv is None else "voiceguide"
        with stopping_on_signals():
            code = cli.main(args=argv, prog_name=prog, standalone_mode=False)
    except Stopped as exc:
        tell(f"voiceguide: stopped by {exc.name}")
        sys.exit(exc.exit_code)
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
