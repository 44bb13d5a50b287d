"""Shared fixtures: a CLI runner, a helper that writes routine files, and the sound
servers the live tests play into."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.pulse import SoundServer
from tests.sound_servers import SERVERS
from voiceguide import compiler
from voiceguide.cli import cli
from voiceguide.model.script import Script

MINIMAL = """\
voiceguide: 1
title: Test routine
stages:
  - name: Stroking
    duration: 1m
    say: Stroke down.
"""


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work inside a temporary folder so diagnostics show short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


WriteRoutine = Callable[..., Path]


@pytest.fixture
def write_routine(in_tmp: Path) -> WriteRoutine:
    """Write ``text`` (dedented) to ``name`` in the temporary folder."""

    def write(text: str, name: str = "routine.yaml") -> Path:
        path = in_tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return Path(name)

    return write


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> RunCli:
    """Invoke the CLI in-process; stdout and stderr are kept apart."""

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden files under tests/data/golden from the current output.",
    )
    parser.addoption(
        "--update-readme",
        action="store_true",
        help="Rewrite the output of the README's console examples from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True, scope="session")
def _private_clip_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the user's clip cache or history: they share a cache for the
    session, and record sessions in a history of their own."""
    import os

    os.environ["VOICEGUIDE_CACHE_DIR"] = str(tmp_path_factory.mktemp("voiceguide-cache"))
    os.environ["VOICEGUIDE_DATA_DIR"] = str(tmp_path_factory.mktemp("voiceguide-data"))


@pytest.fixture
def empty_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clip cache of the test's own, empty (whatever other tests synthesized): lengths
    shown are estimates. Returns the folder the clips go in."""
    root = tmp_path_factory.mktemp("empty-cache")
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(root))
    return root / "clips"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The title of every routine compiled from here on."""
    seen: list[str] = []
    run = compiler._Compiler.run

    def counting(self: compiler._Compiler) -> Script:
        seen.append(self.routine.title)
        return run(self)

    monkeypatch.setattr(compiler._Compiler, "run", counting)
    return seen


@pytest.fixture(scope="module", params=SERVERS)
def pulse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SoundServer]:
    """A sound server of the tests' own, reached with the PulseAudio protocol: each test
    using it runs once on each of :data:`SERVERS`."""
    name: str = request.param
    server = SERVERS[name](tmp_path_factory.mktemp(name))
    yield server
    server.stop()
