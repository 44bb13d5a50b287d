"""Reading routines: YAML with positions, the reader, the built-in library."""
