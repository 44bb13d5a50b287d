"""The history as the patient and the therapist read it: a table with column headers and
each session's outcome in words, a line for each routine (the course's progress, the
pain trend, the guidance's advice when it applies), and the whole record as CSV or JSON.

    print(table(records))
    print(as_csv(records), end="")
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime

from voiceguide.course_review import FEELING_WORDS, course_advice, pain_trend
from voiceguide.durations import format_clock
from voiceguide.errors import VoiceguideError
from voiceguide.history import History, SessionRecord

FORMATS = ("table", "csv", "json")

FIELDS = (
    "id",
    "routine",
    "title",
    "session",
    "started",
    "ended",
    "outcome",
    "description",
    "stage",
    "position",
    "duration",
    "pain_before",
    "pain_after",
    "feeling",
)
"""The keys of a session in CSV and JSON, in this order. ``started`` and ``ended`` are
ISO 8601 in UTC; ``position`` (where it got to) and ``duration`` are seconds;
``outcome`` is finished, quit, interrupted (Ctrl-C), terminated (SIGTERM), hung-up
(SIGHUP), device-lost or playing (no end recorded), ``description`` the same in words;
``feeling`` is better, same or worse."""

STOPPED = {
    "quit": "stopped with the q key",
    "interrupted": "stopped with Ctrl-C",
    "terminated": "stopped by a signal (SIGTERM)",
    "hung-up": "stopped by a signal (SIGHUP: the terminal closed)",
    "device-lost": "stopped: the sound device was lost",
}
NO_END = "stopped (no end recorded)"
"""A session whose player was killed (or is playing still)."""


def describe_outcome(record: SessionRecord) -> str:
    """How the session ended, in words: "finished", or "stopped: the sound device was
    lost at 01:00 (Kneading)"."""
    if record.ended is None:
        how = NO_END
    elif record.completed:
        return "finished"
    else:
        how = STOPPED.get(record.outcome, record.outcome)
    return f"{how} at {format_clock(record.position)} ({record.stage or 'start'})"


def as_dicts(records: Sequence[SessionRecord]) -> list[dict[str, object]]:
    """Each session as a dict of :data:`FIELDS`."""
    return [
        {
            "id": r.id,
            "routine": r.routine,
            "title": r.title,
            "session": r.session,
            "started": r.started,
            "ended": r.ended,
            "outcome": r.outcome,
            "description": describe_outcome(r),
            "stage": r.stage,
            "position": r.position,
            "duration": r.duration,
            "pain_before": r.pain_before,
            "pain_after": r.pain_after,
            "feeling": r.feeling,
        }
        for r in records
    ]


def as_json(records: Sequence[SessionRecord]) -> str:
    """A JSON list with an object for each session (keys: :data:`FIELDS`)."""
    return json.dumps(as_dicts(records), indent=2, ensure_ascii=False) + "\n"


def as_csv(records: Sequence[SessionRecord]) -> str:
    """CSV with a header row of :data:`FIELDS`; an empty field for nothing."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(as_dicts(records))
    return out.getvalue()


def _local_time(stamp: str) -> str:
    """An ISO 8601 time as the clock on the wall showed it: "2025-03-01 09:15"."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def _pain(record: SessionRecord) -> str:
    if record.pain_before is None and record.pain_after is None:
        return ""

    def shown(pain: int | None) -> str:
        return "-" if pain is None else str(pain)

    return f"{shown(record.pain_before)} → {shown(record.pain_after)}"


HEADERS = ("When", "Session", "Routine", "Pain", "Since start", "Outcome")


def table(records: Sequence[SessionRecord]) -> str:
    """The sessions under column headers, one a line: when (local time), the course
    session, the title, the pain before → after, better/the same/worse since the course
    began, and the outcome in words."""
    rows = [HEADERS] + [
        (
            _local_time(r.started),
            str(r.session) if r.session else "-",
            r.title,
            _pain(r),
            FEELING_WORDS.get(r.feeling or "", r.feeling or ""),
            describe_outcome(r),
        )
        for r in records
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def summary(store: History, records: Sequence[SessionRecord]) -> list[str]:
    """Lines for each routine among ``records``: how far its course has got and what is
    next, the pain trend ("pain 6 → 3 over 5 sessions"), and the guidance's advice when
    the course's record brings it (see :mod:`voiceguide.course_review`)."""
    from voiceguide.load import load_routine

    lines = []
    for name in dict.fromkeys(r.routine for r in records):
        own = [r for r in records if r.routine == name]
        parts = []
        try:
            course = load_routine(name).course
        except VoiceguideError:
            course = None
        if course is not None:
            done = store.completed_sessions(name)
            parts.append(f"{done} of {course.sessions} course sessions done")
            parts.append(
                f"next: session {done + 1}" if done < course.sessions else "course complete"
            )
        trend = pain_trend(own)
        if trend:
            parts.append(trend)
        advice = course_advice(own)
        if parts or advice:
            lines.append(f"{name}: {'; '.join(parts)}".rstrip())
        if advice is not None:
            lines += [f"  {line}" for line in advice.lines]
    return lines


__all__ = [
    "FIELDS",
    "FORMATS",
    "as_csv",
    "as_dicts",
    "as_json",
    "describe_outcome",
    "summary",
    "table",
]
