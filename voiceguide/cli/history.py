"""voiceguide history."""

from __future__ import annotations

import click

from voiceguide.cli.group import cli


@cli.command()
@click.argument("routine", required=False, metavar="[ROUTINE]")
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table to read; csv or json: every session with all that is kept of it.",
)
def history(routine: str | None, format_name: str) -> None:
    """Show the sessions played, the pain before and after, and how each course goes.

    \b
    Example:
      voiceguide history
      voiceguide history neck
      voiceguide history neck --format csv > neck-record.csv
    """
    from voiceguide.history import History, routine_key
    from voiceguide.history_report import as_csv, as_json, summary, table
    from voiceguide.load import load_routine

    store = History()
    key = routine_key(load_routine(routine), routine) if routine is not None else None
    records = store.records(key)
    if format_name == "csv":
        click.echo(as_csv(records), nl=False)
    elif format_name == "json":
        click.echo(as_json(records), nl=False)
    elif not records:
        click.echo("no sessions yet", err=True)
    else:
        click.echo(table(records))
        lines = summary(store, records)
        if lines:
            click.echo("\n" + "\n".join(lines))
