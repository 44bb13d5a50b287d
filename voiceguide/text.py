"""A routine's words as line-oriented output shows them: subtitles, the text preview, the
handout's table, chapter titles, the terminal.

A text from a routine may hold line breaks (a YAML block, ``"\\n"`` in a quoted string)
and other control characters (``"\\a"``, ``"\\b"``, ``"\\0"``, ``"\\e"``). Written as they
are, a blank line ends a subtitle cue and the lines after it make cues of their own,
and the terminal rings, moves its cursor back or takes an escape sequence. Every writer
that puts a routine's text on a line passes it through :func:`one_line`.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
"""Control characters (C0, DEL, C1) that neither break a line nor space words."""

_STRAY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
"""Control characters a text has no use for: all but tab, line feed, carriage return
and next line."""


def one_line(text: str) -> str:
    """``text`` on one line: each run of white space holding a line break (``\\n``,
    ``\\r``, ``\\v``, ``\\f``, the separators U+001C–U+001E, U+0085, U+2028, U+2029)
    becomes one space, a tab a space, and other control characters are dropped; the
    ends are stripped. Every other character (Cyrillic, Latvian diacritics, …) is kept,
    and so is the spacing inside a line."""
    if text.isprintable():
        return text.strip()
    lines = _CONTROL.sub("", text).splitlines()
    return " ".join(part for line in lines if (part := line.strip())).replace("\t", " ")


_ESCAPES = {0x00: "\\0", 0x07: "\\a", 0x08: "\\b", 0x0B: "\\v", 0x0C: "\\f", 0x1B: "\\e"}


def stray_control(text: str) -> str | None:
    """The first control character of ``text`` other than a tab or a line break, as a
    message names it (``U+0007 (\\a in double quotes) at character 6``); None when
    there is none."""
    found = _STRAY.search(text)
    if found is None:
        return None
    code = ord(found.group())
    escape = _ESCAPES.get(code, f"\\x{code:02x}")
    return f"U+{code:04X} ({escape} in double quotes) at character {found.start() + 1}"


__all__ = ["one_line", "stray_control"]
