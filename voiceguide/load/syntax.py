"""YAML syntax errors as one line each, at the place to fix: a bracket, a brace or a
quote left open is reported where it opened, with where PyYAML noticed; a character YAML
does not allow, where it is."""

from __future__ import annotations

import yaml

from voiceguide.errors import Diagnostic, Position, RoutineError, Severity

try:  # the same loader the source is composed with, so marks agree
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

_CLOSERS = {"[": ("']'", "the list"), "{": ("'}'", "the mapping")}
_OPENERS = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
_ENDS = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)


def syntax_error(exc: yaml.MarkedYAMLError, text: str, label: str) -> RoutineError:
    """The one-line error for a YAML syntax error in ``text``."""
    problem = exc.problem or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if "expected a single document" in (exc.context or "") + problem:
        message = "more than one YAML document ('---'); a routine file holds one"
        return _one(label, message, line, column)
    unclosed = _unclosed(exc, text)
    if unclosed is not None:
        opener, at_line, at_column = unclosed
        closer, what = _CLOSERS.get(opener, (repr(opener), "the text"))
        fix = f"close {what} with {closer}" if opener in _CLOSERS else f"end {what} with {closer}"
        message = f"{opener!r} is not closed (PyYAML noticed at {line}:{column}: {problem}); {fix}"
        return _one(label, message, at_line, at_column)
    context = f" {exc.context}" if exc.context else ""
    message = f"YAML syntax error: {problem}{context}; check indentation, colons and quotes"
    return _one(label, message, line, column)


def character_error(exc: yaml.reader.ReaderError, text: str, label: str) -> RoutineError:
    """The one-line error for a character YAML does not allow (a control character)."""
    character = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    message = (
        f"character {character!r} (U+{ord(character[:1] or ' '):04X}) is not allowed in YAML; "
        "remove it"
    )
    return _one(label, message, line, column)


def _one(label: str, message: str, line: int, column: int) -> RoutineError:
    return RoutineError([Diagnostic(Severity.ERROR, message, Position(label, line, column))])


def _unclosed(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, int, int] | None:
    """The bracket, brace or quote (and its 1-based line and column) that ``exc`` shows
    was left open, or None when the error is of another kind."""
    problem = exc.problem or ""
    where = exc.problem_mark
    if where is None:
        return None
    context_mark = exc.context_mark
    if exc.context == "while scanning a quoted scalar" and context_mark is not None:
        if "end of stream" in problem or "document separator" in problem:
            quote = _char_at(text, context_mark.line, context_mark.column)
            if quote in {"'", '"'}:
                return quote, context_mark.line + 1, context_mark.column + 1
        return None
    at_end = not text[_offset(text, where.line, where.column) :].strip()
    if not ("expected ',' or" in problem or at_end):
        return None
    token = _innermost_open_bracket(text, (where.line, where.column))
    if token is None:
        return None
    opener = "[" if isinstance(token, yaml.FlowSequenceStartToken) else "{"
    return opener, token.start_mark.line + 1, token.start_mark.column + 1


def _innermost_open_bracket(text: str, before: tuple[int, int]) -> yaml.Token | None:
    """The innermost '[' or '{' still open when the scanner reaches ``before`` (a 0-based
    line and column) and never closed by its own kind of bracket after it."""
    stack: list[yaml.Token] = []
    candidate: int | None = None
    try:
        for token in yaml.scan(text, Loader=SafeLoader):
            if candidate is None and (token.start_mark.line, token.start_mark.column) >= before:
                if not stack:
                    return None
                candidate = len(stack) - 1
            if isinstance(token, _OPENERS):
                stack.append(token)
            elif isinstance(token, _ENDS) and stack:
                opened = stack.pop()
                if len(stack) == candidate:
                    closed_by_its_own = isinstance(token, yaml.FlowSequenceEndToken) == isinstance(
                        opened, yaml.FlowSequenceStartToken
                    )
                    return None if closed_by_its_own else opened
    except yaml.YAMLError:
        pass
    if candidate is None:
        return stack[-1] if stack else None
    return stack[candidate] if candidate < len(stack) else None


def _offset(text: str, line: int, column: int) -> int:
    """The index in ``text`` of a 0-based line and column (the end when past it)."""
    offset = 0
    for _ in range(line):
        newline = text.find("\n", offset)
        if newline < 0:
            return len(text)
        offset = newline + 1
    return min(offset + column, len(text))


def _char_at(text: str, line: int, column: int) -> str:
    offset = _offset(text, line, column)
    return text[offset : offset + 1]
