"""Frozen records, declared like dataclasses, at a fraction of their start-up cost.

The models on the path of every command (routine, script, diagnostics) are declared as
frozen dataclasses would be: annotated fields, defaults, ``field(default_factory=...)``;
type checkers see them as such (PEP 681, ``dataclass_transform``). ``dataclasses`` writes
and compiles four or five methods for each class as its module is imported, which was
most of what ``voiceguide preview`` spent starting beyond click and PyYAML
(``bench/startup``). A :class:`Record` compiles one method, its
``__init__``, the first time an instance is made, and shares the rest:

- ``__init__`` as a dataclass's (positional or keyword, defaults, factories), just as
  fast once compiled;
- frozen: assigning or deleting a field raises :class:`AttributeError`;
- ``__eq__`` and ``__hash__`` by type and fields, or identity with ``eq=False``;
- ``__repr__`` as a dataclass's.

:func:`replace` is :func:`dataclasses.replace` for records.

Why not ``typing.NamedTuple``, which starts about as fast: it would change behaviour.
Records with ``eq=False`` would compare by value (a stage equal to its copy, and to a
plain tuple), those holding a dict could not be hashed, defaults could not be factories,
and every record would be a tuple (``len``, iteration, ordering). Dataclasses keep the
behaviour and cost more start-up (bench/README.md, "Records" has the figures).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, dataclass_transform

_MISSING: Any = object()
_FACTORY: Any = object()


class _Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Callable[[], Any] | None) -> None:
        self.default = default
        self.default_factory = default_factory


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None) -> Any:
    """A field's default, or the function that makes a new one for each instance."""
    return _Field(default, default_factory)


R = TypeVar("R", bound="Record")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record:
    """Base class of the frozen records; ``class Name(Record, eq=False)`` compares by
    identity."""

    _record_fields: ClassVar[tuple[str, ...]] = ()
    _record_defaults: ClassVar[dict[str, Any]] = {}
    _record_factories: ClassVar[dict[str, Callable[[], Any]]] = {}

    def __init_subclass__(cls, *, eq: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = list(cls._record_fields)
        defaults = dict(cls._record_defaults)
        factories = dict(cls._record_factories)
        for name, annotation in inspect.get_annotations(cls).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            if name not in names:
                names.append(name)
            value = cls.__dict__.get(name, _MISSING)
            if isinstance(value, _Field):
                if value.default_factory is not None:
                    factories[name] = value.default_factory
                    delattr(cls, name)
                    continue
                value = value.default
                setattr(cls, name, value)
            if value is not _MISSING:
                defaults[name] = value
        cls._record_fields = tuple(names)
        cls._record_defaults = defaults
        cls._record_factories = factories
        setattr(cls, "__init__", _init_on_first_use)  # noqa: B010 - mypy sees the synthesized one
        if not eq:
            cls.__eq__ = object.__eq__  # type: ignore[method-assign]
            cls.__hash__ = object.__hash__  # type: ignore[method-assign]

    def _values(self) -> tuple[Any, ...]:
        return tuple(self.__dict__[name] for name in self._record_fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self._record_fields)
        return f"{self.__class__.__qualname__}({fields})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is frozen")


def _init_on_first_use(self: Record, *args: Any, **kwargs: Any) -> None:
    """Compile the class's ``__init__``, put it in place, and make this instance with it."""
    cls = type(self)
    init = _compile_init(cls)
    setattr(cls, "__init__", init)  # noqa: B010
    init(self, *args, **kwargs)


def _compile_init(cls: type[Record]) -> Callable[..., None]:
    parameters, body = [], []
    for name in cls._record_fields:
        if name in cls._record_factories:
            parameters.append(f"{name}=_FACTORY")
            body.append(f" d[{name!r}] = _factories[{name!r}]() if {name} is _FACTORY else {name}")
        else:
            if name in cls._record_defaults:
                parameters.append(f"{name}=_defaults[{name!r}]")
            elif parameters and "=" in parameters[-1]:
                raise TypeError(
                    f"{cls.__name__}: field {name!r} without a default follows one with"
                )
            else:
                parameters.append(name)
            body.append(f" d[{name!r}] = {name}")
    source = f"def __init__(self, {', '.join(parameters)}):\n d = self.__dict__\n" + "\n".join(
        body or [" pass"]
    )
    namespace: dict[str, Any] = {
        "_defaults": cls._record_defaults,
        "_factories": cls._record_factories,
        "_FACTORY": _FACTORY,
    }
    exec(compile(source, f"<{cls.__qualname__}.__init__>", "exec"), namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def replace(record: R, /, **changes: Any) -> R:
    """A copy of ``record`` with some fields changed."""
    values = {name: record.__dict__[name] for name in record._record_fields}
    values.update(changes)
    return type(record)(**values)
