"""Keys pressed on a pseudo-terminal, and what it shows, for tests of the questions."""

from __future__ import annotations

import os
import select
import time


def read_until(controller: int, text: str, seen: bytearray, timeout: float = 30) -> bool:
    """Read what the terminal shows into ``seen`` until ``text`` is there (False: not
    within ``timeout`` seconds, or the program ended first)."""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([controller], [], [], max(left, 0))
        if not ready:
            return False
        try:
            seen += os.read(controller, 1024)
        except OSError:  # the program has ended: its terminal is closed
            return False
    return True


def press(controller: int, key: bytes, then: str, seen: bytearray, timeout: float = 30) -> None:
    """Press ``key`` and wait for ``then``. A key pressed before the question waits for
    it is echoed by the terminal and discarded as the question starts (raw mode flushes
    the input); press it again then."""
    for _ in range(20):
        shown = len(seen)
        os.write(controller, key)
        if read_until(controller, then, seen, timeout=1):
            return
        if key.strip() not in seen[shown:]:  # taken (raw mode does not echo): wait on
            break
    assert read_until(controller, then, seen, timeout), (
        f"no {then!r} on the terminal; it shows {seen.decode(errors='replace')!r}"
    )
