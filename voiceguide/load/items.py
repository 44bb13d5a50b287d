"""The stages of a routine: stages, repeat blocks, their reminders and counts, and the
files included in their place."""

from __future__ import annotations

import yaml

from voiceguide.load.cues import read_cues
from voiceguide.load.includes import close_include, open_include
from voiceguide.load.keys import (
    BLOCK_KEYS,
    COUNT_KEYS,
    INCLUDE_KEYS,
    MODES,
    REMINDER_KEYS,
    STAGE_KEYS,
    STAGE_MODE_KEYS,
    TOP_KEYS,
)
from voiceguide.load.values import Reader, describe
from voiceguide.model import routine as model
from voiceguide.model.routine import (
    MAX_COUNT_REPS,
    MAX_REPEAT,
    MAX_SIDES,
    MIN_STAGE_SECONDS,
    TECHNIQUES,
    Block,
    Count,
    CueOverrides,
    Item,
    ModeText,
    Reminder,
    Stage,
)


def read_items(r: Reader, node: yaml.Node, what: str) -> tuple[Item, ...]:
    """The stages and blocks listed in ``node``, included files in their place; those with
    errors are left out."""
    if not isinstance(node, yaml.SequenceNode):
        r.error(
            node,
            f"{what} must be a list of stages (each starting with '- name:'), not {describe(node)}",
        )
        return ()
    if not node.value:
        r.error(node, f"{what} is empty; add at least one stage")
        return ()
    result: list[Item] = []
    for child in node.value:
        if r.stages_written > model.MAX_STAGES:
            break  # reported at the stage that went over
        if isinstance(child, yaml.MappingNode) and any(
            isinstance(k, yaml.ScalarNode) and k.value == "include" for k, _ in child.value
        ):
            result.extend(_include(r, child))
            continue
        item = _item(r, child)
        if item is not None:
            result.append(item)
    return tuple(result)


def _item(r: Reader, node: yaml.Node) -> Item | None:
    if not isinstance(node, yaml.MappingNode):
        r.error(
            node,
            f"a stage must be a mapping with at least 'name' and 'duration', not {describe(node)}",
        )
        return None
    is_block = any(
        isinstance(k, yaml.ScalarNode) and k.value in {"repeat", "stages"} for k, _ in node.value
    )
    if is_block:
        return _block(r, node)
    r.stages_written += 1
    if r.stages_written > model.MAX_STAGES:
        r.error(
            node,
            f"more than {model.MAX_STAGES} stages are written, those of included files "
            f"counted each time; a session has at most {model.MAX_STAGES}: split the routine",
        )
        return None
    return _stage(r, node)


def _block(r: Reader, node: yaml.Node) -> Block | None:
    keys = r.mapping(node, "a repeat block", BLOCK_KEYS)
    if keys is None:
        return None
    name = r.text(keys["name"][1], "block name") if "name" in keys else None
    repeat = 1
    if "repeat" in keys:
        repeat = r.integer(keys["repeat"][1], "repeat", 1, MAX_REPEAT) or 1
    transition = None
    if "transition" in keys:
        transition = r.duration(keys["transition"][1], "transition", allow_zero=True)
    cues = read_cues(r, keys["cues"][1], "cues") if "cues" in keys else CueOverrides()
    if "stages" not in keys:
        r.error(node, "a block with 'repeat' needs 'stages' to repeat")
        return None
    items = read_items(r, keys["stages"][1], "the block's stages")
    if not items:
        return None
    return Block(name, repeat, items, r.pos(node), transition, cues)


def _stage(r: Reader, node: yaml.Node) -> Stage | None:
    keys = r.mapping(node, "a stage", STAGE_KEYS)
    if keys is None:
        return None
    ok = True
    name = None
    if "name" not in keys:
        r.error(node, "a stage needs a 'name'")
        ok = False
    else:
        name = r.text(keys["name"][1], "stage name", name=True)
    duration = None
    if "duration" not in keys:
        r.error(
            node,
            f"stage {name or ''!r} needs a 'duration', such as 1m or 45s".replace(" '' ", " "),
        )
        ok = False
    else:
        duration = r.duration(keys["duration"][1], "duration")
        if duration is not None and duration < MIN_STAGE_SECONDS:
            r.error(
                keys["duration"][1],
                f"a stage of {keys['duration'][1].value!r} is too short to guide; make it "
                f"{MIN_STAGE_SECONDS:g}s or longer",
            )
            ok = False
    technique = None
    if "technique" in keys:
        technique = r.text(keys["technique"][1], "technique")
        if technique is not None and technique not in TECHNIQUES:
            import difflib

            close = difflib.get_close_matches(technique, TECHNIQUES, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(TECHNIQUES)}"
            r.warning(keys["technique"][1], f"unknown technique {technique!r}; {hint}")
    sides: tuple[str, ...] = ()
    if "sides" in keys:
        sides = _sides(r, keys["sides"][1])
    context = "sided" if sides else "stage"
    say = r.texts(keys["say"][1], "say", template=context) if "say" in keys else ()
    switch_pause = 0.0
    if "switch_pause" in keys:
        if not sides:
            r.warning(
                keys["switch_pause"][0], "switch_pause has no effect in a stage without 'sides'"
            )
        switch_pause = r.duration(keys["switch_pause"][1], "switch_pause", allow_zero=True) or 0.0
    cues = read_cues(r, keys["cues"][1], "cues") if "cues" in keys else CueOverrides()
    painful_scale = None
    if "painful_scale" in keys:
        if not sides:
            r.warning(
                keys["painful_scale"][0],
                "painful_scale has no effect in a stage without 'sides'",
            )
        painful_scale = r.number(
            keys["painful_scale"][1], "painful_scale (the painful side's share)", 0.2, 1.0
        )
    if not ok or name is None or duration is None:
        return None
    stage = Stage(name, duration, r.pos(node), technique, say, (), sides, switch_pause, None, cues)
    part = stage.part_duration()
    if sides and part <= 0:
        r.error(
            keys["switch_pause"][1],
            f"switch pauses leave no time for the sides of {name!r}; shorten them or lengthen the stage",
        )
        return None
    if sides and part < MIN_STAGE_SECONDS:
        r.error(
            keys["duration"][1],
            f"each side of {name!r} gets less than {MIN_STAGE_SECONDS:g}s, too short to "
            "guide; lengthen the stage or shorten its switch pauses",
        )
        return None
    remind = _reminders(r, keys["remind"][1], part, context) if "remind" in keys else ()
    count = _count(r, keys["count"][1], part) if "count" in keys else None
    follows_painful_side = True
    if "painful" in keys and _is_false(keys["painful"][1]):
        follows_painful_side = False
        del keys["painful"]
    modes = {
        mode: _mode_text(r, keys[mode][1], mode, part, context) for mode in MODES if mode in keys
    }
    fixed = r.boolean(keys["fixed"][1], "fixed") if "fixed" in keys else False
    from_session = 1
    if "from_session" in keys:
        from_session = r.integer(keys["from_session"][1], "from_session", 1, 100) or 1
    if "painful" in keys and not sides:
        r.warning(keys["painful"][0], "painful has no effect in a stage without 'sides'")
    return Stage(
        name,
        duration,
        stage.position,
        technique,
        say,
        remind,
        sides,
        switch_pause,
        count,
        cues,
        painful_scale,
        fixed=bool(fixed),
        from_session=from_session,
        sparing=modes.get("sparing"),
        painful=modes.get("painful"),
        follows_painful_side=follows_painful_side,
    )


def _is_false(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == "tag:yaml.org,2002:bool"
        and node.value.lower() == "false"
    )


def _mode_text(r: Reader, node: yaml.Node, mode: str, part: float, context: str) -> ModeText:
    """A stage's other words for ``mode`` (``sparing`` or ``painful``)."""
    keys = r.mapping(node, f"{mode} of a stage", STAGE_MODE_KEYS)
    if keys is None:
        return ModeText()
    if not keys:
        r.warning(node, f"{mode} is empty; give it 'say' or 'remind'")
    say = r.texts(keys["say"][1], f"{mode} say", template=context) if "say" in keys else None
    remind = _reminders(r, keys["remind"][1], part, context) if "remind" in keys else None
    return ModeText(say, remind)


def _sides(r: Reader, node: yaml.Node) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        r.error(
            node,
            f"sides must be a list of side names such as [left, right], not {describe(node)}",
        )
        return ()
    if len(node.value) > MAX_SIDES:
        r.error(
            node,
            f"{len(node.value)} sides is more than the {MAX_SIDES} a stage may be done on; "
            "split the stage into several",
        )
        return ()
    names = r.texts(node, "sides", name=True)
    if len(set(names)) != len(names):
        r.error(node, "sides names a side twice; list each side once")
        return ()
    return names


def _reminders(r: Reader, node: yaml.Node, part: float, context: str) -> tuple[Reminder, ...]:
    if not isinstance(node, yaml.SequenceNode):
        r.error(
            node,
            f"remind must be a list such as [{{at: 30s, say: ...}}], not {describe(node)}",
        )
        return ()
    result = []
    for child in node.value:
        keys = r.mapping(child, "a reminder", REMINDER_KEYS)
        if keys is None:
            continue
        if "say" not in keys:
            r.error(child, "a reminder needs 'say' (what to say)")
            continue
        text = r.text(keys["say"][1], "reminder", template=context)
        if ("at" in keys) == ("every" in keys):
            r.error(child, "a reminder needs exactly one of 'at' (once) or 'every' (repeating)")
            continue
        at = every = None
        if "at" in keys:
            at = r.duration(keys["at"][1], "at", allow_zero=True)
            if at is not None and at >= part:
                r.error(
                    keys["at"][1],
                    f"at {keys['at'][1].value} is past the end of the stage ({part:g} s); make it earlier",
                )
                continue
        else:
            every = r.duration(keys["every"][1], "every")
            if every is not None and every < 5:
                r.error(
                    keys["every"][1],
                    "a reminder every less than 5 s would talk over everything; use 5s or more",
                )
                continue
            if every is not None and every >= part:
                r.warning(
                    keys["every"][1],
                    f"every {keys['every'][1].value} is longer than the stage ({part:g} s), so it is never said",
                )
        if text is not None and (at is not None or every is not None):
            result.append(Reminder(text, at, every))
    return tuple(result)


def _count(r: Reader, node: yaml.Node, part: float) -> Count | None:
    keys = r.mapping(node, "count", COUNT_KEYS)
    if keys is None:
        return None
    missing = [k for k in ("reps", "every") if k not in keys]
    if missing:
        r.error(
            node,
            f"count needs {' and '.join(map(repr, missing))}, as in {{reps: 10, every: 4s}}",
        )
        return None
    reps = r.integer(keys["reps"][1], "reps", 1, MAX_COUNT_REPS)
    every = r.duration(keys["every"][1], "every")
    start = r.duration(keys["start"][1], "start", allow_zero=True) if "start" in keys else None
    if reps is None or every is None:
        return None
    if every < 1:
        r.error(
            keys["every"][1],
            "counting faster than one number a second cannot be spoken; use 1s or more",
        )
        return None
    needed = (start or 0.0) + every * (reps - 1)
    if needed >= part:
        r.error(
            node,
            f"{reps} reps every {every:g} s need {needed + every:g} s but the stage has {part:g} s; fewer reps or a longer stage",
        )
        return None
    return Count(reps, every, start)


def _include(r: Reader, node: yaml.MappingNode) -> tuple[Item, ...]:
    keys = r.mapping(node, "an include", INCLUDE_KEYS)
    if keys is None or "include" not in keys:
        return ()
    included = open_include(r, keys["include"][1])
    if included is None:
        return ()
    try:
        keys_in = r.mapping(included.root, "the included routine", TOP_KEYS)
        if keys_in is None:
            return ()
        if "stages" not in keys_in:
            r.error(included.root, "an included file needs 'stages'")
            return ()
        for key, (key_node, _) in keys_in.items():
            if key not in {"stages", "voiceguide", "title", "description", "author"}:
                r.warning(
                    key_node,
                    f"only the stages of an included file are used; its {key!r} is ignored",
                )
        return read_items(r, keys_in["stages"][1], "stages")
    finally:
        close_include(r)
