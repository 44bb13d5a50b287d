"""The README's command examples are the tool's own output.

An example is a ```console block: each ``$ voiceguide ...`` line is run, and the lines
after it, up to a blank line before the next ``$`` or the end of the block, are what it
prints (standard output and standard error, as on a terminal). A command may end with
``| head -n N``: the first N lines of its standard output, after what it wrote to
standard error. Commands run in-process, from the repository's folder, with the fakes of
voiceguide.testing, an empty clip cache and an empty history, so lengths are estimates
("about"). Blocks fenced otherwise (```sh, ```text) are not run: use them for commands
that need the real speech engine or a sound card.

After a deliberate change, rewrite the outputs with
``.venv/bin/pytest tests/test_readme_examples.py --update-readme`` and review the diff.
"""

from __future__ import annotations

import difflib
import re
import shlex
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.testing import FakeClock, FakeOutput, FakeSpeech, installed

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)
PROMPT = "$ "


class Example(NamedTuple):
    command: str
    """As typed after the prompt, e.g. ``voiceguide preview neck | head -n 5``."""
    output: str
    """What the README shows it prints, without a trailing newline."""


def parse_block(block: str) -> list[Example]:
    """The examples in a console block's text."""
    examples: list[Example] = []
    command: str | None = None
    lines: list[str] = []
    for line in block.splitlines():
        if line.startswith(PROMPT):
            if command is not None:
                examples.append(Example(command, "\n".join(lines).rstrip("\n")))
            command, lines = line.removeprefix(PROMPT), []
        elif command is None:
            raise ValueError(f"a console block must begin with a '$ ' command, not {line!r}")
        else:
            lines.append(line)
    if command is not None:
        examples.append(Example(command, "\n".join(lines).rstrip("\n")))
    return examples


def format_block(examples: list[Example]) -> str:
    """A console block's text: each command and its output, a blank line between."""
    shown = (f"{PROMPT}{e.command}\n{e.output}".rstrip("\n") for e in examples)
    return "\n\n".join(shown) + "\n"


def run(command: str) -> str:
    """What ``command`` prints on a terminal, run in-process."""
    words = shlex.split(command)
    head: int | None = None
    if "|" in words:
        at = words.index("|")
        words, piped = words[:at], words[at + 1 :]
        head = _head_lines(piped, command)
    if not words or words[0] != "voiceguide":
        raise ValueError(f"an example runs voiceguide, not {command!r}")
    result = CliRunner().invoke(cli, words[1:], prog_name="voiceguide", catch_exceptions=False)
    if head is None:
        return result.output.rstrip("\n")
    shown = result.stdout.splitlines()[:head]
    return (result.stderr + "\n".join(shown)).rstrip("\n")


def _head_lines(piped: list[str], command: str) -> int:
    if len(piped) == 3 and piped[:2] == ["head", "-n"] and piped[2].isdigit():
        return int(piped[2])
    if len(piped) == 2 and piped[0] == "head" and piped[1][1:].isdigit():
        return int(piped[1][1:])
    raise ValueError(f"an example may be piped into 'head -n N' only: {command!r}")


@pytest.fixture
def as_a_new_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The repository's folder, an empty clip cache and history, and the fakes."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_the_readme_has_examples() -> None:
    """The README has console examples, among them the quick look."""
    commands = [e.command for b in BLOCK.findall(README.read_text("utf-8")) for e in parse_block(b)]
    assert "voiceguide routines" in commands
    assert len(commands) >= 4


def test_readme_examples_are_the_tools_output(
    as_a_new_user: None, request: pytest.FixtureRequest
) -> None:
    """Each console example in the README prints exactly what the README shows."""
    text = README.read_text("utf-8")
    update = bool(request.config.getoption("--update-readme"))
    differences: list[str] = []
    with installed(speech=FakeSpeech(), output=FakeOutput(FakeClock())):

        def checked(match: re.Match[str]) -> str:
            examples = parse_block(match.group(1))
            actual = [Example(e.command, run(e.command)) for e in examples]
            for shown, printed in zip(examples, actual, strict=True):
                if shown.output != printed.output:
                    diff = difflib.unified_diff(
                        shown.output.splitlines(),
                        printed.output.splitlines(),
                        "README",
                        "voiceguide",
                        lineterm="",
                    )
                    differences.append(f"$ {shown.command}\n" + "\n".join(diff))
            return f"```console\n{format_block(actual)}```"

        updated = BLOCK.sub(checked, text)
    if update:
        README.write_text(updated, encoding="utf-8")
        return
    assert not differences, (
        "the README's examples differ from what the tool prints (rewrite them with "
        "--update-readme):\n\n" + "\n\n".join(differences)
    )


def test_a_console_block_reads_back_as_written() -> None:
    """Commands and their outputs, blank lines inside an output kept, read from a block
    and written back unchanged; a pipe into anything but head is refused."""
    block = "$ voiceguide routines\na\n\nb\n\n$ voiceguide check x | head -n 2\nc\n"
    examples = parse_block(block)
    assert examples == [
        Example("voiceguide routines", "a\n\nb"),
        Example("voiceguide check x | head -n 2", "c"),
    ]
    assert format_block(examples) == block
    with pytest.raises(ValueError, match="'head -n N' only"):
        run("voiceguide routines | grep neck")
    with pytest.raises(ValueError, match="must begin with a"):
        parse_block("output first\n$ voiceguide routines\n")
