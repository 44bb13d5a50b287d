"""A routine's stages as played: blocks repeated out, cues resolved, numbered.

The compiler lays these out; :func:`find_stage` finds one by number or name before
anything is laid out (``play --start-at``).
"""

from __future__ import annotations

from voiceguide.errors import OptionError
from voiceguide.model.routine import Cues, Item, Routine, Stage

# The compiler's working records are plain classes: dataclasses would generate their
# methods at import, and start-up time is measured (bench/startup).


class Instance:
    """A stage as played: its resolved cues, its repetition, and ``path``, the enclosing
    blocks, outermost first: (block key, iteration, transition inside)."""

    __slots__ = ("cues", "path", "repetition", "stage")

    def __init__(
        self,
        stage: Stage,
        cues: Cues,
        repetition: tuple[int, int] | None,
        path: tuple[tuple[int, int, float], ...],
    ) -> None:
        self.stage, self.cues, self.repetition, self.path = stage, cues, repetition, path


def flatten(
    items: tuple[Item, ...],
    cues: Cues,
    transition: float,
    repetition: tuple[int, int] | None,
    path: tuple[tuple[int, int, float], ...],
    out: list[Instance],
    keys: dict[int, int],
) -> None:
    for item in items:
        if isinstance(item, Stage):
            out.append(Instance(item, cues.merged(item.cues), repetition, path))
            continue
        block_cues = cues.merged(item.cues)
        gap = transition if item.transition is None else item.transition
        key = keys.setdefault(id(item), len(keys))
        for n in range(1, item.repeat + 1):
            rep = (n, item.repeat) if item.repeat > 1 else repetition
            flatten(item.items, block_cues, gap, rep, (*path, (key, n, gap)), out, keys)


def gap_between(a: Instance, b: Instance, top: float) -> float:
    """The transition of the innermost block holding both stages (the routine's if none)."""
    gap = top
    for (key_a, iteration_a, gap_a), (key_b, iteration_b, _) in zip(a.path, b.path, strict=False):
        if key_a != key_b:
            break
        gap = gap_a
        if iteration_a != iteration_b:
            break
    return gap


def instances_of(routine: Routine) -> list[Instance]:
    """Every stage of ``routine`` as played, in order."""
    instances: list[Instance] = []
    flatten(routine.stages, routine.cues, routine.transition, None, (), instances, {})
    return instances


def find_stage(routine: Routine, wanted: str) -> int:
    """The number of the stage ``wanted`` names, as the compile numbers them: a number,
    else the first stage whose name is, begins with or contains ``wanted`` (any case).
    Found from the stages alone, before anything is laid out or said; a stage that is not
    there is an :class:`OptionError` naming ``--start-at``."""
    instances = instances_of(routine)
    names = [instance.stage.name for instance in instances]
    if wanted.isdigit():
        if 1 <= int(wanted) <= len(names):
            return int(wanted)
        raise OptionError("--start-at", f"there is no stage {wanted}; the routine has {len(names)}")
    lowered = wanted.casefold()
    for test in (lambda n: n == lowered, lambda n: n.startswith(lowered), lambda n: lowered in n):
        for number, name in enumerate(names, start=1):
            if test(name.casefold()):
                return number
    listed = ", ".join(dict.fromkeys(f"{n} {name}" for n, name in enumerate(names, start=1)))
    raise OptionError("--start-at", f"no stage is called {wanted!r}; stages: {listed}")
