#!/usr/bin/env python3
"""The floor for a click + YAML command-line tool, for ``bench/startup`` to compare with.

A minimal click command that loads a routine file with PyYAML (libyaml's CSafeLoader when
PyYAML has it, as voiceguide uses) and prints one line about it.  Nothing a real tool
could leave out: this is as fast as ``voiceguide preview`` could possibly start.
"""

from __future__ import annotations

import click
import yaml

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]


@click.command()
@click.argument("routine", type=click.Path(exists=True, dir_okay=False))
def main(routine: str) -> None:
    """Print the title and the number of stages of ROUTINE."""
    with open(routine, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=SafeLoader)
    click.echo(f"{data['title']}: {len(data['stages'])} stages")


if __name__ == "__main__":
    main()
