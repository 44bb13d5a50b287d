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


__all__ = ["one_line"]
