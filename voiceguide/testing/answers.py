"""A patient who answers the questions before and after a session with scripted keys.

answers = FakeAnswers(["6", "3", "w"])  # pain before, pain after, worse
with installed(speech=FakeSpeech(), ..., answers=answers):
    CliRunner().invoke(cli, ["play", "neck", "--session", "3"])
answers.read  # the keys the questions took, in order
"""

from __future__ import annotations

from collections.abc import Iterable

ENTER = "\r"


class FakeAnswers:
    """An :class:`~voiceguide.ports.Answers` pressing ``keys`` in order, then Enter (skip)
    for every question after them. :attr:`read` is every key a question took, so a test
    sees how many questions were asked; with ``interactive`` off, as when standard input
    is not a terminal, none should be."""

    def __init__(self, keys: Iterable[str] = (), *, interactive: bool = True) -> None:
        self.keys = list(keys)
        self._interactive = interactive
        self.read: list[str] = []

    @property
    def interactive(self) -> bool:
        return self._interactive

    def key(self) -> str:
        pressed = self.keys.pop(0) if self.keys else ENTER
        self.read.append(pressed)
        return pressed


__all__ = ["ENTER", "FakeAnswers"]
