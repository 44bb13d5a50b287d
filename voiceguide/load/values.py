"""What the reader keeps as it goes, and the values every part of a routine is made of.

A :class:`Reader` is passed to the functions that read each part of a routine
(:mod:`~voiceguide.load.document`, :mod:`~voiceguide.load.items`,
:mod:`~voiceguide.load.cues`): it knows the file being read, collects every problem met as
a :class:`~voiceguide.errors.Diagnostic` at its file:line:column, and reads the shapes and
scalars (mappings with known keys, texts, numbers, durations, template texts), reporting
what is wrong and going on.
"""

from __future__ import annotations

import string
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from voiceguide.durations import parse_duration
from voiceguide.errors import Diagnostic, Position, Severity
from voiceguide.load.source import Source, position_of
from voiceguide.model import routine as model
from voiceguide.model.routine import TEMPLATE_VARIABLES
from voiceguide.text import stray_control

_SCALARS = SafeConstructor()

_TAG_NAMES = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "nothing",
}


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _TAG_NAMES.get(node.tag, "text")


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


class Reader:
    """The file being read, the chain of includes that led to it, every problem met so
    far; and the reading of the shapes and scalars every part is made of."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.source: Source
        self.include_stack: list[Path] = []
        self.outer_sources: list[Source] = []
        """The files that named the includes being read, innermost last."""
        self.stages_written = 0
        """Stages met so far, in this file and those it includes, each counted once
        however often it is repeated (and each time its file is included)."""
        self.includes_read = 0
        self.included_chars = 0
        """How many includes have been read, and how much text they held, a file counted
        each time it is included."""

    # -- reporting

    def pos(self, node: yaml.Node) -> Position:
        return position_of(self.source.label, node)

    def error(self, node: yaml.Node, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.ERROR, message, self.pos(node)))

    def warning(self, node: yaml.Node, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.WARNING, message, self.pos(node)))

    # -- shapes and scalars

    def mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values, not {describe(node)}")
            return None
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or is_null(key_node):
                self.error(
                    key_node, f"keys in {what} must be plain names, not {describe(key_node)}"
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
                if " " in key and is_null(value_node) and node.flow_style:
                    hint = (
                        "if this is the rest of a text cut at a comma, put the whole text in quotes"
                    )
                self.error(key_node, f"unknown key {key!r} in {what}; {hint}")
                continue
            result[key] = (key_node, value_node)
        return result

    def text(
        self,
        node: yaml.Node,
        what: str,
        *,
        template: str | None = None,
        name: bool = False,
        fix: str = "shorten it",
        path: bool = False,
    ) -> str | None:
        """The text in ``node``; a ``name`` (of a stage or a side) is held to the shorter
        length of a name, and ``fix`` says how to shorten a text too long. A ``path`` is
        not warned of for control characters: its reader refuses them."""
        if not isinstance(node, yaml.ScalarNode) or is_null(node):
            self.error(node, f"{what} must be text, not {describe(node)}")
            return None
        value = str(node.value).strip()
        if not value:
            self.error(node, f"{what} is empty; write the text or remove the key")
            return None
        if not path and (stray := stray_control(value)):
            self.warning(
                node, f"{what} holds the control character {stray}, not said or shown; delete it"
            )
        longest = model.MAX_NAME_CHARS if name else model.MAX_TEXT_CHARS
        if len(value) > longest:
            kind = "a name" if name else "one text"
            self.error(
                node,
                f"{what} is {len(value):,} characters long, over the {longest:,} {kind} may "
                f"have; {'shorten it' if name else fix}",
            )
            return None
        if template is not None:
            self.check_template(node, value, what, template)
        return value

    def texts(
        self, node: yaml.Node, what: str, *, template: str | None = None, name: bool = False
    ) -> tuple[str, ...]:
        if isinstance(node, yaml.SequenceNode):
            if not node.value:
                self.error(node, f"{what} is an empty list; add text or remove the key")
            items = (
                self.text(
                    item,
                    f"an item of {what}",
                    template=template,
                    name=name,
                    fix="split it into shorter items",
                )
                for item in node.value
            )
            return tuple(item for item in items if item is not None)
        single = self.text(
            node, what, template=template, name=name, fix="split it into a list of shorter texts"
        )
        return (single,) if single is not None else ()

    def integer(self, node: yaml.Node, what: str, low: int, high: int) -> int | None:
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int"):
            self.error(
                node, f"{what} must be a whole number from {low} to {high}, not {describe(node)}"
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
                node, f"{what} must be a number from {low:g} to {high:g}, not {describe(node)}"
            )
            return None
        value = float(_SCALARS.construct_yaml_float(node))
        if not low <= value <= high:
            self.error(node, f"{what} must be from {low:g} to {high:g}, not {value:g}")
            return None
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool"):
            self.error(node, f"{what} must be true or false, not {describe(node)}")
            return None
        return bool(_SCALARS.construct_yaml_bool(node))

    def duration(self, node: yaml.Node, what: str, *, allow_zero: bool = False) -> float | None:
        if not isinstance(node, yaml.ScalarNode) or is_null(node) or node.tag.endswith(":bool"):
            self.error(
                node,
                f"{what} must be a duration such as 45s, 1m30s or 2 min, not {describe(node)}",
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
        longest = len(value) + sum(_longest_fill(name) - len(name) - 2 for name in fields)
        if longest > model.MAX_TEXT_CHARS:
            self.error(
                node,
                f"{what} can reach {longest:,} characters with its variables filled in (a "
                f"name up to {model.MAX_NAME_CHARS}), over the {model.MAX_TEXT_CHARS:,} one "
                "text may have; use fewer variables or shorten the text",
            )

    def optional_text(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> str | None:
        return self.text(entry[1], what) if entry else None


def _longest_fill(variable: str) -> int:
    """The most characters a template variable can be filled in with: a name for
    {stage}, {next} and {side}, a number for {n} and {total}, a spoken time for
    {remaining}."""
    if variable in {"stage", "next", "side"}:
        return model.MAX_NAME_CHARS
    return 60 if variable == "remaining" else 4


def diagnostic_order(diagnostic: Diagnostic) -> tuple[str, int, int]:
    where = diagnostic.position
    return (where.path, where.line, where.column) if where else ("", 0, 0)
