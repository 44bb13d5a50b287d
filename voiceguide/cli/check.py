"""voiceguide check."""

from __future__ import annotations

import sys

import click

from voiceguide.cli.group import cli
from voiceguide.cli.params import variant_options


@cli.command()
@click.argument("routines", nargs=-1, required=True, metavar="ROUTINE...")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@variant_options(no_side=True)
def check(
    routines: tuple[str, ...], strict: bool, painful_side: str | None, session: int | None
) -> None:
    """Check routines in every variant a patient can hear, and report every problem, one
    line each.

    Every variant is compiled: the routine as written and each session of its course,
    each with no painful side and with each side its stages are done on (--session and
    --painful-side narrow this). Each problem is printed once, as FILE:LINE:COL:
    error|warning: message, naming the variants it occurs in unless it occurs in all.
    Exits 1 when any routine has an error (or, with --strict, a warning).

    \b
    Example:
      voiceguide check neck my-routine.yaml --strict
      voiceguide check neck --session 1 --painful-side left
    """
    from voiceguide.checking import check_routine

    failed = False
    for reference in routines:
        report = check_routine(reference, session, painful_side)
        for diagnostic in report.diagnostics:
            click.echo(str(diagnostic), err=True)
        if report.summary is None or (strict and report.diagnostics):
            failed = True
        else:
            click.echo(f"{reference}: ok: {report.summary}")
    if failed:
        sys.exit(1)
