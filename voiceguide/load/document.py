"""A routine file's top level: the routine itself, its voice, safety notes, phrases and
course; :mod:`~voiceguide.load.items` reads its stages, :mod:`~voiceguide.load.cues` its
cues."""

from __future__ import annotations

import yaml

from voiceguide.errors import Diagnostic, Severity
from voiceguide.load.cues import read_cues
from voiceguide.load.includes import close_include, open_include
from voiceguide.load.items import read_items
from voiceguide.load.keys import (
    COURSE_KEYS,
    ROUTINE_MODE_KEYS,
    SAFETY_KEYS,
    TOP_KEYS,
    VOICE_KEYS,
)
from voiceguide.load.source import Source
from voiceguide.load.values import Reader, diagnostic_order, is_null
from voiceguide.model import routine as model
from voiceguide.model.routine import (
    FORMAT_VERSION,
    Block,
    Course,
    Cues,
    Item,
    Routine,
    Safety,
    Voice,
    stage_count,
    written_stages,
)
from voiceguide.phrases import PHRASE_KEYS, language_problem, phrases_for


def read_routine(r: Reader, source: Source, name: str | None) -> Routine | None:
    """The routine in ``source`` with its warnings, or ``None`` when its top level is not a
    mapping; every problem goes to ``r``."""
    r.source = source
    r.include_stack.append(source.path.resolve())
    keys = r.mapping(source.root, "the routine", TOP_KEYS)
    if keys is None:
        return None
    get = keys.get
    if "voiceguide" not in keys:
        r.error(source.root, "missing 'voiceguide: 1' (the format version) at the top")
    else:
        version_node = keys["voiceguide"][1]
        version = r.integer(version_node, "'voiceguide' (the format version)", 0, 10**6)
        if version is not None and version != FORMAT_VERSION:
            r.error(
                version_node,
                f"format version {version} is not supported; this voiceguide reads version {FORMAT_VERSION}",
            )
    title = r.text(keys["title"][1], "title") if "title" in keys else None
    if "title" not in keys:
        r.error(source.root, "missing 'title'; every routine needs one")
    language = "en"
    if (entry := get("language")) and (lang := r.text(entry[1], "language")):
        if not lang.replace("-", "").replace("_", "").isalnum() or len(lang) > 20:
            r.error(entry[1], f"language {lang!r} is not a language code such as en, uk or lv")
        elif problem := language_problem(lang):
            r.error(entry[1], problem)
        language = lang
    phrases = phrases_for(language)
    if entry := get("phrases"):
        phrases.update(_phrases(r, entry[1]))
    cues = Cues()
    if entry := get("cues"):
        cues = cues.merged(read_cues(r, entry[1], "cues"))
    transition = 0.0
    if (entry := get("transition")) and (
        gap := r.duration(entry[1], "transition", allow_zero=True)
    ) is not None:
        transition = gap
    stages: tuple[Item, ...] = ()
    if "stages" not in keys:
        r.error(source.root, "missing 'stages'; list the stages of the session")
    else:
        stages = read_items(r, keys["stages"][1], "stages")
        if r.stages_written <= model.MAX_STAGES:
            _check_stage_count(r, keys["stages"][1], stages)
    routine = Routine(
        title=title or "",
        stages=stages,
        path=source.path,
        name=name,
        description=r.optional_text(get("description"), "description"),
        language=language,
        author=r.optional_text(get("author"), "author"),
        voice=_voice(r, get("voice")),
        position_text=r.optional_text(get("position"), "position"),
        preparation=r.texts(keys["preparation"][1], "preparation") if "preparation" in keys else (),
        closing=r.optional_text(get("closing"), "closing"),
        safety=_safety(r, get("safety")),
        cues=cues,
        transition=transition,
        phrases=phrases,
        course=_course(r, keys["course"][1]) if "course" in keys else None,
        sparing_description=_mode_description(r, get("sparing"), "sparing"),
        painful_description=_mode_description(r, get("painful"), "painful"),
    )
    _warn_sparing_without_sessions(r, routine)
    if routine.course is not None and stages:
        _check_first_session(r, keys["stages"][1], routine)
    if entry := get("safety"):
        _check_safety_length(r, entry[1], routine.safety, phrases)
    total = routine.stage_time
    if stages and total > model.MAX_SESSION_SECONDS:
        r.error(
            keys["stages"][1],
            f"the session lasts {total / 3600:.1f} hours, over the 24-hour limit; shorten stages or repeats",
        )
    routine = _with_warnings(routine, r.diagnostics)
    r.include_stack.pop()
    return routine


def _check_stage_count(r: Reader, node: yaml.Node, stages: tuple[Item, ...]) -> None:
    """A session has at most :data:`~voiceguide.model.routine.MAX_STAGES` stages, each
    repetition counted: worked out from the repeats, never by repeating them. The block
    that alone goes over the limit is named (the innermost such), else the whole list."""
    total = stage_count(stages)
    if total <= model.MAX_STAGES:
        return
    culprit: Block | None = None
    items = stages
    while block := next(
        (i for i in items if isinstance(i, Block) and stage_count((i,)) > model.MAX_STAGES), None
    ):
        culprit, items = block, block.items
    if culprit is not None:
        inner = stage_count(culprit.items)
        message = (
            f"this block plays {culprit.repeat * inner:,} stages ({culprit.repeat} × {inner:,}), "
            f"over the {model.MAX_STAGES:,} a session may have; repeat it fewer times"
        )
        r.diagnostics.append(Diagnostic(Severity.ERROR, message, culprit.position))
        return
    r.error(
        node,
        f"the session plays {total:,} stages, repeats counted, over the {model.MAX_STAGES:,} "
        "it may have; split it into several routines",
    )


def _check_safety_length(
    r: Reader, node: yaml.Node, safety: Safety, phrases: dict[str, str]
) -> None:
    """The contraindications, and the stop-if warnings, are each spoken as one sentence:
    each is held to the length of one text."""
    for key, items in (
        ("contraindications", safety.contraindications),
        ("stop_if", safety.stop_if),
    ):
        spoken = len(phrases.get(key, "")) + sum(len(item) + 2 for item in items) + 1
        if items and spoken > model.MAX_TEXT_CHARS:
            r.error(
                node,
                f"the {key} are spoken as one sentence of {spoken:,} characters, over the "
                f"{model.MAX_TEXT_CHARS:,} one text may have; shorten them",
            )


def _mode_description(
    r: Reader, entry: tuple[yaml.Node, yaml.Node] | None, mode: str
) -> str | None:
    """The description the routine gives for ``mode`` (a sparing session, a painful side)."""
    if entry is None:
        return None
    keys = r.mapping(entry[1], f"{mode} of the routine", ROUTINE_MODE_KEYS)
    if not keys:
        if keys is not None:
            r.warning(entry[1], f"{mode} is empty; give it a 'description'")
        return None
    return r.optional_text(keys.get("description"), f"{mode} description")


def _warn_sparing_without_sessions(r: Reader, routine: Routine) -> None:
    """Sparing words are said only in a course's sparing sessions, and a stage offered
    from a later session needs a course that has it: warn where they never come."""
    course = routine.course
    for stage in written_stages(routine.stages):
        if stage.sparing is not None and (course is None or not course.sparing):
            why = "has no course" if course is None else "has no sparing sessions"
            fix = "add course: {..., sparing: N}" if course is None else "add sparing: N to course"
            message = (
                f"stage {stage.name!r} gives sparing words, but the routine {why}, so they are "
                f"never said; {fix}"
            )
            r.diagnostics.append(Diagnostic(Severity.WARNING, message, stage.position))
        if stage.from_session > 1 and (course is None or stage.from_session > course.sessions):
            message = (
                f"stage {stage.name!r} is offered from session {stage.from_session}, but the "
                + ("routine has no course" if course is None else f"course has {course.sessions}")
                + "; it is played only in the routine as written"
            )
            r.diagnostics.append(Diagnostic(Severity.WARNING, message, stage.position))


def _check_first_session(r: Reader, node: yaml.Node, routine: Routine) -> None:
    """The first session of a course has at least one stage: one starts at session 1."""
    earliest = min(stage.from_session for stage in written_stages(routine.stages))
    if earliest > 1:
        r.error(
            node,
            f"session 1 of the course has no stage: the earliest starts at session {earliest} "
            "(from_session); let at least one stage start at session 1",
        )


def _course(r: Reader, node: yaml.Node) -> Course | None:
    keys = r.mapping(node, "course", COURSE_KEYS)
    if keys is None:
        return None
    missing = [k for k in ("sessions", "first") if k not in keys]
    if missing:
        r.error(
            node,
            f"course needs {' and '.join(map(repr, missing))}, as in {{sessions: 10, first: 5m}}",
        )
        return None
    sessions = r.integer(keys["sessions"][1], "sessions", 1, 100)
    first = r.duration(keys["first"][1], "first (the massage time of session 1)")
    full_from = sessions
    if "full_from" in keys:
        full_from = r.integer(keys["full_from"][1], "full_from", 1, 100)
    sparing = r.integer(keys["sparing"][1], "sparing", 0, 100) if "sparing" in keys else 0
    if sessions is None or first is None or full_from is None or sparing is None:
        return None
    if full_from > sessions:
        r.error(
            keys["full_from"][1],
            f"full_from {full_from} is after the last session ({sessions})",
        )
        return None
    if sparing > sessions:
        r.error(keys["sparing"][1], f"sparing {sparing} is more than the {sessions} sessions")
        return None
    return Course(sessions, first, full_from, sparing)


def _voice(r: Reader, entry: tuple[yaml.Node, yaml.Node] | None) -> Voice:
    if entry is None:
        return Voice()
    keys = r.mapping(entry[1], "voice", VOICE_KEYS)
    if keys is None:
        return Voice()
    voice_id = r.text(keys["id"][1], "voice id") if "id" in keys else None
    rate = (
        r.integer(keys["rate"][1], "voice rate (words per minute)", 40, 500)
        if "rate" in keys
        else None
    )
    volume = r.number(keys["volume"][1], "voice volume", 0.0, 1.0) if "volume" in keys else None
    return Voice(voice_id, rate, volume)


def _safety(r: Reader, entry: tuple[yaml.Node, yaml.Node] | None) -> Safety:
    if entry is None:
        return Safety()
    return _safety_in(r, entry[1])


def _safety_in(r: Reader, node: yaml.Node) -> Safety:
    """The safety notes in ``node``: those of the file it includes first, then its own,
    each once."""
    keys = r.mapping(node, "safety", SAFETY_KEYS)
    if keys is None:
        return Safety()
    shared = _included_safety(r, keys["include"][1]) if "include" in keys else Safety()
    own = {
        key: r.texts(keys[key][1], key) if key in keys else ()
        for key in ("contraindications", "stop_if")
    }
    return Safety(
        contraindications=tuple(
            dict.fromkeys((*shared.contraindications, *own["contraindications"]))
        ),
        stop_if=tuple(dict.fromkeys((*shared.stop_if, *own["stop_if"]))),
    )


def _included_safety(r: Reader, value: yaml.Node) -> Safety:
    """The ``safety`` of the file ``value`` names (a list shared by several routines)."""
    included = open_include(r, value)
    if included is None:
        return Safety()
    try:
        keys = r.mapping(included.root, "the included safety file", TOP_KEYS)
        if keys is None:
            return Safety()
        if "safety" not in keys:
            r.error(included.root, "a safety file to include needs 'safety'")
            return Safety()
        for key, (key_node, _) in keys.items():
            if key not in {"safety", "voiceguide", "title", "description"}:
                r.warning(
                    key_node, f"only the safety of an included file is used; its {key!r} is ignored"
                )
        return _safety_in(r, keys["safety"][1])
    finally:
        close_include(r)


def _phrases(r: Reader, node: yaml.Node) -> dict[str, str]:
    keys = r.mapping(node, "phrases", PHRASE_KEYS)
    result: dict[str, str] = {}
    for key, (_, value) in (keys or {}).items():
        if (
            isinstance(value, yaml.ScalarNode)
            and not is_null(value)
            and not str(value.value).strip()
        ):
            result[key] = ""  # an empty phrase turns that sentence off
            continue
        context = "sided" if key in {"switch", "painful_intro"} else "phrase"
        text = r.text(value, f"phrase {key!r}", template=context, name=key == "last_stage")
        if text is not None:
            result[key] = text
    return result


def _with_warnings(routine: Routine, diagnostics: list[Diagnostic]) -> Routine:
    from voiceguide.model.record import replace

    warnings = tuple(
        sorted((d for d in diagnostics if d.severity is Severity.WARNING), key=diagnostic_order)
    )
    return replace(routine, warnings=warnings)
