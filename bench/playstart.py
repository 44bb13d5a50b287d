#!/usr/bin/env python3
"""How soon ``voiceguide play`` starts sounding, with the clip cache warm and cold.

A private PulseAudio server with a null sink is started (as the live tests do) and its
monitor recorded from before the launch. The recording is tied to the wall clock by the
moment its first data arrives, so the first sounding sample gives the time from launch
to sound. The guide begins with a short silence (the introduction's lead-in); the time
to its first sample is that figure less the lead-in. Goals: cached within 1 s, uncached
within 3 s (to the first sample of the guide).

Usage: bench/playstart [--runs N] [--routine ROUTINE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pulse import RATE, PulseServer  # noqa: E402
from voiceguide.compiler import INTRO_LEAD  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"


def time_to_sound(server: PulseServer, routine: str, env: dict[str, str], folder: Path) -> float:
    """Seconds from launching play to its first sounding sample."""
    path = folder / "recording.raw"
    path.unlink(missing_ok=True)
    with path.open("wb") as handle:
        recorder = subprocess.Popen(
            ["parec", "--device=voiceguide_test.monitor", "--format=float32le",
             f"--rate={RATE}", "--channels=1", "--raw", "--latency-msec=10"],
            env=server.env,
            stdout=handle,
        )  # fmt: skip
        while path.stat().st_size == 0:
            time.sleep(0.001)
        first_data = time.monotonic() - path.stat().st_size / 4 / RATE
        time.sleep(0.3)
        launched = time.monotonic()
        player = subprocess.Popen(
            [str(PYTHON), "-m", "voiceguide", "play", routine, "--yes"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(4.0)
        player.terminate()
        player.wait(timeout=10)
        recorder.terminate()
        recorder.wait(timeout=10)
    samples = np.fromfile(path, dtype=np.float32)
    sounding = np.flatnonzero(np.abs(samples) > 1e-3)
    if not len(sounding):
        raise SystemExit("nothing was heard; is the routine silent at its start?")
    return float(first_data + sounding[0] / RATE - launched)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/playstart", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--routine", default="neck", help="routine to play (default neck)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="voiceguide-playstart-") as scratch:
        folder = Path(scratch)
        server = PulseServer(folder / "pulse")
        try:
            warm_env = {**server.env, "VOICEGUIDE_CACHE_DIR": str(folder / "warm")}
            warm_env["VOICEGUIDE_DATA_DIR"] = str(folder / "data")
            subprocess.run(
                [str(PYTHON), "-m", "voiceguide", "preview", args.routine, "--exact"],
                env=warm_env,
                stdout=subprocess.DEVNULL,
                check=True,
            )
            warm = [time_to_sound(server, args.routine, warm_env, folder) for _ in range(args.runs)]
            cold = []
            for run in range(args.runs):
                cold_env = {**warm_env, "VOICEGUIDE_CACHE_DIR": str(folder / f"cold-{run}")}
                cold.append(time_to_sound(server, args.routine, cold_env, folder))
        finally:
            server.stop()
    print(f"voiceguide play {args.routine}: launch to sound, median of {args.runs} (min-max)")
    for name, values, goal in (("cached", warm, 1.0), ("uncached", cold, 3.0)):
        to_guide = statistics.median(values) - INTRO_LEAD
        print(
            f"  {name:<9} first sound {statistics.median(values):5.2f} s "
            f"({min(values):.2f}-{max(values):.2f}); first sample of the guide "
            f"{to_guide:5.2f} s  goal <= {goal:.0f} s  {'OK' if to_guide <= goal else 'OVER GOAL'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
