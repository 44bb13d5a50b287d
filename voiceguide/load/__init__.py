"""Reading routines: YAML with positions, the reader, the built-in library."""

from voiceguide.load.routine import builtin_names, load_routine

__all__ = ["builtin_names", "load_routine"]
