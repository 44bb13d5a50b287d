"""The built-in routines (``voiceguide/routines/*.yaml``), and finding a routine given by
path or by built-in name."""

from __future__ import annotations

from pathlib import Path

from voiceguide.errors import RoutineNotFound, display_path

_BUILTIN_FOLDER = Path(__file__).parent.parent / "routines"


def builtin_names() -> list[str]:
    folder = _BUILTIN_FOLDER
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def builtin_path(name: str) -> Path:
    return _BUILTIN_FOLDER / f"{name}.yaml"


def resolve_routine(reference: str) -> tuple[Path, str, str | None]:
    """The file of a routine given by path or built-in name: (path, label, built-in name)."""
    path = Path(reference)
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists() or "/" in reference:
        return path, display_path(path), None
    if reference in builtin_names():
        return builtin_path(reference), f"<built-in>/{reference}.yaml", reference
    import difflib

    close = difflib.get_close_matches(reference, builtin_names(), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise RoutineNotFound(
        f"{reference!r} is neither a routine file nor a built-in routine{hint} "
        "(run 'voiceguide routines' for the list)"
    )
