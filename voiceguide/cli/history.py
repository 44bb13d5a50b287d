"""voiceguide history."""

from __future__ import annotations

import click

from voiceguide.cli.group import cli


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
    from voiceguide.history import History, course_progress, routine_key
    from voiceguide.load import load_routine

    store = History()
    key = routine_key(load_routine(routine), routine) if routine is not None else None
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
    for line in course_progress(store, records):
        click.echo(line)
