"""The session in the patient's history, written as it plays."""

from __future__ import annotations

from collections.abc import Callable


class Recorder:
    """Writes the session to the history; a history that cannot be written is reported
    once (through ``warn``) and does not stop the session."""

    def __init__(
        self,
        routine: str,
        title: str,
        session: int | None,
        duration: float,
        *,
        warn: Callable[[str], None],
        pain_before: int | None = None,
    ) -> None:
        from voiceguide.history import History, HistoryError

        self.history = History()
        self.error = HistoryError
        self.warn = warn
        self.record: int | None = None
        try:
            self.record = self.history.start(
                routine, title, session, duration, pain_before=pain_before
            )
        except HistoryError as exc:
            warn(f"this session is not recorded: {exc}")

    def progress(self, seconds: float, stage: str) -> None:
        if self.record is not None:
            try:
                self.history.progress(self.record, seconds, stage)
            except self.error:
                self.record = None

    def finish(self, outcome: str, seconds: float, stage: str) -> None:
        if self.record is not None:
            try:
                self.history.finish(self.record, outcome, seconds, stage)
            except self.error as exc:
                self.warn(f"this session is not recorded: {exc}")

    def answer(self, pain_after: int | None, feeling: str | None) -> None:
        """Keep what the patient answered after the session."""
        if self.record is not None and (pain_after is not None or feeling is not None):
            try:
                self.history.answer(self.record, pain_after=pain_after, feeling=feeling)
            except self.error as exc:
                self.warn(f"the answers after this session are not recorded: {exc}")
