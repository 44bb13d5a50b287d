"""The ``voiceguide`` command line: parse options, call the library, report.

:mod:`voiceguide.cli.group` holds the group and the one place where errors become
messages and exit codes; each command family is a module of its own.
"""

from voiceguide.cli import check, export, history, library, play, preview  # noqa: F401
from voiceguide.cli.group import cli, main

__all__ = ["cli", "main"]
