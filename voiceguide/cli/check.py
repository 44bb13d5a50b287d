"""voiceguide check."""

from __future__ import annotations

import sys

import click

from voiceguide.cli.group import cli


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
    from voiceguide.pipeline import check_routine

    failed = False
    for reference in routines:
        report = check_routine(reference)
        for diagnostic in report.diagnostics:
            click.echo(str(diagnostic), err=True)
        if report.summary is None or (strict and report.diagnostics):
            failed = True
        else:
            click.echo(f"{reference}: ok: {report.summary}")
    if failed:
        sys.exit(1)
