"""The command line: help, version, preview output, exit codes and file safety."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MINIMAL, RunCli
from voiceguide.cli import cli


def test_version(run_cli: RunCli) -> None:
    """--version prints the package version."""
    from voiceguide import __version__

    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"voiceguide, version {__version__}\n"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(run_cli: RunCli, command: str) -> None:
    """-h works on every command and its help shows an example."""
    result = run_cli(command, "-h")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"voiceguide {command}" in result.stdout


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m voiceguide` is the same program."""
    process = subprocess.run(
        [sys.executable, "-m", "voiceguide", "routines"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0
    assert "neck " in process.stdout


def test_usage_error_exits_2(run_cli: RunCli) -> None:
    """A bad option is a usage error: exit 2."""
    result = run_cli("preview", "neck", "--format", "pdf")
    assert result.exit_code == 2
    assert "'pdf' is not one of" in result.stderr


def test_routines_lists_builtins_with_duration(run_cli: RunCli, empty_cache: Path) -> None:
    """`routines` prints name, length and title of each built-in routine; with nothing
    in the clip cache the length is an estimate, shown as one."""
    result = run_cli("routines")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    found = re.fullmatch(r"(\S+) +about (\d+):(\d\d)  (.+)", lines["neck"])
    assert found, lines["neck"]
    name, minutes, seconds, title = found.groups()
    assert (name, title) == ("neck", "Neck self-massage")
    assert 10 * 60 <= int(minutes) * 60 + int(seconds) <= 15 * 60


def test_preview_text_goes_to_stdout(run_cli: RunCli, empty_cache: Path) -> None:
    """Data on stdout, nothing on stderr for a routine without warnings."""
    result = run_cli("preview", "neck")
    assert result.exit_code == 0
    assert re.fullmatch(r"Neck self-massage \(about 1\d:\d\d\)", result.stdout.splitlines()[0])
    assert result.stderr == ""


def test_preview_format_follows_the_output_extension(in_tmp: Path, run_cli: RunCli) -> None:
    """-o x.json writes JSON without --format; a message on stderr says where."""
    result = run_cli("preview", "neck", "-o", "neck.json")
    assert result.exit_code == 0
    assert result.stderr == "wrote neck.json\n"
    data = json.loads((in_tmp / "neck.json").read_text(encoding="utf-8"))
    assert data["title"] == "Neck self-massage"


def test_preview_never_overwrites_without_force(in_tmp: Path, run_cli: RunCli) -> None:
    """An existing output file is kept unless --force is given."""
    target = in_tmp / "out.txt"
    target.write_text("precious", encoding="utf-8")
    refused = run_cli("preview", "neck", "-o", "out.txt")
    assert refused.exit_code == 1
    assert (
        refused.stderr == "voiceguide: error: out.txt already exists; use --force to overwrite it\n"
    )
    assert target.read_text(encoding="utf-8") == "precious"
    forced = run_cli("preview", "neck", "-o", "out.txt", "--force")
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("Neck self-massage")
    assert sorted(p.name for p in in_tmp.iterdir()) == ["out.txt"]  # no temporary file left


def test_preview_of_a_broken_routine_writes_nothing(
    write_routine: object, in_tmp: Path, run_cli: RunCli
) -> None:
    """A routine error exits 1 and leaves no output file behind."""
    (in_tmp / "bad.yaml").write_text("voiceguide: 1\ntitle: T\n", encoding="utf-8")
    result = run_cli("preview", "bad.yaml", "-o", "out.md")
    assert result.exit_code == 1
    assert (
        result.stderr == "bad.yaml:1:1: error: missing 'stages'; list the stages of the session\n"
    )
    assert not (in_tmp / "out.md").exists()


def test_preview_into_a_missing_folder_is_a_clear_error(in_tmp: Path, run_cli: RunCli) -> None:
    """Writing into a folder that does not exist says so."""
    result = run_cli("preview", "neck", "-o", "nowhere/out.txt")
    assert result.exit_code == 1
    assert result.stderr == "voiceguide: error: folder nowhere does not exist\n"


def test_check_summary_line(
    write_routine: object, in_tmp: Path, run_cli: RunCli, empty_cache: Path
) -> None:
    """A good routine gets one summary line: title, stages and total length (an estimate
    with nothing in the clip cache)."""
    (in_tmp / "ok.yaml").write_text(MINIMAL, encoding="utf-8")
    result = run_cli("check", "ok.yaml")
    assert result.exit_code == 0
    assert re.fullmatch(r"ok.yaml: ok: 'Test routine', 1 stage, about 1:\d\d\n", result.stdout)


def test_interrupt_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C anywhere in a command exits 130 with a short message, no traceback."""
    from voiceguide import cli as cli_module
    from voiceguide import load

    def interrupted(_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(load, "load_routine", interrupted)
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main(["preview", "neck"])
    assert exit_info.value.code == 130
    assert capsys.readouterr().err.strip() == "voiceguide: interrupted"


def test_broken_pipe_is_quiet() -> None:
    """Piping a preview into a command that stops reading early is not an error."""
    process = subprocess.run(
        f"{sys.executable} -m voiceguide preview neck --format json | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.stdout == '{\n  "forma'
    assert process.stderr == ""


def test_preview_sample_rate_needs_exact(run_cli: RunCli) -> None:
    """--sample-rate only means something for a measured timeline: a usage error alone."""
    result = run_cli("preview", "neck", "--sample-rate", "48000")
    assert result.exit_code == 2
    assert "--sample-rate applies to --exact only" in result.stderr
