"""The records a routine becomes: Routine, Script and their parts (no I/O)."""
