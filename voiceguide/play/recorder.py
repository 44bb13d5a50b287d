"""Writing a played session to the history as it goes."""

from __future__ import annotations


class SessionRecorder:
    """Writes the session to the history; a history that cannot be written is noted in
    :attr:`warnings` (once) and does not stop the session."""

    def __init__(self, routine: str, title: str, session: int | None, duration: float) -> None:
        from voiceguide.history import History, HistoryError

        self.history = History()
        self.error = HistoryError
        self.record: int | None = None
        self.warnings: list[str] = []
        try:
            self.record = self.history.start(routine, title, session, duration)
        except HistoryError as exc:
            self.warnings.append(f"this session is not recorded: {exc}")

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
                self.warnings.append(f"this session is not recorded: {exc}")
