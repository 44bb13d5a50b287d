"""Test doubles for every port, shipped with the package, and one way to install them.

    with installed(speech=FakeSpeech(), output=FakeOutput(clock)):
        CliRunner().invoke(cli, ["export", "neck"])

Under :func:`installed`, every command uses the parts given in place of the real ones,
so tests of ``export`` and ``play`` run in-process in milliseconds and can assert exactly
what was said, played and shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from voiceguide.ports import (
    Answers,
    AudioOutput,
    Clock,
    Display,
    Keys,
    Plugs,
    SpeechEngine,
    pop_plugs,
    push_plugs,
)
from voiceguide.testing.answers import FakeAnswers
from voiceguide.testing.play import FakeClock, FakeDisplay, FakeKeys, FakeOutput, FakeSink
from voiceguide.testing.speech import FakeSpeech, FakeSynthesizer


@contextlib.contextmanager
def installed(
    *,
    speech: SpeechEngine | None = None,
    output: AudioOutput | None = None,
    clock: Clock | None = None,
    keys: Keys | None = None,
    display: Display | None = None,
    answers: Answers | None = None,
) -> Iterator[Plugs]:
    """Use these parts instead of the real ones inside the block (None: the real one)."""
    plugs = Plugs(speech, output, clock, keys, display, answers)
    push_plugs(plugs)
    try:
        yield plugs
    finally:
        pop_plugs()


__all__ = [
    "FakeAnswers",
    "FakeClock",
    "FakeDisplay",
    "FakeKeys",
    "FakeOutput",
    "FakeSink",
    "FakeSpeech",
    "FakeSynthesizer",
    "installed",
]
