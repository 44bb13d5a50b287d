"""voiceguide: a voice-guided session player.

A routine (YAML) is loaded into :class:`~voiceguide.model.routine.Routine`, compiled into a
timed :class:`~voiceguide.model.script.Script`, and then previewed, exported or played.
"""

__version__ = "0.1.0"
