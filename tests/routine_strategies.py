"""Hypothesis strategies for hostile routines: routines built by walking the routine
schema (voiceguide/schema/routine.schema.json), and the built-in routines mutated, both
with wrong types, huge and tiny values, deep nesting, odd unicode and broken includes
mixed in, then damaged as text (tags, cut short, odd characters, other encodings).

A routine is written into a folder that :func:`make_playground` fills with what its
includes and cue sounds may name: good parts, broken ones, a folder, a named pipe, a loop,
a binary file."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import wave
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from voiceguide.load.library import builtin_names, builtin_path

Json = dict[str, Any]
SCHEMA: Json = json.loads(
    (resources.files("voiceguide") / "schema" / "routine.schema.json").read_text("utf-8")
)
MAX_DEPTH = 5
"""How deep the schema walk goes before it takes the shortest way out (a stage, not a
block; the fewest items)."""

INCLUDE_NAMES = (
    "part.yaml", "safety-part.yaml", "shared/safety.yaml", "broken.yaml", "empty.yaml",
    "binary.yaml", "latin1.yaml", "loop.yaml", "tagged.yaml", "folder.yaml", "pipe.yaml",
    "missing.yaml", "../outside.yaml", "/etc/hostname", "a\x00b.yaml", "", "x" * 5000,
)  # fmt: skip
SOUND_NAMES = ("noise.wav", "silence.wav", "folder.wav", "pipe.wav", "missing.ogg", "a\x00.wav")
TAGS = (
    "!!python/object/apply:os.system", "!!python/name:os.system", "!!int", "!!float", "!!str",
    "!", "!mine", "!!binary", "!!set", "!!omap", "!!timestamp", "!<tag:example.com,2024:x>",
)  # fmt: skip
ODD_TEXTS = (
    "", " ", "\t", "~", "null", "yes", "0", "-0", "1e9999", "0.000001s", "-5s", "999999h",
    "{", "}", "{{", "{stage}" * 300, "{side}", "{0}", "{stage!r}", "\u202eevil", "\x00",
    "\x07\x08\x1b[2J", "a\r\nb", "line\u2028break", "\ufeffbom", "e\u0301" * 1500, "x" * 3000,
    "𝕏" * 200, "漢字" * 1500, "<<", "*alias", "&anchor", "- item", "key: value",
)  # fmt: skip
ODD_CHARACTERS = (
    "\t", "\x00", "\x85", "\u2028", "\ufeff", "[", "{", "'", '"', ":", "&a ", "*a", "<<: ", "\\",
    "#", "|", ">", "%", "@", "`", "---\n",
)  # fmt: skip


def one_in(times: int) -> st.SearchStrategy[bool]:
    """True one time in ``times``; False is the simplest value, the one Hypothesis draws
    when it tries the simplest case, and the one it shrinks to."""
    return st.sampled_from([False] * (times - 1) + [True])


def nested(depth: int) -> object:
    """A list nested ``depth`` levels deep."""
    value: object = "deep"
    for _ in range(depth):
        value = [value]
    return value


ODD_UNICODE = st.text(st.characters(codec="utf-8"), max_size=40)
HOSTILE: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(
        [None, True, False, 0, -1, 1, 1001, 10**100, -(10**100), 1e308, 1e-308, 0.5, 1e-6]
    ),
    st.sampled_from([float("inf"), float("-inf"), float("nan")]),
    st.sampled_from(ODD_TEXTS),
    ODD_UNICODE,
    st.integers(),
    st.floats(),
    st.integers(1, 60).map(nested),
    st.lists(ODD_UNICODE, max_size=4),
    st.dictionaries(ODD_UNICODE, st.integers(), max_size=3),
    st.sampled_from(INCLUDE_NAMES).map(lambda name: {"include": name}),
)
"""A value that fits nowhere in particular: wrong types, huge and tiny numbers, odd text."""


# --------------------------------------------------------------------------- from the schema


def _resolved(node: Json) -> Json:
    """``node`` with its $ref (and the first schema of an allOf) merged in."""
    while "$ref" in node or "allOf" in node:
        if "$ref" in node:
            target = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        else:
            first, *_ = node["allOf"]
            node = {**first, **{k: v for k, v in node.items() if k != "allOf"}}
    return node


@st.composite
def from_schema(draw: st.DrawFn, node: Json = SCHEMA, chaos: int = 0, depth: int = 0) -> object:
    """A value for the schema ``node``: one it describes, or (with ``chaos``, one time in
    ``chaos`` at each level) a hostile one or one with an unknown key."""
    if depth > 0 and chaos and draw(one_in(chaos)):
        return draw(HOSTILE)
    node = _resolved(node)
    for keyword in ("anyOf", "oneOf"):
        if keyword in node:
            branches = node[keyword] if depth < MAX_DEPTH else node[keyword][:1]
            return draw(from_schema(draw(st.sampled_from(branches)), chaos, depth + 1))
    if "enum" in node:
        return draw(st.sampled_from(node["enum"]))
    if "const" in node:
        return node["const"]
    kind = node.get("type")
    if isinstance(kind, list):
        kind = draw(st.sampled_from(kind))
    if kind == "object" or "properties" in node:
        return draw(_object(node, chaos, depth))
    if kind == "array":
        low = node.get("minItems", 0)
        high = max(low, min(node.get("maxItems", 4), 4 if depth < MAX_DEPTH else 1))
        items = node.get("items", {})
        return draw(st.lists(from_schema(items, chaos, depth + 1), min_size=low, max_size=high))
    if kind == "string":
        return draw(_string(node))
    if kind == "integer":
        return draw(st.integers(node.get("minimum", -5), node.get("maximum", 5000)))
    if kind == "number":
        low = float(node["minimum"] if "minimum" in node else node.get("exclusiveMinimum", 0))
        high = float(node["maximum"] if "maximum" in node else node.get("exclusiveMaximum", 5000))
        exclusive = "exclusiveMinimum" in node
        least = math.ceil(low) + exclusive
        whole = st.integers(least, max(least, math.floor(min(high, 600))))
        return draw(whole | st.floats(low, high, exclude_min=exclusive))
    if kind == "boolean":
        return draw(st.booleans())
    return draw(HOSTILE)


@st.composite
def _object(draw: st.DrawFn, node: Json, chaos: int, depth: int) -> Json:
    properties: dict[str, Json] = node.get("properties", {})
    required = set(node.get("required", ()))
    chosen = [key for key in properties if key in required or draw(one_in(3))]
    result: Json = {key: draw(from_schema(properties[key], chaos, depth + 1)) for key in chosen}
    if chaos and draw(one_in(2 * chaos)):
        result[draw(ODD_UNICODE)] = draw(HOSTILE)
    if "include" in properties and "include" in result:
        result["include"] = draw(st.sampled_from(INCLUDE_NAMES))
    return result


DURATIONS = ("3s", "45s", "1m", "1m30s", "2 min", "1:30", "90", "2.5")


def _string(node: Json) -> st.SearchStrategy[object]:
    """A text for ``node``: mostly one of its examples (a duration for a duration), else
    one matching its pattern, however odd."""
    pattern = node.get("pattern")
    examples = node.get("examples") or (DURATIONS if "[hH]" in str(pattern) else [])
    matching = st.from_regex(pattern) if pattern else ODD_UNICODE
    if node.get("maxLength"):
        matching = matching.filter(lambda text: len(text) <= 3 * node["maxLength"])
    parts = [matching]
    if examples:
        parts[:0] = [st.sampled_from(examples)] * 3
    if "wav" in str(pattern):
        parts.insert(0, st.sampled_from(SOUND_NAMES))
    return st.one_of(*parts)


# --------------------------------------------------------------------------- built-ins mutated


def _paths(value: object, here: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path (keys and indexes) to a value inside ``value``."""
    found: list[tuple[object, ...]] = [here]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*here, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*here, index)))
    return found


def _mutable_paths(document: Json) -> list[tuple[object, ...]]:
    """The paths a mutation may change, last ones first (the simplest draw changes the
    last value, not the format version that would hide everything else)."""
    return [path for path in reversed(_paths(document)[1:]) if path[0] != "voiceguide"]


def _at(document: object, path: tuple[object, ...]) -> Any:
    for step in path:
        document = document[step]  # type: ignore[index]
    return document


Mutation = Callable[[st.DrawFn, Json], None]


def _replace_a_value(draw: st.DrawFn, document: Json) -> None:
    path = draw(st.sampled_from(_mutable_paths(document)))
    _at(document, path[:-1])[path[-1]] = draw(HOSTILE)


def _drop_a_key(draw: st.DrawFn, document: Json) -> None:
    path = draw(st.sampled_from(_mutable_paths(document)))
    parent = _at(document, path[:-1])
    del parent[path[-1]]


def _repeat_a_stage(draw: st.DrawFn, document: Json) -> None:
    """Wrap a stage in repeat blocks, some of them huge, a few of them very deep."""
    stages = document.get("stages")
    if not isinstance(stages, list) or not stages:
        return
    index = draw(st.integers(0, len(stages) - 1))
    item: object = stages[index]
    for _ in range(draw(st.integers(1, 3) | st.just(45))):
        item = {"repeat": draw(st.sampled_from([2, 3, 10, 30, 1000, 0, -1, "x"])), "stages": [item]}
    stages[index] = item


def _include_something(draw: st.DrawFn, document: Json) -> None:
    stages = document.setdefault("stages", [])
    if isinstance(stages, list):
        stages.insert(
            draw(st.integers(0, len(stages))), {"include": draw(st.sampled_from(INCLUDE_NAMES))}
        )


def _many_stages(draw: st.DrawFn, document: Json) -> None:
    stages = document.get("stages")
    if isinstance(stages, list) and stages:
        document["stages"] = stages * draw(st.sampled_from([2, 40]))


MUTATIONS: tuple[Mutation, ...] = (
    _replace_a_value,
    _replace_a_value,
    _drop_a_key,
    _repeat_a_stage,
    _include_something,
    _many_stages,
)


@st.composite
def mutated_builtin(draw: st.DrawFn) -> Json:
    """A built-in routine, read as plain YAML, with one to three mutations."""
    name = draw(st.sampled_from(builtin_names()))
    document: Json = yaml.safe_load(builtin_path(name).read_text("utf-8"))
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        mutation(draw, document)
    return document


# --------------------------------------------------------------------------- as text


@st.composite
def routine_bytes(draw: st.DrawFn, document: object) -> bytes:
    """``document`` as YAML, damaged as text about half the time, encoded."""
    style = draw(st.sampled_from([False, True, None]))
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=style)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        text = draw(_damaged(text))
    encoding = draw(st.sampled_from(["utf-8"] * 20 + ["utf-8-sig", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(one_in(40)):
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\x00", b"\xc3", b"\xed\xa0\x80"]))
            + data[at:]
        )
    return data


@st.composite
def _damaged(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    how = draw(st.sampled_from(["tag", "cut", "character", "line"]))
    if how == "tag":
        colon = text.find(": ", at)
        if colon < 0:
            return text
        return text[: colon + 2] + draw(st.sampled_from(TAGS)) + " " + text[colon + 2 :]
    if how == "cut":
        return text[:at]
    if how == "character":
        return text[:at] + draw(st.sampled_from(ODD_CHARACTERS) | ODD_UNICODE) + text[at + 1 :]
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    line = draw(st.integers(0, len(lines) - 1))
    return "".join([*lines[: line + 1], *lines[line:]])


# --------------------------------------------------------------------------- the folder


def make_playground(folder: Path) -> None:
    """Fill ``folder`` with what includes and cue sounds may name."""
    good_stages = "stages:\n  - {name: Part, duration: 30s, say: A part.}\n"
    files: dict[str, bytes] = {
        "part.yaml": good_stages.encode(),
        "safety-part.yaml": b"safety: {contraindications: [fever], stop_if: [pain]}\n",
        "broken.yaml": b"stages: [{name: Broken, duration: 1m\n",
        "empty.yaml": b"# nothing\n",
        "binary.yaml": bytes(range(256)),
        "latin1.yaml": "stages: [{name: Caf\xe9, duration: 1m}]\n".encode("latin-1"),
        "loop.yaml": b"stages:\n  - include: loop.yaml\n",
        "tagged.yaml": b"stages: !!python/object/apply:os.system [true]\n",
        "noise.wav": os.urandom(4000),
        "silence.wav": _silent_wav(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    for name in ("folder.yaml", "folder.wav"):
        (folder / name).mkdir()
    for name in ("pipe.yaml", "pipe.wav"):
        os.mkfifo(folder / name)
    shutil.copytree(builtin_path("neck").parent / "shared", folder / "shared")


def _silent_wav(frames: int = 2205, rate: int = 22050) -> bytes:
    """A tenth of a second of silence as a 16-bit mono WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(bytes(2 * frames))
    return buffer.getvalue()
