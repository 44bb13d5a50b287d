"""Reading a routine file safely into YAML nodes that remember where they came from.

Everything here turns bad input into :class:`~voiceguide.errors.Diagnostic` lines with a
file:line:column and a fix, never a traceback: unreadable files, encodings, NUL bytes,
tabs, YAML syntax errors, recursion, alias bombs and absurd nesting.  Only PyYAML's safe
loader is used.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from voiceguide.errors import (
    Diagnostic,
    Position,
    RoutineError,
    Severity,
    display_path,
    one_line,
)
from voiceguide.load.syntax import character_error, syntax_error
from voiceguide.model.record import Record

try:  # libyaml is much faster; the pure-Python loader behaves the same.
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 40
MAX_EXPANDED_NODES = 1_000_000


class Source(Record):
    """A routine file's text and its composed YAML root node."""

    path: Path
    label: str
    text: str
    root: yaml.Node

    def position(self, node: yaml.Node) -> Position:
        return position_of(self.label, node)


def position_of(label: str, node: yaml.Node) -> Position:
    mark = node.start_mark
    return Position(label, mark.line + 1, mark.column + 1)


def _error(label: str, message: str, line: int | None = None, column: int = 1) -> RoutineError:
    position = Position(label, line, column) if line is not None else Position(label)
    return RoutineError([Diagnostic(Severity.ERROR, message, position)])


def _line_col(data: bytes | str, offset: int) -> tuple[int, int]:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    before = data[:offset]
    line = before.count(newline) + 1  # type: ignore[arg-type]
    start = before.rfind(newline) + 1  # type: ignore[arg-type]
    return line, offset - start + 1


def resolved(folder: Path, relative: str) -> Path | None:
    """The absolute path ``relative`` names from ``folder``, links followed; None when it
    cannot name a file (a NUL character, a name too long)."""
    try:
        return (folder / relative).resolve()
    except (OSError, ValueError):
        return None


def not_a_regular_file(mode: int) -> str | None:
    """What a file of ``mode`` is when it is not a regular file (a folder, a named pipe,
    a device, a socket), as in "is a folder"; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a routine file without even opening it ("does not
    exist", "is a folder", "is a named pipe (FIFO)", ...), or None when it is a regular
    file. Opening a named pipe or a device could wait for ever, so nothing else is read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    kind = not_a_regular_file(mode)
    return None if kind is None else f"is {kind}"


class _NotARegularFile(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _read_regular_file(path: Path) -> bytes:
    """The first ``MAX_FILE_BYTES + 1`` bytes of a regular file. Opened without waiting,
    and checked again once open, so a named pipe put in its place is refused too."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        kind = not_a_regular_file(os.fstat(fd).st_mode)
        if kind is not None:
            raise _NotARegularFile(kind)
        return handle.read(MAX_FILE_BYTES + 1)


def read_source(path: Path, label: str | None = None) -> Source:
    """Read and compose a routine file, or raise :class:`RoutineError` saying what is wrong."""
    label = label or display_path(path)
    problem = file_problem(path)
    if problem == "does not exist":
        raise _error(
            label,
            "no such file; check the path, or run 'voiceguide routines' for the built-in names",
        )
    if problem == "is a folder":
        raise _error(label, "is a folder, not a routine file; name a .yaml file inside it")
    if problem is not None and problem.startswith("is "):
        raise _error(label, f"{problem}, not a routine file; name a regular .yaml file")
    if problem is not None:
        raise _error(label, problem)
    try:
        data = _read_regular_file(path)
    except _NotARegularFile as exc:
        raise _error(
            label, f"is {exc.kind}, not a routine file; name a regular .yaml file"
        ) from None
    except OSError as exc:
        raise _error(label, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _error(
            label, "is larger than 1 MiB, too large to be a routine; split it with include", 1
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_col(data, nul)
        raise _error(
            label,
            "contains a NUL byte: this looks like a binary file, not a YAML routine",
            line,
            column,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_col(data, exc.start)
        raise _error(
            label,
            f"is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            line,
            column,
        ) from None
    text = text.removeprefix("\ufeff")
    return parse_source(text, path, label)


def parse_source(text: str, path: Path, label: str) -> Source:
    """Compose YAML text into nodes, checking what PyYAML would report badly or not at all."""
    meaningful = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not meaningful or all(ln.strip() in {"---", "..."} for ln in meaningful):
        raise _error(label, "is empty; a routine starts with 'voiceguide: 1' and a title", 1)
    diagnostics = _tab_indentation(text, label)
    if diagnostics:
        raise RoutineError(diagnostics)
    try:
        tags = _check_structure(text, label)
        if tags:
            raise RoutineError(tags)
        root = yaml.compose(text, Loader=SafeLoader)
    except _StructureError as exc:
        raise _error(label, exc.message, exc.line, exc.column) from None
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(exc, text, label) from None
    except yaml.reader.ReaderError as exc:
        raise character_error(exc, text, label) from None
    except yaml.YAMLError as exc:
        raise _error(label, f"invalid YAML: {one_line(exc)}", 1) from None
    if root is None:
        raise _error(label, "is empty; a routine starts with 'voiceguide: 1' and a title", 1)
    return Source(path, label, text, root)


def _tab_indentation(text: str, label: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            found.append(
                Diagnostic(
                    Severity.ERROR,
                    "tab character in indentation; YAML indents with spaces only",
                    Position(label, number, indent.index("\t") + 1),
                )
            )
    return found


class _StructureError(Exception):
    """A problem found while walking the event stream, at a 0-based line and column."""

    def __init__(self, message: str, mark: object) -> None:
        super().__init__(message)
        self.message = message
        self.line = int(getattr(mark, "line", 0)) + 1
        self.column = int(getattr(mark, "column", 0)) + 1


ALLOWED_TAGS = ("tag:yaml.org,2002:str", "!")
"""The explicit tags a text may carry, as they change nothing: ``!!str`` and ``!`` make
a value text, as quotes do."""


def _tag_problem(event: yaml.NodeEvent, label: str) -> Diagnostic | None:
    """An explicit YAML tag on ``event``'s node, unless it is one that only says "text"."""
    tag = getattr(event, "tag", None)
    if tag is None or (isinstance(event, yaml.ScalarEvent) and tag in ALLOWED_TAGS):
        return None
    standard = "tag:yaml.org,2002:"
    shown = "!!" + tag.removeprefix(standard) if tag.startswith(standard) else tag
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Diagnostic(
        Severity.ERROR,
        f"YAML tag {one_line(shown, 60)!r} is not allowed in a routine; remove it "
        "(put the value in quotes if it is text)",
        Position(label, line, column),
    )


def _check_structure(text: str, label: str) -> list[Diagnostic]:
    """Walk the event stream (no recursion) to refuse deep nesting, recursive aliases and
    alias bombs before anything is composed; the explicit tags found are returned."""
    stack: list[tuple[str | None, int]] = []
    anchor_sizes: dict[str, int] = {}
    open_anchors: set[str] = set()
    expanded = 0
    tags: list[Diagnostic] = []

    def add(size: int) -> None:
        if stack:
            anchor, count = stack[-1]
            stack[-1] = (anchor, count + size)

    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.NodeEvent) and (tag := _tag_problem(event, label)):
            tags.append(tag)
        if isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor:
                anchor_sizes[event.anchor] = 1
            add(1)
        elif isinstance(event, yaml.AliasEvent):
            anchor = event.anchor
            if anchor in open_anchors:
                raise _StructureError(
                    f"alias *{anchor} refers to a node that contains it; "
                    "a routine cannot be recursive",
                    event.start_mark,
                )
            size = anchor_sizes.get(anchor or "", 1)
            expanded += size
            if expanded > MAX_EXPANDED_NODES:
                raise _StructureError(
                    f"aliases expand the document to over {MAX_EXPANDED_NODES:,} nodes "
                    "(an alias bomb); write the content out or use include",
                    event.start_mark,
                )
            add(size)
        elif isinstance(event, yaml.CollectionStartEvent):
            expanded += 1
            stack.append((event.anchor, 1))
            if event.anchor:
                open_anchors.add(event.anchor)
            if len(stack) > MAX_DEPTH:
                raise _StructureError(
                    f"nesting deeper than {MAX_DEPTH} levels; flatten the routine",
                    event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
            if anchor:
                anchor_sizes[anchor] = size
                open_anchors.discard(anchor)
            add(size)
    return tags
