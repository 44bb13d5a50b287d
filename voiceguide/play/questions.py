"""The questions before and after a session, for the patient's own record: the pain now
from 0 to 10 (before and after), and from the third session of a course whether things
are better, the same or worse since it began. One key each, on the terminal:

- pain: 0 to 9, or t for 10;
- since the course began: b better, s the same, w worse;
- Enter (or Esc) skips a question; so does Ctrl-D. Ctrl-C stops, as everywhere.

Another key is not taken: the keys are shown again. No question is asked when nobody
can answer (standard input is not a terminal) or with ``play --yes``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from voiceguide.course_review import FEELING_WORDS
from voiceguide.play.terminal import is_a_terminal
from voiceguide.ports import Answers

PAIN_KEYS = {**{str(n): n for n in range(10)}, "t": 10, "T": 10}
"""One key a pain: 0 to 9, and t for ten."""
FEELING_KEYS = {"b": "better", "s": "same", "w": "worse", "B": "better", "S": "same", "W": "worse"}
SKIP_KEYS = frozenset({"\r", "\n", "\x1b"})
"""Enter (as a terminal in raw mode sends it, or a newline) and Esc."""

PAIN_QUESTION = "Pain now, {moment} the session, from 0 (none) to 10 (the worst)"
PAIN_KEYS_HINT = "press 0-9, t for 10, Enter to skip"
FEELING_QUESTION = "Since the course began, are things better, the same or worse"
FEELING_KEYS_HINT = "press b, s or w, Enter to skip"


class TerminalAnswers:
    """Keys pressed on the terminal, one at a time (raw mode while waiting)."""

    @property
    def interactive(self) -> bool:
        return is_a_terminal(sys.stdin)

    def key(self) -> str:
        import click

        return click.getchar()


class Questions:
    """Asks on ``stream`` (standard error), takes the keys from ``answers``."""

    def __init__(self, answers: Answers, stream: TextIO | None = None) -> None:
        self.answers = answers
        self.stream = stream or sys.stderr

    def pain(self, moment: str) -> int | None:
        """The pain now, ``moment`` ("before" or "after") the session; None: skipped."""
        pressed = self._ask(PAIN_QUESTION.format(moment=moment), PAIN_KEYS_HINT, PAIN_KEYS)
        return None if pressed is None else PAIN_KEYS[pressed]

    def feeling(self) -> str | None:
        """'better', 'same' or 'worse' since the course began; None: skipped."""
        pressed = self._ask(FEELING_QUESTION, FEELING_KEYS_HINT, FEELING_KEYS)
        return None if pressed is None else FEELING_KEYS[pressed]

    def _ask(self, question: str, hint: str, keys: Mapping[str, object]) -> str | None:
        """The key of ``keys`` pressed (None: skipped), showing what was taken."""
        self._write(f"{question}? ({hint}) ")
        while True:
            try:
                pressed = self.answers.key()
            except EOFError:
                pressed = ""
            if pressed in keys:
                value = keys[pressed]
                shown = FEELING_WORDS.get(value, value) if isinstance(value, str) else value
                self._write(f"{shown}\n")
                return pressed
            if pressed == "" or pressed in SKIP_KEYS:
                self._write("skipped\n")
                return None
            self._write(f"\n  {hint}: ")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def patient_questions() -> Questions | None:
    """The questions, when someone can answer them: the installed answers (see
    :func:`voiceguide.testing.installed`), else the terminal's; None when standard input
    is not a terminal."""
    from voiceguide.ports import plugged

    answers = plugged().answers or TerminalAnswers()
    return Questions(answers) if answers.interactive else None


__all__ = ["FEELING_KEYS", "PAIN_KEYS", "Questions", "TerminalAnswers", "patient_questions"]
