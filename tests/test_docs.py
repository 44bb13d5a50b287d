"""The README documents the tool as it is: every command, and every option of it."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from voiceguide.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
VOICE_OPTIONS = re.search(r"^Voice options .*?(?=\n\n)", README, re.MULTILINE | re.DOTALL)
"""The paragraph on the voice options, which sections refer to as "voice options"."""
assert VOICE_OPTIONS, "the README has no paragraph beginning 'Voice options'"


def _commands() -> list[tuple[str, click.Command]]:
    found = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        else:
            found.append((name, command))
    return found


def _section(name: str) -> str:
    """The README's text from the heading of ``voiceguide NAME`` to the next heading."""
    heading = re.search(rf"^###? .*`voiceguide {re.escape(name)}\b.*$", README, re.MULTILINE)
    assert heading, f"the README has no heading for 'voiceguide {name}'"
    rest = README[heading.end() :]
    following = re.search(r"^#{1,3} ", rest, re.MULTILINE)
    return heading.group(0) + (rest[: following.start()] if following else rest)


@pytest.mark.parametrize(("name", "command"), _commands(), ids=[n for n, _ in _commands()])
def test_every_command_and_option_is_documented(name: str, command: click.Command) -> None:
    section = _section(name)
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            if "--help" in param.opts:
                continue
            where = section
            if "voice options" in section and VOICE_OPTIONS:
                where += VOICE_OPTIONS.group(0)
            assert any(re.search(rf"{o}\b", where) for o in param.opts), (
                f"the README's section on 'voiceguide {name}' does not mention {param.opts[0]}"
            )
