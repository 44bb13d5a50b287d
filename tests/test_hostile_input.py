"""Routines written to hurt: files that are not files, includes that lead nowhere, YAML
tags, brackets left open. Each gives one line at the place to fix, exits 1, never hangs,
never shows a traceback, and leaves nothing behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import RunCli

HEAD = "voiceguide: 1\ntitle: T\n"
GOOD = HEAD + "stages:\n  - {name: S, duration: 1m}\n"


def _listing(folder: Path) -> list[str]:
    """Every path under ``folder``, hidden ones too, relative to it."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _check_in_a_process(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`voiceguide check` as a user runs it, given 20 s: reading a named pipe would wait
    for a writer for ever."""
    return subprocess.run(
        [sys.executable, "-m", "voiceguide", "check", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


@pytest.fixture
def unix_socket(in_tmp: Path) -> Iterator[Path]:
    """A listening Unix socket named sock.yaml in the working folder."""
    path = in_tmp / "sock.yaml"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    try:
        yield path
    finally:
        server.close()
        path.unlink()


# --------------------------------------------------------------------------- only regular files


def test_a_named_pipe_given_to_check_is_refused_without_waiting(in_tmp: Path) -> None:
    """check of a named pipe says what it is at once, instead of waiting for a writer."""
    os.mkfifo(in_tmp / "fifo.yaml")
    before = _listing(in_tmp)
    process = _check_in_a_process(in_tmp, "fifo.yaml")
    assert process.returncode == 1
    assert process.stderr == (
        "fifo.yaml: error: is a named pipe (FIFO), not a routine file; name a regular .yaml file\n"
    )
    assert process.stdout == ""
    assert _listing(in_tmp) == before


def test_an_included_named_pipe_is_refused_at_the_include(in_tmp: Path) -> None:
    """An include naming a named pipe beside the routine is an error at the include's
    line:col in the including file."""
    os.mkfifo(in_tmp / "pipe.yaml")
    (in_tmp / "r.yaml").write_text(GOOD + "  - include: pipe.yaml\n", "utf-8")
    before = _listing(in_tmp)
    process = _check_in_a_process(in_tmp, "r.yaml")
    assert process.returncode == 1
    assert process.stderr == (
        "r.yaml:5:14: error: include 'pipe.yaml': pipe.yaml in the routine's folder is a named "
        "pipe (FIFO); name a regular routine file\n"
    )
    assert _listing(in_tmp) == before


def test_a_device_is_refused(in_tmp: Path, run_cli: RunCli) -> None:
    """A device (here /dev/null, linked beside the routine) is not a routine file either."""
    (in_tmp / "null.yaml").symlink_to("/dev/null")
    before = _listing(in_tmp)
    result = run_cli("check", "null.yaml")
    assert _listing(in_tmp) == before
    assert result.exit_code == 1
    assert result.stderr == (
        "null.yaml: error: is a device, not a routine file; name a regular .yaml file\n"
    )


def test_an_included_socket_is_refused_at_the_include(
    in_tmp: Path, unix_socket: Path, run_cli: RunCli
) -> None:
    """An include naming a Unix socket is an error at the include."""
    (in_tmp / "r.yaml").write_text(GOOD + "  - include: sock.yaml\n", "utf-8")
    before = _listing(in_tmp)
    result = run_cli("check", "r.yaml")
    assert _listing(in_tmp) == before
    assert result.exit_code == 1
    assert result.stderr == (
        "r.yaml:5:14: error: include 'sock.yaml': sock.yaml in the routine's folder is a "
        "socket; name a regular routine file\n"
    )


# --------------------------------------------------------------------------- includes


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"r.yaml": GOOD + "  - include: parts/missing.yaml\n"},
            "r.yaml:5:14: error: include 'parts/missing.yaml': parts/missing.yaml in the "
            "routine's folder does not exist; check the name and the folder",
            id="missing",
        ),
        pytest.param(
            {"r.yaml": GOOD + "  - include: parts\n", "parts/a.yaml": GOOD},
            "r.yaml:5:14: error: include 'parts': parts in the routine's folder is a folder; "
            "name a .yaml file inside it",
            id="folder",
        ),
        pytest.param(
            {
                "r.yaml": GOOD + "  - include: parts/a.yaml\n",
                "parts/a.yaml": "stages:\n  - include: b.yaml\n",
            },
            "parts/a.yaml:2:14: error: include 'b.yaml': parts/b.yaml in the routine's folder "
            "does not exist; check the name and the folder",
            id="missing-from-an-included-file",
        ),
        pytest.param(
            {"r.yaml": GOOD + '  - include: "a\\0.yaml"\n'},
            "r.yaml:5:14: error: include 'a\\x00.yaml' is not a file name; name a .yaml file",
            id="nul-in-the-name",
        ),
        pytest.param(
            {
                "r.yaml": HEAD
                + "safety: {include: shared.yaml}\nstages: [{name: S, duration: 1m}]\n"
            },
            "r.yaml:3:19: error: include 'shared.yaml': shared.yaml in the routine's folder "
            "does not exist; check the name and the folder",
            id="missing-safety-include",
        ),
        pytest.param(
            {"r.yaml": GOOD + "  - include: big.yaml\n", "big.yaml": "#" * (1 << 20) + "\n"},
            "big.yaml:1:1: error: is larger than 1 MiB, too large to be a routine; split it with include",
            id="too-large",
        ),
    ],
)
def test_an_include_that_cannot_be_read_is_reported_at_the_include(
    in_tmp: Path, run_cli: RunCli, files: dict[str, str], expected: str
) -> None:
    """A missing file, a folder or a name that cannot be a file is reported at the include
    that names it, with the path looked for from the routine's folder; a problem inside the
    included file is reported in it."""
    for name, text in files.items():
        (in_tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (in_tmp / name).write_text(text, "utf-8")
    before = _listing(in_tmp)
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected]
    assert result.stdout == ""
    assert _listing(in_tmp) == before


def test_a_missing_sound_file_and_a_folder_are_reported_at_the_cue(
    in_tmp: Path, run_cli: RunCli
) -> None:
    """A cue sound that is a folder, or not a file name, is reported at its value."""
    (in_tmp / "sounds.wav").mkdir()
    (in_tmp / "r.yaml").write_text(
        HEAD + 'cues: {sounds: {start: sounds.wav, end: "a\\0.wav"}}\n'
        "stages: [{name: S, duration: 1m}]\n",
        "utf-8",
    )
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "r.yaml:3:24: error: sound file 'sounds.wav' is a folder; name a .wav, .flac or .ogg file",
        "r.yaml:3:41: error: sound file 'a\\x00.wav' is not a file name; name a .wav, .flac "
        "or .ogg file",
    ]


# --------------------------------------------------------------------------- YAML tags


def _stage_saying(value: str) -> str:
    return HEAD + f"stages:\n  - name: S\n    duration: 1m\n    say: {value}\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "!!python/object/apply:os.system [touch pwned]",
            "r.yaml:6:10: error: YAML tag '!!python/object/apply:os.system' is not allowed in a "
            "routine; remove it (put the value in quotes if it is text)",
            id="python-object",
        ),
        pytest.param(
            "!!int 3",
            "r.yaml:6:10: error: YAML tag '!!int' is not allowed in a routine; remove it (put "
            "the value in quotes if it is text)",
            id="int",
        ),
        pytest.param(
            "!!str [a, b]",
            "r.yaml:6:10: error: YAML tag '!!str' is not allowed in a routine; remove it (put "
            "the value in quotes if it is text)",
            id="str-on-a-list",
        ),
        pytest.param(
            "!mine Stroke.",
            "r.yaml:6:10: error: YAML tag '!mine' is not allowed in a routine; remove it (put "
            "the value in quotes if it is text)",
            id="local-tag",
        ),
        pytest.param(
            "!<tag:example.com,2024:x> Stroke.",
            "r.yaml:6:10: error: YAML tag 'tag:example.com,2024:x' is not allowed in a routine; "
            "remove it (put the value in quotes if it is text)",
            id="verbatim-tag",
        ),
    ],
)
def test_an_explicit_tag_is_an_error_at_its_position(
    in_tmp: Path, run_cli: RunCli, value: str, expected: str
) -> None:
    """A YAML tag is reported where it is written, and nothing it names is run."""
    (in_tmp / "r.yaml").write_text(_stage_saying(value), "utf-8")
    before = _listing(in_tmp)
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected]
    assert _listing(in_tmp) == before


def test_every_tag_is_reported(in_tmp: Path, run_cli: RunCli) -> None:
    """Several tags give one line each, in file order."""
    (in_tmp / "r.yaml").write_text(
        HEAD + "stages:\n  - !!map {name: S, duration: !!float 60}\n", "utf-8"
    )
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 1
    assert [line.split(" is not")[0] for line in result.stderr.splitlines()] == [
        "r.yaml:4:5: error: YAML tag '!!map'",
        "r.yaml:4:31: error: YAML tag '!!float'",
    ]


def test_a_tag_that_only_says_text_is_allowed(in_tmp: Path, run_cli: RunCli) -> None:
    """!!str and ! on a text change nothing (as quotes would not): the routine is fine."""
    (in_tmp / "r.yaml").write_text(
        HEAD + "stages:\n  - {name: !!str 42, duration: 1m, say: ! Stroke.}\n", "utf-8"
    )
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("r.yaml: ok: 'T', 1 stage")


# --------------------------------------------------------------------------- brackets and quotes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEAD + "stages:\n  - name: S\n    say: [One., Two.\n    duration: 1m\n",
            "r.yaml:5:10: error: '[' is not closed (PyYAML noticed at 6:13: did not find "
            "expected ',' or ']'); close the list with ']'",
            id="bracket",
        ),
        pytest.param(
            HEAD + "stages:\n  - {name: S, duration: 1m\n  - {name: T, duration: 1m}\n",
            "r.yaml:4:5: error: '{' is not closed (PyYAML noticed at 5:5: did not find "
            "expected ',' or '}'); close the mapping with '}'",
            id="brace",
        ),
        pytest.param(
            HEAD + "stages: [{name: S, duration: 1m, say: [One, Two}]\n",
            "r.yaml:3:39: error: '[' is not closed (PyYAML noticed at 3:48: did not find "
            "expected ',' or ']'); close the list with ']'",
            id="bracket-closed-by-a-brace",
        ),
        pytest.param(
            HEAD + "stages: [\n",
            "r.yaml:3:9: error: '[' is not closed (PyYAML noticed at 4:1: did not find "
            "expected node content); close the list with ']'",
            id="bracket-at-the-end",
        ),
        pytest.param(
            "voiceguide: 1\ntitle: 'Neck\nstages:\n  - {name: S, duration: 1m}\n",
            'r.yaml:2:8: error: "\'" is not closed (PyYAML noticed at 5:1: found unexpected end '
            'of stream); end the text with "\'"',
            id="single-quote",
        ),
        pytest.param(
            'voiceguide: 1\ntitle: "Neck\nstages:\n  - {name: S, duration: 1m}\n',
            "r.yaml:2:8: error: '\"' is not closed (PyYAML noticed at 5:1: found unexpected end "
            "of stream); end the text with '\"'",
            id="double-quote",
        ),
        pytest.param(
            HEAD + "stages: [{name: S, duration: 1m, say: [a, b: c: d]}]\n",
            "r.yaml:3:47: error: YAML syntax error: did not find expected ',' or ']' while "
            "parsing a flow sequence; check indentation, colons and quotes",
            id="closed-bracket-with-another-problem",
        ),
    ],
)
def test_an_unclosed_bracket_or_quote_is_reported_where_it_opened(
    in_tmp: Path, run_cli: RunCli, text: str, expected: str
) -> None:
    """A bracket, brace or quote left open is reported where it opened, saying where
    PyYAML noticed; a closed bracket with something else wrong inside is reported where
    the problem is."""
    (in_tmp / "r.yaml").write_text(text, "utf-8")
    before = _listing(in_tmp)
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected]
    assert _listing(in_tmp) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "\x1fvoiceguide: 1\n",
            "r.yaml:1:1: error: character '\\x1f' (U+001F) is not allowed in YAML; remove it",
            id="at-the-start",
        ),
        pytest.param(
            HEAD + "stages: [{name: S, duration: 1m, say: a\x7fb}]\n",
            "r.yaml:3:40: error: character '\\x7f' (U+007F) is not allowed in YAML; remove it",
            id="in-a-text",
        ),
    ],
)
def test_a_control_character_is_one_line_at_its_place(
    in_tmp: Path, run_cli: RunCli, text: str, expected: str
) -> None:
    """A character YAML does not allow is one line at its place (PyYAML's message took
    two lines and named no line)."""
    (in_tmp / "r.yaml").write_text(text, "utf-8")
    before = _listing(in_tmp)
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected]
    assert _listing(in_tmp) == before
