"""A busy machine beside a bench, and what `voiceguide play` says of its stalls.

:class:`Load` keeps ``N`` processes spinning on the CPU (plain Python loops, at normal
priority) for as long as it is open: a browser and a mail client on a patient's old
laptop, as the benches see it. :func:`stall_report` reads the line ``play`` prints
after a session whose sound stalled (voiceguide/play/run.py, ``stall_report``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from types import TracebackType

SPIN = "while True: pass"
STALLED = re.compile(r"the sound stalled (once|twice|\d+ times), ([\d.]+) s in all")
TAKEN_BACK = re.compile(r"([\d.]+) s taken back")
SKIPPED = re.compile(r"([\d.]+) s of the guide was skipped")
UNDERFLOWS = re.compile(r"the sound device ran short (once|twice|\d+ times)")


class Load:
    """``count`` busy processes, from entering to leaving the ``with`` block."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.spinners: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Load:
        self.spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(self.count)]
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for spinner in self.spinners:
            spinner.kill()
            spinner.wait()


@dataclass(frozen=True)
class StallReport:
    """What play said of the session's stalls (all zero when it said nothing)."""

    stalls: int = 0
    lost: float = 0.0
    taken_back: float = 0.0
    skipped: float = 0.0
    underflows: int = 0


def stall_report(stderr: str) -> StallReport:
    def number(pattern: re.Pattern[str], group: int = 1) -> float:
        found = pattern.search(stderr)
        return float(found.group(group)) if found else 0.0

    def count(pattern: re.Pattern[str]) -> int:
        found = pattern.search(stderr)
        if not found:
            return 0
        said = found.group(1)
        return {"once": 1, "twice": 2}.get(said) or int(said.split()[0])

    return StallReport(
        count(STALLED),
        number(STALLED, 2),
        number(TAKEN_BACK),
        number(SKIPPED),
        count(UNDERFLOWS),
    )
