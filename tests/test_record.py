"""voiceguide.model.record: frozen records that behave as frozen dataclasses."""

from __future__ import annotations

import pickle

import pytest

from voiceguide.model.record import Record, field, replace


class Point(Record):
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


class Pair(Record):
    a: int
    b: str


class Handle(Record, eq=False):
    name: str


def test_fields_defaults_and_factories() -> None:
    """Positional and keyword arguments, defaults, and a new default from the factory
    for every instance (never one shared list)."""
    first, second = Point(1), Point(x=2, y=3)
    assert (first.x, first.y, first.tags) == (1, 0, [])
    assert (second.x, second.y) == (2, 3)
    assert first.tags is not second.tags
    assert Point(1, 2, ["a"]).tags == ["a"]


def test_wrong_arguments_are_type_errors() -> None:
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, 2, [], 4)  # type: ignore[call-arg]


def test_frozen() -> None:
    point = Point(1)
    with pytest.raises(AttributeError, match="frozen"):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del point.x
    assert point.x == 1


def test_equality_hash_and_repr() -> None:
    """Equal when of the same class with equal fields (and then of equal hash);
    ``eq=False`` compares by identity."""
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(1, 3)
    assert Point(1) != Handle("a")
    assert len({Pair(1, "a"), Pair(1, "a"), Pair(2, "a")}) == 2
    with pytest.raises(TypeError):  # hashable only with hashable fields, as a dataclass
        hash(Point(1, 2, ["list"]))
    assert len({Handle("a"), Handle("a")}) == 2
    assert Handle("a") != Handle("a")
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=[])"


def test_replace_and_pickle() -> None:
    point = Point(1, 2, ["a"])
    moved = replace(point, y=5)
    assert moved == Point(1, 5, ["a"])
    assert point.y == 2
    with pytest.raises(TypeError):
        replace(point, z=1)
    assert pickle.loads(pickle.dumps(point)) == point
