"""Keys and the status display of a playing session."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from voiceguide.play.terminal import Display, Status, parse_keys


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def status(index: int = 1, label: str = "Rubbing (left)", paused: bool = False) -> Status:
    return Status(index, label, 42.0, 300.0, 0.5, "Kneading", paused, 0.8)


def test_keys_and_arrows_become_commands() -> None:
    """Letters, space and arrow escape sequences map to commands; others are ignored."""
    assert parse_keys(" n\x1b[Cp\x1b[D+-=_qx") == [
        "pause", "next", "next", "previous", "previous",
        "louder", "quieter", "louder", "quieter", "quit",
    ]  # fmt: skip


def test_plain_lines_when_not_a_terminal() -> None:
    """Without a terminal: one plain line each time the stage changes, nothing else."""
    out = io.StringIO()
    display = Display(out)
    display.status(status(1))
    display.status(status(1))
    display.status(status(2, "Rubbing (right)"))
    assert out.getvalue() == "05:00 left · Rubbing (left)\n05:00 left · Rubbing (right)\n"


def test_live_status_line_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal: one line rewritten in place, with stage, times, bar, next, volume."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = FakeTerminal()
    display = Display(out)
    display.status(status())
    text = out.getvalue()
    assert text.startswith("\r\x1b[2K▶ \x1b[1mRubbing (left)\x1b[22m 00:42 · session 05:00 ")
    assert "[##########----------]" in text
    assert text.endswith(" · next: Kneading · vol 80%")
    display.status(status(paused=True))
    assert "‖ \x1b[1mRubbing (left)\x1b[22m paused: press space to go on" in out.getvalue()


def test_pausing_on_a_terminal_leaves_no_lines_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pause and resume on a terminal change the status line in place: no "paused" or
    "go on" line stays on screen once the guide goes on."""
    monkeypatch.setenv("NO_COLOR", "1")
    out = FakeTerminal()
    display = Display(out)
    for paused in (False, True, False):
        display.status(status(paused=paused))
    written = out.getvalue()
    assert "\n" not in written
    assert written.rsplit("\r\x1b[2K", 1)[-1].startswith("▶ Rubbing (left) 00:42")


def test_pausing_in_plain_lines_says_so_once() -> None:
    """Not on a terminal, pausing and going on are each one line, said once."""
    out = io.StringIO()
    display = Display(out)
    for paused in (False, True, True, False, False):
        display.status(status(paused=paused))
    lines = out.getvalue().splitlines()
    assert lines[1:] == ["paused: press space to go on", "go on"]


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR: the same line without escape codes for bold."""
    monkeypatch.setenv("NO_COLOR", "1")
    out = FakeTerminal()
    Display(out).status(status())
    assert "\x1b[1m" not in out.getvalue()
    assert "▶ Rubbing (left) 00:42" in out.getvalue()


def test_messages_clear_the_status_line() -> None:
    """A message on a terminal first clears the status line, then stands on its own."""
    out = FakeTerminal()
    display = Display(out)
    display.status(status())
    display.message("paused")
    assert out.getvalue().endswith("\r\x1b[2Kpaused\n")


def test_the_course_session_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session of a course says which, on the live line and on the plain lines."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    course = replace(status(), course="session 3 of 10")
    live = FakeTerminal()
    Display(live).status(course)
    assert live.getvalue().startswith("\r\x1b[2K▶ session 3 of 10 · \x1b[1mRubbing (left)")
    plain = io.StringIO()
    Display(plain).status(course)
    assert plain.getvalue() == "session 3 of 10 · 05:00 left · Rubbing (left)\n"
