"""Included files: reading the file an ``include`` names, in place of the include, with
what can go wrong reported at the include: a path that leaves the routine's folder, a
missing file, a folder, a named pipe, a loop, too many includes or too much text."""

from __future__ import annotations

from pathlib import Path

import yaml

from voiceguide.errors import RoutineError, display_path
from voiceguide.load.source import Source, file_problem, read_source, resolved
from voiceguide.load.values import Reader
from voiceguide.model import routine as model


def open_include(r: Reader, value: yaml.Node) -> Source | None:
    """Start reading the file an ``include`` names (relative to the file being read, and
    inside its folder): ``r`` reads it until :func:`close_include`. None, with the
    problem reported, when it cannot be read."""
    relative = r.text(value, "include", path=True)
    if relative is None:
        return None
    folder = r.source.path.resolve().parent
    target = resolved(folder, relative)
    if target is None:
        r.error(value, f"include {relative!r} is not a file name; name a .yaml file")
        return None
    if Path(relative).is_absolute() or not target.is_relative_to(folder):
        r.error(
            value,
            f"include {relative!r} leaves the routine's folder; keep included files beside it or below",
        )
        return None
    if target in r.include_stack:
        chain = " -> ".join(p.name for p in [*r.include_stack, target])
        r.error(value, f"include {relative!r} loops back ({chain}); remove the cycle")
        return None
    if len(r.include_stack) >= model.MAX_INCLUDE_DEPTH:
        r.error(value, f"includes nested deeper than {model.MAX_INCLUDE_DEPTH}; flatten them")
        return None
    if r.included_chars > model.MAX_INCLUDED_BYTES:
        return None  # reported at the include that went over
    if r.includes_read >= model.MAX_INCLUDES:
        if r.includes_read == model.MAX_INCLUDES:
            r.error(
                value,
                f"more than {model.MAX_INCLUDES} includes (a file included twice counts "
                "twice); write the stages out or include fewer files",
            )
        r.includes_read += 1
        return None
    r.includes_read += 1
    included = _read_include(r, value, relative, target)
    if included is None:
        return None
    r.included_chars += len(included.text)
    if r.included_chars > model.MAX_INCLUDED_BYTES:
        r.error(
            value,
            f"the included files hold over {model.MAX_INCLUDED_BYTES >> 20} MiB of text "
            "together (a file included twice counts twice); include fewer or smaller files",
        )
        return None
    r.outer_sources.append(r.source)
    r.source = included
    r.include_stack.append(target)
    return included


def _read_include(r: Reader, value: yaml.Node, relative: str, target: Path) -> Source | None:
    """The file an include names, read; None, with the problem reported at the include,
    when it is missing, not a regular file or cannot be read (a problem inside the file
    is reported in it)."""
    try:
        looked_for = target.relative_to(r.include_stack[0].parent).as_posix()
    except ValueError:
        looked_for = display_path(target)
    problem = file_problem(target)
    if problem is not None:
        fix = {
            "does not exist": "; check the name and the folder",
            "is a folder": "; name a .yaml file inside it",
        }.get(problem, "" if problem.startswith("cannot") else "; name a regular routine file")
        r.error(value, f"include {relative!r}: {looked_for} in the routine's folder {problem}{fix}")
        return None
    try:
        return read_source(target, display_path(target))
    except RoutineError as exc:
        for diagnostic in exc.diagnostics:
            position = diagnostic.position
            if position is None or not position.line:
                r.error(value, f"include {relative!r} {diagnostic.message}")
            else:
                r.diagnostics.append(diagnostic)
        return None


def close_include(r: Reader) -> None:
    """Go back to reading the file that named the include :func:`open_include` opened."""
    r.include_stack.pop()
    r.source = r.outer_sources.pop()
