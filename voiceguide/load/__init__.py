"""Reading routines: a routine file (or a built-in routine by name) into the records of
:mod:`voiceguide.model.routine`, with precise errors.

Every problem found is reported at once, one :class:`~voiceguide.errors.Diagnostic` per
problem, each with file:line:column, what is wrong and how to fix it.
"""

from __future__ import annotations

from pathlib import Path

from voiceguide.errors import RoutineError, Severity, display_path
from voiceguide.load.document import read_routine
from voiceguide.load.library import builtin_names, resolve_routine
from voiceguide.load.source import read_source
from voiceguide.load.values import Reader, diagnostic_order
from voiceguide.model.routine import Routine


def load_routine(reference: str | Path) -> Routine:
    """Load a routine from a file path or a built-in routine's name.

    Raises :class:`RoutineError` carrying every diagnostic when there is any error;
    warnings are kept on the routine.
    """
    if isinstance(reference, Path):
        path, label, name = reference, display_path(reference), None
    else:
        path, label, name = resolve_routine(reference)
    from voiceguide._gc import paused

    reader = Reader()
    with paused():
        routine = read_routine(reader, read_source(path, label), name)
    errors = [d for d in reader.diagnostics if d.severity is Severity.ERROR]
    if errors or routine is None:
        raise RoutineError(sorted(reader.diagnostics, key=diagnostic_order))
    return routine


__all__ = ["builtin_names", "load_routine"]
