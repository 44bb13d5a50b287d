"""What the patient's own record says about a course: the pain trend, and when the
guidance's advice to stop applies.

The rule follows one passage of the guidance in the project's domain texts (the one
beginning "By the way. An experienced doctor can relieve pain already in the first
session"):

    "If after three or more sessions the patient has not felt any improvement or even
    the condition has worsened, albeit slightly, it is better to change the specialist."

So from the third session of a course, ``play`` asks after the session whether things
are better, the same or worse since the course began (:data:`ASKED_FROM_SESSION`). Each
answer is about the whole course so far, so the latest one given is what counts (a
skipped question gives none):

- "worse" after any session: "even the condition has worsened, albeit slightly";
- "the same" after session 3 or later: "after three or more sessions the patient has
  not felt any improvement".

Either brings the :class:`Advice`: stop the course and see a doctor or a specialist. "better"
gives none, and a later "better" replaces an earlier "the same" or "worse". Nothing is
inferred from the pain scores: the rule is the patient's own answer, as the guidance's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voiceguide.history import SessionRecord

ASKED_FROM_SESSION = 3
"""The first session of a course after which the patient is asked how things are: "If
after three or more sessions the patient has not felt any improvement…"."""

GUIDANCE = (
    "If after three or more sessions the patient has not felt any improvement or even the "
    "condition has worsened, albeit slightly, it is better to change the specialist."
)
"""The passage the advice rests on, word for word."""

STOP = "Stop this course and see your doctor or a massage specialist."

FEELING_WORDS = {"better": "better", "same": "the same", "worse": "worse"}
"""Each answer on how things are since the course began, as it is shown."""


@dataclass(frozen=True)
class Advice:
    """The guidance's advice, and the answer that brought it."""

    session: int
    feeling: str
    """'worse' or 'same'."""

    @property
    def reason(self) -> str:
        if self.feeling == "worse":
            return (
                f"After session {self.session} you said things are worse than when the "
                "course began."
            )
        return (
            f"After session {self.session} you said things are no better than when the "
            "course began."
        )

    @property
    def lines(self) -> tuple[str, ...]:
        """The advice as it is shown: what to do, why, and the passage it follows."""
        return (STOP, self.reason, f'The massage guidance voiceguide follows says: "{GUIDANCE}"')


def advice_for(session: int, feeling: str | None) -> Advice | None:
    """The advice the answer ``feeling`` after course session ``session`` brings, if any:
    "worse" always, "same" from session 3 ("after three or more sessions … not felt any
    improvement")."""
    if feeling == "worse" or (feeling == "same" and session >= ASKED_FROM_SESSION):
        return Advice(session, feeling)
    return None


def course_advice(records: Sequence[SessionRecord]) -> Advice | None:
    """The advice a course's record brings: that of the latest answer given (the
    ``records`` of one routine, oldest first; sessions not of a course are left out)."""
    answered = [r for r in records if r.session is not None and r.feeling is not None]
    if not answered:
        return None
    latest = answered[-1]
    assert latest.session is not None
    return advice_for(latest.session, latest.feeling)


def pain_trend(records: Sequence[SessionRecord]) -> str | None:
    """How the pain went over ``records`` (one routine's, oldest first), e.g. "pain 6 → 3
    over 5 sessions": the first pain given (the earliest session's before, else its
    after) to the last (the latest session's after, else its before), over the sessions
    with a pain given. None when no pain was given."""
    rated = [r for r in records if r.pain_before is not None or r.pain_after is not None]
    if not rated:
        return None
    first, last = rated[0], rated[-1]
    start = first.pain_before if first.pain_before is not None else first.pain_after
    end = last.pain_after if last.pain_after is not None else last.pain_before
    sessions = "session" if len(rated) == 1 else "sessions"
    return f"pain {start} → {end} over {len(rated)} {sessions}"


__all__ = [
    "ASKED_FROM_SESSION",
    "FEELING_WORDS",
    "GUIDANCE",
    "Advice",
    "advice_for",
    "course_advice",
    "pain_trend",
]
