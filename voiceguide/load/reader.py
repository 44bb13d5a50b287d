"""The reader: composed YAML nodes into a routine's records, collecting every problem."""

from __future__ import annotations

import string
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from voiceguide.durations import parse_duration
from voiceguide.errors import Diagnostic, Position, RoutineError, Severity, display_path
from voiceguide.load.source import Source, position_of, read_source
from voiceguide.model import routine as model
from voiceguide.model.routine import (
    CUE_NAMES,
    FORMAT_VERSION,
    MAX_COUNT_REPS,
    MAX_INCLUDE_DEPTH,
    MAX_REPEAT,
    TECHNIQUES,
    TEMPLATE_VARIABLES,
    Block,
    Count,
    Course,
    CueOverrides,
    Cues,
    Item,
    Reminder,
    Routine,
    Safety,
    Stage,
    Voice,
)
from voiceguide.model.sounds import SOUND_FILE_SUFFIXES, SOUNDS
from voiceguide.phrases import PHRASE_KEYS, phrases_for

_SCALARS = SafeConstructor()

_TOP_KEYS = (
    "voiceguide",
    "title",
    "description",
    "language",
    "author",
    "voice",
    "position",
    "preparation",
    "closing",
    "safety",
    "cues",
    "transition",
    "phrases",
    "course",
    "stages",
)
_STAGE_KEYS = (
    "name",
    "technique",
    "duration",
    "say",
    "remind",
    "sides",
    "switch_pause",
    "painful_scale",
    "count",
    "cues",
)
_BLOCK_KEYS = ("name", "repeat", "stages", "transition", "cues")
_INCLUDE_KEYS = ("include",)
_VOICE_KEYS = ("id", "rate", "volume")
_SAFETY_KEYS = ("contraindications", "stop_if")
_CUE_KEYS = ("countdown", "halfway", "next_up", "sounds")
_REMINDER_KEYS = ("at", "every", "say")
_COUNT_KEYS = ("reps", "every", "start")
_COURSE_KEYS = ("sessions", "first", "full_from", "sparing")

_TAG_NAMES = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "nothing",
}


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _TAG_NAMES.get(node.tag, "text")


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


class Reader:
    """Turns composed YAML nodes into models, collecting every problem it meets."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.source: Source
        self.include_stack: list[Path] = []

    # -- reporting

    def pos(self, node: yaml.Node) -> Position:
        return position_of(self.source.label, node)

    def error(self, node: yaml.Node, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.ERROR, message, self.pos(node)))

    def warning(self, node: yaml.Node, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.WARNING, message, self.pos(node)))

    # -- generic shapes

    def mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values, not {_describe(node)}")
            return None
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or _is_null(key_node):
                self.error(
                    key_node, f"keys in {what} must be plain names, not {_describe(key_node)}"
                )
                continue
            key = str(key_node.value)
            if key == "<<":
                self.error(key_node, "merge keys ('<<') are not supported; write the keys out")
                continue
            if key in result:
                first = self.pos(result[key][0])
                self.error(
                    key_node,
                    f"duplicate key {key!r} in {what} (first given at line {first.line}); "
                    "remove one of them",
                )
                continue
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"expected one of: {', '.join(allowed)}"
                )
                if " " in key and _is_null(value_node) and node.flow_style:
                    hint = (
                        "if this is the rest of a text cut at a comma, put the whole text in quotes"
                    )
                self.error(key_node, f"unknown key {key!r} in {what}; {hint}")
                continue
            result[key] = (key_node, value_node)
        return result

    def text(self, node: yaml.Node, what: str, *, template: str | None = None) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or _is_null(node):
            self.error(node, f"{what} must be text, not {_describe(node)}")
            return None
        value = str(node.value).strip()
        if not value:
            self.error(node, f"{what} is empty; write the text or remove the key")
            return None
        if template is not None:
            self.check_template(node, value, what, template)
        return value

    def texts(self, node: yaml.Node, what: str, *, template: str | None = None) -> tuple[str, ...]:
        if isinstance(node, yaml.SequenceNode):
            if not node.value:
                self.error(node, f"{what} is an empty list; add text or remove the key")
            items = (
                self.text(item, f"an item of {what}", template=template) for item in node.value
            )
            return tuple(item for item in items if item is not None)
        single = self.text(node, what, template=template)
        return (single,) if single is not None else ()

    def integer(self, node: yaml.Node, what: str, low: int, high: int) -> int | None:
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int"):
            self.error(
                node, f"{what} must be a whole number from {low} to {high}, not {_describe(node)}"
            )
            return None
        value = int(_SCALARS.construct_yaml_int(node))
        if not low <= value <= high:
            self.error(node, f"{what} must be from {low} to {high}, not {value}")
            return None
        return value

    def number(self, node: yaml.Node, what: str, low: float, high: float) -> float | None:
        tags = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        if not (isinstance(node, yaml.ScalarNode) and node.tag in tags):
            self.error(
                node, f"{what} must be a number from {low:g} to {high:g}, not {_describe(node)}"
            )
            return None
        value = float(_SCALARS.construct_yaml_float(node))
        if not low <= value <= high:
            self.error(node, f"{what} must be from {low:g} to {high:g}, not {value:g}")
            return None
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool"):
            self.error(node, f"{what} must be true or false, not {_describe(node)}")
            return None
        return bool(_SCALARS.construct_yaml_bool(node))

    def duration(self, node: yaml.Node, what: str, *, allow_zero: bool = False) -> float | None:
        if not isinstance(node, yaml.ScalarNode) or _is_null(node) or node.tag.endswith(":bool"):
            self.error(
                node,
                f"{what} must be a duration such as 45s, 1m30s or 2 min, not {_describe(node)}",
            )
            return None
        try:
            seconds = parse_duration(str(node.value))
        except ValueError as exc:
            self.error(node, f"{what}: {exc}")
            return None
        if seconds < 0 or (seconds == 0 and not allow_zero):
            self.error(node, f"{what} must be longer than zero, not {node.value!r}")
            return None
        if seconds > model.MAX_SESSION_SECONDS:
            self.error(node, f"{what} of {node.value!r} is over 24 hours; check the unit (s, m, h)")
            return None
        return seconds

    def check_template(self, node: yaml.Node, value: str, what: str, context: str) -> None:
        """Template variables must be known ones; ``context`` says which apply here."""
        try:
            fields = [f for _, f, spec, conv in string.Formatter().parse(value) if f is not None]
            specs = [
                (f, spec, conv)
                for _, f, spec, conv in string.Formatter().parse(value)
                if f is not None and (spec or conv)
            ]
        except ValueError as exc:
            self.error(node, f"{what}: {exc}; write '{{{{' and '}}}}' for literal braces")
            return
        for name, _spec, _conv in specs:
            self.error(node, f"{what}: write {{{name}}} without a format or conversion")
        for name in fields:
            if name not in TEMPLATE_VARIABLES:
                import difflib

                close = difflib.get_close_matches(name, TEMPLATE_VARIABLES, n=1)
                hint = f"did you mean {{{close[0]}}}?" if close else ""
                known = ", ".join("{" + v + "}" for v in TEMPLATE_VARIABLES)
                self.error(
                    node,
                    f"{what}: unknown template variable {{{name}}}; "
                    + (hint or f"use one of {known} (write '{{{{' for a literal brace)"),
                )
            elif name == "side" and context != "sided":
                self.error(node, f"{what}: {{side}} is only known in a stage with 'sides'")

    # -- the routine

    def routine(self, source: Source, name: str | None) -> Routine | None:
        self.source = source
        self.include_stack.append(source.path.resolve())
        keys = self.mapping(source.root, "the routine", _TOP_KEYS)
        if keys is None:
            return None
        get = keys.get
        if "voiceguide" not in keys:
            self.error(source.root, "missing 'voiceguide: 1' (the format version) at the top")
        else:
            version_node = keys["voiceguide"][1]
            version = self.integer(version_node, "'voiceguide' (the format version)", 0, 10**6)
            if version is not None and version != FORMAT_VERSION:
                self.error(
                    version_node,
                    f"format version {version} is not supported; this voiceguide reads version {FORMAT_VERSION}",
                )
        title = self.text(keys["title"][1], "title") if "title" in keys else None
        if "title" not in keys:
            self.error(source.root, "missing 'title'; every routine needs one")
        language = "en"
        if (entry := get("language")) and (lang := self.text(entry[1], "language")):
            if not lang.replace("-", "").replace("_", "").isalnum() or len(lang) > 20:
                self.error(
                    entry[1], f"language {lang!r} is not a language code such as en, uk or lv"
                )
            language = lang
        phrases = phrases_for(language)
        if entry := get("phrases"):
            phrases.update(self.phrases(entry[1]))
        cues = Cues()
        if entry := get("cues"):
            cues = cues.merged(self.cues(entry[1], "cues"))
        transition = 0.0
        if (entry := get("transition")) and (
            gap := self.duration(entry[1], "transition", allow_zero=True)
        ) is not None:
            transition = gap
        stages: tuple[Item, ...] = ()
        if "stages" not in keys:
            self.error(source.root, "missing 'stages'; list the stages of the session")
        else:
            stages = self.items(keys["stages"][1], "stages")
        routine = Routine(
            title=title or "",
            stages=stages,
            path=source.path,
            name=name,
            description=self.optional_text(get("description"), "description"),
            language=language,
            author=self.optional_text(get("author"), "author"),
            voice=self.voice(get("voice")),
            position_text=self.optional_text(get("position"), "position"),
            preparation=self.texts(keys["preparation"][1], "preparation")
            if "preparation" in keys
            else (),
            closing=self.optional_text(get("closing"), "closing"),
            safety=self.safety(get("safety")),
            cues=cues,
            transition=transition,
            phrases=phrases,
            course=self.course(keys["course"][1]) if "course" in keys else None,
        )
        total = routine.stage_time
        if stages and total > model.MAX_SESSION_SECONDS:
            self.error(
                keys["stages"][1],
                f"the session lasts {total / 3600:.1f} hours, over the 24-hour limit; shorten stages or repeats",
            )
        routine = _with_warnings(routine, self.diagnostics)
        self.include_stack.pop()
        return routine

    def course(self, node: yaml.Node) -> Course | None:
        keys = self.mapping(node, "course", _COURSE_KEYS)
        if keys is None:
            return None
        missing = [k for k in ("sessions", "first") if k not in keys]
        if missing:
            self.error(
                node,
                f"course needs {' and '.join(map(repr, missing))}, as in {{sessions: 10, first: 5m}}",
            )
            return None
        sessions = self.integer(keys["sessions"][1], "sessions", 1, 100)
        first = self.duration(keys["first"][1], "first (the massage time of session 1)")
        full_from = sessions
        if "full_from" in keys:
            full_from = self.integer(keys["full_from"][1], "full_from", 1, 100)
        sparing = self.integer(keys["sparing"][1], "sparing", 0, 100) if "sparing" in keys else 0
        if sessions is None or first is None or full_from is None or sparing is None:
            return None
        if full_from > sessions:
            self.error(
                keys["full_from"][1],
                f"full_from {full_from} is after the last session ({sessions})",
            )
            return None
        if sparing > sessions:
            self.error(
                keys["sparing"][1], f"sparing {sparing} is more than the {sessions} sessions"
            )
            return None
        return Course(sessions, first, full_from, sparing)

    def optional_text(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> str | None:
        return self.text(entry[1], what) if entry else None

    def voice(self, entry: tuple[yaml.Node, yaml.Node] | None) -> Voice:
        if entry is None:
            return Voice()
        keys = self.mapping(entry[1], "voice", _VOICE_KEYS)
        if keys is None:
            return Voice()
        voice_id = self.text(keys["id"][1], "voice id") if "id" in keys else None
        rate = (
            self.integer(keys["rate"][1], "voice rate (words per minute)", 40, 500)
            if "rate" in keys
            else None
        )
        volume = (
            self.number(keys["volume"][1], "voice volume", 0.0, 1.0) if "volume" in keys else None
        )
        return Voice(voice_id, rate, volume)

    def safety(self, entry: tuple[yaml.Node, yaml.Node] | None) -> Safety:
        if entry is None:
            return Safety()
        keys = self.mapping(entry[1], "safety", _SAFETY_KEYS)
        if keys is None:
            return Safety()
        return Safety(
            contraindications=self.texts(keys["contraindications"][1], "contraindications")
            if "contraindications" in keys
            else (),
            stop_if=self.texts(keys["stop_if"][1], "stop_if") if "stop_if" in keys else (),
        )

    def phrases(self, node: yaml.Node) -> dict[str, str]:
        keys = self.mapping(node, "phrases", PHRASE_KEYS)
        result: dict[str, str] = {}
        for key, (_, value) in (keys or {}).items():
            if (
                isinstance(value, yaml.ScalarNode)
                and not _is_null(value)
                and not str(value.value).strip()
            ):
                result[key] = ""  # an empty phrase turns that sentence off
                continue
            context = "sided" if key in {"switch", "painful_intro"} else "phrase"
            text = self.text(value, f"phrase {key!r}", template=context)
            if text is not None:
                result[key] = text
        return result

    def cues(self, node: yaml.Node, what: str) -> CueOverrides:
        keys = self.mapping(node, what, _CUE_KEYS)
        if keys is None:
            return CueOverrides()
        countdown = halfway = next_up = None
        if "countdown" in keys:
            value = keys["countdown"][1]
            if (
                isinstance(value, yaml.ScalarNode)
                and value.tag.endswith(":bool")
                and value.value.lower() in {"false", "no", "off"}
            ):
                countdown = 0
            else:
                countdown = self.integer(value, "countdown (seconds, 0 for none)", 0, 60)
        if "halfway" in keys:
            halfway = self.boolean(keys["halfway"][1], "halfway")
        if "next_up" in keys:
            value = keys["next_up"][1]
            if (
                isinstance(value, yaml.ScalarNode)
                and value.tag.endswith(":bool")
                and value.value.lower() in {"false", "no", "off"}
            ):
                next_up = 0.0
            else:
                next_up = self.duration(value, "next_up", allow_zero=True)
        sounds: dict[str, str | None] = {}
        if "sounds" in keys:
            sounds = self.sounds(keys["sounds"][1])
        return CueOverrides(countdown, halfway, next_up, sounds)

    def sounds(self, node: yaml.Node) -> dict[str, str | None]:
        keys = self.mapping(node, "cue sounds", CUE_NAMES)
        result: dict[str, str | None] = {}
        for cue, (_, value) in (keys or {}).items():
            if isinstance(value, yaml.ScalarNode) and (
                _is_null(value)
                or (value.tag.endswith(":bool") and value.value.lower() in {"false", "no", "off"})
            ):
                result[cue] = None
                continue
            sound = self.text(value, f"sound of the {cue!r} cue")
            if sound is None:
                continue
            if sound.lower() in {"none", "off"}:
                result[cue] = None
            elif sound in SOUNDS:
                result[cue] = sound
            elif Path(sound).suffix.lower() in SOUND_FILE_SUFFIXES:
                path = (self.source.path.parent / sound).resolve()
                if not path.is_file():
                    self.error(
                        value,
                        f"sound file {sound!r} does not exist (paths are relative to the routine's folder)",
                    )
                else:
                    result[cue] = str(path)
            else:
                import difflib

                close = difflib.get_close_matches(sound, list(SOUNDS), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.error(
                    value,
                    f"unknown cue sound {sound!r}; {hint}use one of {', '.join(SOUNDS)}, "
                    f"a {'/'.join(SOUND_FILE_SUFFIXES)} file, or false for silence",
                )
        return result

    # -- stages

    def items(self, node: yaml.Node, what: str) -> tuple[Item, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(
                node,
                f"{what} must be a list of stages (each starting with '- name:'), not {_describe(node)}",
            )
            return ()
        if not node.value:
            self.error(node, f"{what} is empty; add at least one stage")
            return ()
        result: list[Item] = []
        for child in node.value:
            if isinstance(child, yaml.MappingNode) and any(
                isinstance(k, yaml.ScalarNode) and k.value == "include" for k, _ in child.value
            ):
                result.extend(self.include(child))
                continue
            item = self.item(child)
            if item is not None:
                result.append(item)
        return tuple(result)

    def item(self, node: yaml.Node) -> Item | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(
                node,
                f"a stage must be a mapping with at least 'name' and 'duration', not {_describe(node)}",
            )
            return None
        is_block = any(
            isinstance(k, yaml.ScalarNode) and k.value in {"repeat", "stages"}
            for k, _ in node.value
        )
        return self.block(node) if is_block else self.stage(node)

    def block(self, node: yaml.Node) -> Block | None:
        keys = self.mapping(node, "a repeat block", _BLOCK_KEYS)
        if keys is None:
            return None
        name = self.text(keys["name"][1], "block name") if "name" in keys else None
        repeat = 1
        if "repeat" in keys:
            repeat = self.integer(keys["repeat"][1], "repeat", 1, MAX_REPEAT) or 1
        transition = None
        if "transition" in keys:
            transition = self.duration(keys["transition"][1], "transition", allow_zero=True)
        cues = self.cues(keys["cues"][1], "cues") if "cues" in keys else CueOverrides()
        if "stages" not in keys:
            self.error(node, "a block with 'repeat' needs 'stages' to repeat")
            return None
        items = self.items(keys["stages"][1], "the block's stages")
        if not items:
            return None
        return Block(name, repeat, items, self.pos(node), transition, cues)

    def stage(self, node: yaml.Node) -> Stage | None:
        keys = self.mapping(node, "a stage", _STAGE_KEYS)
        if keys is None:
            return None
        ok = True
        name = None
        if "name" not in keys:
            self.error(node, "a stage needs a 'name'")
            ok = False
        else:
            name = self.text(keys["name"][1], "stage name")
        duration = None
        if "duration" not in keys:
            self.error(
                node,
                f"stage {name or ''!r} needs a 'duration', such as 1m or 45s".replace(" '' ", " "),
            )
            ok = False
        else:
            duration = self.duration(keys["duration"][1], "duration")
        technique = None
        if "technique" in keys:
            technique = self.text(keys["technique"][1], "technique")
            if technique is not None and technique not in TECHNIQUES:
                import difflib

                close = difflib.get_close_matches(technique, TECHNIQUES, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(TECHNIQUES)}"
                self.warning(keys["technique"][1], f"unknown technique {technique!r}; {hint}")
        sides: tuple[str, ...] = ()
        if "sides" in keys:
            sides = self.sides(keys["sides"][1])
        context = "sided" if sides else "stage"
        say = self.texts(keys["say"][1], "say", template=context) if "say" in keys else ()
        switch_pause = 0.0
        if "switch_pause" in keys:
            if not sides:
                self.warning(
                    keys["switch_pause"][0], "switch_pause has no effect in a stage without 'sides'"
                )
            switch_pause = (
                self.duration(keys["switch_pause"][1], "switch_pause", allow_zero=True) or 0.0
            )
        cues = self.cues(keys["cues"][1], "cues") if "cues" in keys else CueOverrides()
        painful_scale = None
        if "painful_scale" in keys:
            if not sides:
                self.warning(
                    keys["painful_scale"][0],
                    "painful_scale has no effect in a stage without 'sides'",
                )
            painful_scale = self.number(
                keys["painful_scale"][1], "painful_scale (the painful side's share)", 0.2, 1.0
            )
        if not ok or name is None or duration is None:
            return None
        stage = Stage(
            name, duration, self.pos(node), technique, say, (), sides, switch_pause, None, cues
        )
        part = stage.part_duration()
        if sides and part <= 0:
            self.error(
                keys["switch_pause"][1],
                f"switch pauses leave no time for the sides of {name!r}; shorten them or lengthen the stage",
            )
            return None
        remind = self.reminders(keys["remind"][1], part, context) if "remind" in keys else ()
        count = self.count(keys["count"][1], part) if "count" in keys else None
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
        )

    def sides(self, node: yaml.Node) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(
                node,
                f"sides must be a list of side names such as [left, right], not {_describe(node)}",
            )
            return ()
        names = self.texts(node, "sides")
        if len(set(names)) != len(names):
            self.error(node, "sides names a side twice; list each side once")
            return ()
        return names

    def reminders(self, node: yaml.Node, part: float, context: str) -> tuple[Reminder, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(
                node,
                f"remind must be a list such as [{{at: 30s, say: ...}}], not {_describe(node)}",
            )
            return ()
        result = []
        for child in node.value:
            keys = self.mapping(child, "a reminder", _REMINDER_KEYS)
            if keys is None:
                continue
            if "say" not in keys:
                self.error(child, "a reminder needs 'say' (what to say)")
                continue
            text = self.text(keys["say"][1], "reminder", template=context)
            if ("at" in keys) == ("every" in keys):
                self.error(
                    child, "a reminder needs exactly one of 'at' (once) or 'every' (repeating)"
                )
                continue
            at = every = None
            if "at" in keys:
                at = self.duration(keys["at"][1], "at", allow_zero=True)
                if at is not None and at >= part:
                    self.error(
                        keys["at"][1],
                        f"at {keys['at'][1].value} is past the end of the stage ({part:g} s); make it earlier",
                    )
                    continue
            else:
                every = self.duration(keys["every"][1], "every")
                if every is not None and every < 5:
                    self.error(
                        keys["every"][1],
                        "a reminder every less than 5 s would talk over everything; use 5s or more",
                    )
                    continue
                if every is not None and every >= part:
                    self.warning(
                        keys["every"][1],
                        f"every {keys['every'][1].value} is longer than the stage ({part:g} s), so it is never said",
                    )
            if text is not None and (at is not None or every is not None):
                result.append(Reminder(text, at, every))
        return tuple(result)

    def count(self, node: yaml.Node, part: float) -> Count | None:
        keys = self.mapping(node, "count", _COUNT_KEYS)
        if keys is None:
            return None
        missing = [k for k in ("reps", "every") if k not in keys]
        if missing:
            self.error(
                node,
                f"count needs {' and '.join(map(repr, missing))}, as in {{reps: 10, every: 4s}}",
            )
            return None
        reps = self.integer(keys["reps"][1], "reps", 1, MAX_COUNT_REPS)
        every = self.duration(keys["every"][1], "every")
        start = (
            self.duration(keys["start"][1], "start", allow_zero=True) if "start" in keys else None
        )
        if reps is None or every is None:
            return None
        if every < 1:
            self.error(
                keys["every"][1],
                "counting faster than one number a second cannot be spoken; use 1s or more",
            )
            return None
        needed = (start or 0.0) + every * (reps - 1)
        if needed >= part:
            self.error(
                node,
                f"{reps} reps every {every:g} s need {needed + every:g} s but the stage has {part:g} s; fewer reps or a longer stage",
            )
            return None
        return Count(reps, every, start)

    # -- include

    def include(self, node: yaml.MappingNode) -> tuple[Item, ...]:
        keys = self.mapping(node, "an include", _INCLUDE_KEYS)
        if keys is None or "include" not in keys:
            return ()
        value = keys["include"][1]
        relative = self.text(value, "include")
        if relative is None:
            return ()
        folder = self.source.path.resolve().parent
        target = (folder / relative).resolve()
        if Path(relative).is_absolute() or not target.is_relative_to(folder):
            self.error(
                value,
                f"include {relative!r} leaves the routine's folder; keep included files beside it or below",
            )
            return ()
        if target in self.include_stack:
            chain = " -> ".join(p.name for p in [*self.include_stack, target])
            self.error(value, f"include {relative!r} loops back ({chain}); remove the cycle")
            return ()
        if len(self.include_stack) >= MAX_INCLUDE_DEPTH:
            self.error(value, f"includes nested deeper than {MAX_INCLUDE_DEPTH}; flatten them")
            return ()
        try:
            included = read_source(target, display_path(target))
        except RoutineError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return ()
        outer = self.source
        self.source = included
        self.include_stack.append(target)
        try:
            keys_in = self.mapping(included.root, "the included routine", _TOP_KEYS)
            if keys_in is None:
                return ()
            if "stages" not in keys_in:
                self.error(included.root, "an included file needs 'stages'")
                return ()
            for key, (key_node, _) in keys_in.items():
                if key not in {"stages", "voiceguide", "title", "description", "author"}:
                    self.warning(
                        key_node,
                        f"only the stages of an included file are used; its {key!r} is ignored",
                    )
            return self.items(keys_in["stages"][1], "stages")
        finally:
            self.include_stack.pop()
            self.source = outer


def diagnostic_order(diagnostic: Diagnostic) -> tuple[str, int, int]:
    where = diagnostic.position
    return (where.path, where.line, where.column) if where else ("", 0, 0)


def _with_warnings(routine: Routine, diagnostics: list[Diagnostic]) -> Routine:
    from voiceguide.model.record import replace

    warnings = tuple(
        sorted((d for d in diagnostics if d.severity is Severity.WARNING), key=diagnostic_order)
    )
    return replace(routine, warnings=warnings)
