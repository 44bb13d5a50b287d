"""Option types and the options several commands share, each defined once."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from voiceguide.adapt import PAINFUL_SIDES
from voiceguide.audio.rates import sample_rate_problem
from voiceguide.variants import NO_SIDE

F = TypeVar("F", bound=Callable[..., Any])


class SampleRate(click.ParamType[int]):
    """A sample rate in Hz that a guide can be made at."""

    name = "HZ"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            rate = value
        else:
            text = str(value).strip().lower().removesuffix("hz").strip()
            try:
                rate = int(text)
            except ValueError:
                self.fail(f"{value!r} is not a sample rate in Hz, such as 44100", param, ctx)
        problem = sample_rate_problem(rate)
        if problem:
            self.fail(problem, param, ctx)
        return rate


class Session(click.ParamType[int | str]):
    """A session of the routine's course: its number (from 1), or with ``auto`` allowed,
    'auto' for the next one. Whether the course has it is checked with the routine."""

    name = "N"

    def __init__(self, allow_auto: bool = False) -> None:
        self.allow_auto = allow_auto

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | str:
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            number = int(value)
            if number >= 1:
                return number
        if self.allow_auto and value == "auto":
            return "auto"
        wanted = "a session number (1, 2, …)" + (" or 'auto'" if self.allow_auto else "")
        return self.fail(f"{value!r} is not {wanted}", param, ctx)


class StageReference(click.ParamType[str]):
    """A stage by its number or (part of) its name; matched against the routine later."""

    name = "STAGE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not text:
            self.fail("give a stage's number or name", param, ctx)
        return text


class Device(click.ParamType[int | str]):
    """An output device: its index, or part of its name."""

    name = "DEVICE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | str:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if not text:
            self.fail("give a device's index or part of its name", param, ctx)
        return int(text) if text.isdigit() else text


def _apply(command: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        command = option(command)
    return command


def voice_options(command: F) -> F:
    """--voice, --rate, --volume and --no-cache, shared by the commands that speak."""
    return _apply(
        command,
        [
            click.option(
                "--voice",
                metavar="ID",
                help="Voice id (see 'voiceguide voices'). [default: the routine's, else the "
                "first voice for its language]",
            ),
            click.option(
                "--rate",
                type=click.IntRange(40, 500),
                metavar="WPM",
                help="Speaking rate in words per minute. [default: the routine's, else 150]",
            ),
            click.option(
                "--volume",
                type=click.FloatRange(0.0, 1.0),
                help="Speech volume from 0 to 1. [default: the routine's, else 1]",
            ),
            no_cache_option,
        ],
    )


no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Synthesize every utterance again; do not use the clip cache.",
)


def variant_options(*, auto_session: bool = False, no_side: bool = False) -> Callable[[F], F]:
    """--painful-side and --session, shared by check, play, export and preview; with
    ``no_side``, --painful-side also takes 'none' (check: only the variants without one)."""

    def decorate(command: F) -> F:
        return _apply(
            command,
            [
                click.option(
                    "--painful-side",
                    type=click.Choice((*PAINFUL_SIDES, NO_SIDE) if no_side else PAINFUL_SIDES),
                    help="The side that hurts: the healthy side comes first, the painful one "
                    "gently" + (f" ('{NO_SIDE}': neither)." if no_side else "."),
                ),
                click.option(
                    "--session",
                    type=Session(allow_auto=auto_session),
                    help="Session N of the routine's course"
                    + (" ('auto': the next one)." if auto_session else "."),
                ),
            ],
        )

    return decorate


def sample_rate_option(help_text: str) -> Callable[[F], F]:
    return click.option("--sample-rate", type=SampleRate(), help=help_text)


@contextlib.contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on stderr, or None when quiet or not a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr, show_eta=True) as bar:
        shown = 0

        def update(done: int, total: int) -> None:
            nonlocal shown
            bar.length = max(total, 1)
            bar.update(done - shown)
            shown = done

        yield update
