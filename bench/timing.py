#!/usr/bin/env python3
"""Cue timing of ``voiceguide play`` against a naive stage-by-stage loop, recorded live.

Both play the same routine (the built-in neck routine unless ``--routine``) in real time
into a private PulseAudio server with a null sink (``tests/pulse.py``) while its monitor
is recorded; every cue tone is then found in the recording by cross-correlating its known
waveform (:func:`voiceguide.tones.synthesize` at ``TONE_GAIN_DB``) within ±200 ms of where
the exact timeline (``voiceguide preview --exact --format json``) puts it, after one
global alignment of the recording on the first cue.

1. ``voiceguide play ROUTINE --yes``: every cue tone of the timeline.  The guide is also
   exported, and a cue's place is where the same detector finds it in the exported WAV
   (a tone under speech, such as a countdown tick under its spoken number, can fool the
   detector by a few of the tone's periods; it is fooled the same way in both).
2. The naive loop: for each stage and transition in order, play its start cue with
   ``sd.play(tone); sd.wait()``, say each of its texts with ``pyttsx3.init()`` +
   ``say`` + ``runAndWait`` (espeak speaking through ``aplay``; several ``say`` before
   one ``runAndWait`` speak nothing with pyttsx3 2.99), then ``time.sleep()`` for the rest
   of the stage's duration (measured from when the stage began); its stage-start cues.

Goal: voiceguide is sample-exact, every cue within 2 ms of the timeline and no drift;
the naive loop drifts. The neck routine plays twice in real time: about 26 minutes.

``--stall-every S`` freezes the play process (SIGSTOP) for ``--stall-ms`` (200) every S
seconds: the device runs dry and plays silence meanwhile, and play must make up for it.
``--load N`` keeps N busy processes beside both players (bench/busy.py); play's recording
is then also lined up with the export window by window (tests/alignment.py) to count the
windows of speech lost.

Usage: bench/timing [--routine neck] [--skip-naive] [--skip-voiceguide] [--keep DIR] [--cues]
                    [--stall-every S] [--stall-ms MS] [--load N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from busy import Load, stall_report  # noqa: E402

from tests.alignment import line_up, lost_speech  # noqa: E402
from tests.pulse import RATE, PulseServer, exact_timeline, export_guide  # noqa: E402

VOICEGUIDE = ROOT / ".venv" / "bin" / "voiceguide"
PYTHON = ROOT / ".venv" / "bin" / "python"

SEARCH_SECONDS = 0.200
"""Each cue is looked for within this much of where the timeline puts it."""
FIRST_CUE_SCORE = 0.8
"""The first cue is the first place where its waveform matches at least this well."""
FOUND_SCORE = 0.3
"""A cue counts as found when its best match in the window is at least this good (a cue
under speech scores lower, about 0.5, and is still found at the right place)."""
DRIFT_CUES = 3
"""Drift: mean error of the last cues minus mean error of the first, this many each."""
GOAL_MS = 2.0
STEP_MS = 0.5
"""voiceguide's error changing by more than this from one cue to the next is reported."""

Samples = npt.NDArray[np.float64]

NAIVE = r"""
import json
import sys
import time

import pyttsx3
import sounddevice as sd

from voiceguide.audio.render import TONE_GAIN_DB
from voiceguide.audio.tones import synthesize

RATE = 44_100
timeline = json.load(open(sys.argv[1], encoding="utf-8"))
gain = 10 ** (TONE_GAIN_DB / 20)
events = timeline["events"]
for stage in timeline["stages"]:
    if stage["kind"] not in ("stage", "transition"):
        continue
    began = time.monotonic()
    index, duration = stage["index"], stage["end"] - stage["start"]
    cues = [
        e for e in events
        if e["kind"] == "tone" and e["stage"] == index and abs(e["time"] - stage["start"]) < 1e-6
    ]
    if cues:
        sd.play(synthesize(cues[0]["sound"], RATE) * gain, RATE)
        sd.wait()
    cued = time.monotonic() - began
    for text in [e["text"] for e in events if e["kind"] == "speech" and e["stage"] == index]:
        engine = pyttsx3.init()
        engine.say(text)
        engine.runAndWait()
    busy = time.monotonic() - began
    if duration - busy > 0:
        time.sleep(duration - busy)
    print(json.dumps({"index": index, "duration": duration, "cue": cued, "busy": busy}), flush=True)
"""


@dataclass(frozen=True)
class Cue:
    time: float
    cue: str
    sound: str
    stage: int


@dataclass(frozen=True)
class Found:
    cue: Cue
    error_ms: float | None
    score: float
    bias_ms: float = 0.0
    """Where the detector finds the cue in the exported guide, against the timeline."""


@dataclass(frozen=True)
class Result:
    name: str
    found: list[Found]
    wall_seconds: float
    note: str = ""

    @property
    def errors(self) -> list[float]:
        return [f.error_ms for f in self.found if f.error_ms is not None]

    def drift(self) -> float:
        errors = self.errors
        count = max(1, min(DRIFT_CUES, len(errors) // 2))
        return float(np.mean(errors[-count:]) - np.mean(errors[:count]))

    def slope_ms_per_minute(self) -> float:
        points = [(f.cue.time, f.error_ms) for f in self.found if f.error_ms is not None]
        if len(points) < 2:
            return 0.0
        times, errors = zip(*points, strict=True)
        return float(np.polyfit(np.array(times) / 60, np.array(errors), 1)[0])


def tone_cues(timeline: dict[str, Any]) -> list[Cue]:
    return [
        Cue(float(e["time"]), str(e["cue"]), str(e["sound"]), int(e["stage"]))
        for e in timeline["events"]
        if e["kind"] == "tone"
    ]


def stage_start_cues(timeline: dict[str, Any]) -> list[Cue]:
    """The cue at the start of each stage and transition: what the naive loop plays."""
    starts = {
        s["index"]: float(s["start"])
        for s in timeline["stages"]
        if s["kind"] in ("stage", "transition")
    }
    cues: dict[int, Cue] = {}
    for cue in tone_cues(timeline):
        if cue.stage in starts and abs(cue.time - starts[cue.stage]) < 1e-6:
            cues.setdefault(cue.stage, cue)
    return [cues[index] for index in sorted(cues)]


def tone(sound: str) -> Samples:
    from voiceguide.audio.render import TONE_GAIN_DB
    from voiceguide.audio.tones import synthesize

    samples: Samples = synthesize(sound, RATE).astype(np.float64) * 10 ** (TONE_GAIN_DB / 20)
    return samples


def match_scores(reference: Samples, piece: Samples) -> Samples:
    """Normalized cross-correlation of ``reference`` at every start in ``piece`` (FFT)."""
    places = len(piece) - len(reference) + 1
    if places <= 0:
        return np.zeros(0)
    size = 1 << (len(piece) + len(reference)).bit_length()
    raw = np.fft.irfft(np.fft.rfft(piece, size) * np.conj(np.fft.rfft(reference, size)), size)
    squares = np.concatenate(([0.0], np.cumsum(piece * piece)))
    energy = squares[len(reference) :] - squares[:places]
    denominator = np.sqrt(np.maximum(energy, 1e-12) * float(np.dot(reference, reference)))
    scores: Samples = raw[:places] / denominator
    return scores


def first_match(reference: Samples, recording: npt.NDArray[np.float32]) -> int:
    """Where ``reference`` first sounds in the recording (scanned a minute at a time)."""
    step = 60 * RATE
    refine = round(SEARCH_SECONDS * RATE)
    for start in range(0, len(recording), step):
        piece = recording[start : start + step + len(reference) + refine].astype(np.float64)
        scores = match_scores(reference, piece)
        above = np.flatnonzero(scores >= FIRST_CUE_SCORE)
        if above.size:
            first = int(above[0])
            return start + first + int(np.argmax(scores[first : first + refine]))
    raise SystemExit("bench/timing: the first cue is nowhere in the recording")


def locate(
    reference: Samples, recording: npt.NDArray[np.float32], expected: int
) -> tuple[int, float] | None:
    """(lag in samples, score) of the best match of ``reference`` within ±200 ms of
    ``expected`` in the recording; None when the window is not in the recording."""
    search = round(SEARCH_SECONDS * RATE)
    start = max(0, expected - search)
    piece = recording[start : expected + search + len(reference)].astype(np.float64)
    scores = match_scores(reference, piece)
    if scores.size == 0:
        return None
    best = int(np.argmax(scores))
    return start + best - expected, float(scores[best])


def measure(
    cues: list[Cue],
    recording: npt.NDArray[np.float32],
    guide: npt.NDArray[np.float32] | None = None,
) -> list[Found]:
    """Each cue's error in ms: where it is in the recording against where the timeline
    puts it, after aligning the recording on the first cue.

    With ``guide`` (the exported WAV of the same timeline), a cue's place in the timeline
    is where the same detector finds it in the guide rather than its nominal time: a tone
    under speech (a countdown tick under its spoken number) can fool the detector by a few
    periods of the tone, and then fools it the same way in the recording.
    """
    waveforms = {sound: tone(sound) for sound in {c.sound for c in cues}}
    places = [round(cue.time * RATE) for cue in cues]
    biases = [0] * len(cues)
    if guide is not None:
        for number, (cue, place) in enumerate(zip(cues, places, strict=True)):
            match = locate(waveforms[cue.sound], guide, place)
            biases[number] = match[0] if match is not None else 0
    offset = first_match(waveforms[cues[0].sound], recording) - places[0] - biases[0]
    found = []
    for cue, place, bias in zip(cues, places, biases, strict=True):
        match = locate(waveforms[cue.sound], recording, offset + place + bias)
        bias_ms = (bias - biases[0]) / RATE * 1000
        if match is None:
            found.append(Found(cue, None, 0.0, bias_ms))
            continue
        lag, score = match
        error = lag / RATE * 1000 if score >= FOUND_SCORE else None
        found.append(Found(cue, error, score, bias_ms))
    return found


def record_run(
    server: PulseServer,
    command: list[str],
    recording: Path,
    timeout: float,
    log: Path,
    stall: Stall | None = None,
) -> tuple[npt.NDArray[np.float32], float, subprocess.CompletedProcess[str]]:
    recorder = server.record(recording)  # ready once parec delivers samples
    started = time.monotonic()
    try:
        child = subprocess.Popen(
            command,
            env=server.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stalls = threading.Thread(target=stall.run, args=(child,), daemon=True) if stall else None
        if stalls:
            stalls.start()
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            stdout, stderr = child.communicate()
        process = subprocess.CompletedProcess(command, child.returncode, stdout, stderr)
    finally:
        samples = recorder.stop()
    elapsed = time.monotonic() - started
    log.write_text(process.stdout + process.stderr, encoding="utf-8")
    if process.returncode:
        tail = process.stderr.strip().splitlines()[-5:]
        raise SystemExit(f"{' '.join(command[:3])} failed ({process.returncode}): {tail}")
    return samples, elapsed, process


@dataclass
class Stall:
    """Freezes a process (SIGSTOP, then SIGCONT) for ``milliseconds`` every ``every``
    seconds, first after ``every`` seconds: what a machine too busy to run it does to it,
    on purpose. The sound device runs dry meanwhile and plays silence of its own."""

    every: float
    milliseconds: float
    count: int = 0

    def run(self, process: subprocess.Popen[str]) -> None:
        while True:
            time.sleep(self.every)
            if process.poll() is not None:
                return
            process.send_signal(signal.SIGSTOP)
            time.sleep(self.milliseconds / 1000)
            process.send_signal(signal.SIGCONT)
            self.count += 1


def run_voiceguide(
    server: PulseServer,
    routine: str,
    timeline: dict[str, Any],
    duration: float,
    work: Path,
    stall: Stall | None = None,
) -> Result:
    guide = export_guide(routine, work / "guide.wav", server.env)
    samples, elapsed, process = record_run(
        server,
        [str(VOICEGUIDE), "play", routine, "--yes"],
        work / "voiceguide.raw",
        duration * 1.5 + 300,
        work / "voiceguide.log",
        stall,
    )
    found = measure(tone_cues(timeline), samples, guide)
    biased = [f for f in found if abs(f.bias_ms) > 0.01]
    notes = [
        f"in the exported guide the detector is off the timeline for {len(biased)} cue(s)"
        f" under speech (at most {max(abs(f.bias_ms) for f in biased):.2f} ms); errors are"
        " measured against the guide, so that does not count"
        if biased
        else "in the exported guide the detector finds every cue exactly at its timeline time"
    ]
    if stall:
        notes.append(
            f"play was frozen (SIGSTOP) for {stall.milliseconds:g} ms {stall.count} time(s),"
            f" every {stall.every:g} s"
        )
    underruns = sum("underrun" in line for line in process.stderr.splitlines())
    if underruns:
        notes.append(f"ALSA printed {underruns} underrun(s) on play's stderr")
    notes += [
        "play said: " + line.removeprefix("voiceguide: ")
        for line in process.stderr.splitlines()
        if "stalled" in line
    ]
    report = stall_report(process.stderr)
    windows = line_up(guide, samples, timeline)
    speech = [w for w in windows if w.kind == "speech"]
    notes.append(
        f"busy machine: {report.stalls} stall(s), {report.lost:.1f} s lost, "
        f"{report.taken_back:.1f} s taken back from silence, {report.skipped:.1f} s of sound "
        f"skipped, {report.underflows} underflow(s) the device reported; windows of speech "
        f"lost: {len(lost_speech(windows))} of {len(speech)} (250 ms each, the recording "
        "lined up with the export)"
    )
    heard = [(f.cue.time, f.error_ms) for f in found if f.error_ms is not None]
    for (before, was), (after, now) in itertools.pairwise(heard):
        if abs(now - was) > STEP_MS:
            notes.append(
                f"the error steps by {now - was:+.2f} ms between the cues at {before:.3f} s"
                f" and {after:.3f} s (a gap or a skip in the output)"
            )
    return Result("voiceguide play", found, elapsed, "\n  ".join(notes))


def run_naive(
    server: PulseServer, timeline_path: Path, cues: list[Cue], duration: float, work: Path
) -> Result:
    script = work / "naive.py"
    script.write_text(NAIVE, encoding="utf-8")
    samples, elapsed, process = record_run(
        server,
        [str(PYTHON), str(script), str(timeline_path)],
        work / "naive.raw",
        duration * 2 + 300,
        work / "naive.log",
    )
    stages = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
    overran = [s for s in stages if s["busy"] > s["duration"]]
    cue_ms = [s["cue"] * 1000 for s in stages]
    note = (
        f"{len(stages)} stages played; sd.play + sd.wait of the cue took "
        f"{min(cue_ms):.0f}-{max(cue_ms):.0f} ms; speech overran {len(overran)} stage(s)"
        + (f" by {sum(s['busy'] - s['duration'] for s in overran):.2f} s in all" if overran else "")
    )
    return Result("naive loop", measure(cues, samples), elapsed, note)


def print_cues(result: Result) -> None:
    print(
        f"\n{result.name}: every cue (timeline time, cue, sound, error, match score,"
        " detector's offset in the exported guide)"
    )
    for found in result.found:
        error = "    missing" if found.error_ms is None else f"{found.error_ms:+8.2f} ms"
        print(
            f"  {found.cue.time:8.3f} s  {found.cue.cue:<10} {found.cue.sound:<7} {error}"
            f"  {found.score:5.3f}  {found.bias_ms:+6.2f} ms"
        )


def print_table(results: list[Result], duration: float) -> None:
    print()
    print(f"{'approach':<17} {'cues found':>11} {'max error':>11} {'mean error':>11} {'drift':>11}")
    for result in results:
        errors = result.errors
        count = f"{len(errors)}/{len(result.found)}"
        if not errors:
            print(f"{result.name:<17} {count:>11}")
            continue
        absolute = np.abs(np.array(errors))
        print(
            f"{result.name:<17} {count:>11} {absolute.max():8.2f} ms {absolute.mean():8.2f} ms"
            f" {result.drift():+8.2f} ms"
        )
    print()
    for result in results:
        scores = [f.score for f in result.found if f.error_ms is not None]
        print(
            f"{result.name}: played in {result.wall_seconds:.1f} s for {duration:.1f} s of "
            f"timeline; error trend {result.slope_ms_per_minute():+.3f} ms/min; lowest match "
            f"score {min(scores, default=0.0):.3f}"
        )
        if result.note:
            print(f"  {result.note}")
    print(
        f"\ngoal: voiceguide is sample-exact: every cue within {GOAL_MS:g} ms of the timeline,"
        " no drift; the naive loop is expected to drift (its errors grow stage after stage)."
    )
    print(
        "errors are relative to one alignment on the first cue (its error is 0 by definition);"
        f" drift is the mean error of the last {DRIFT_CUES} cues minus that of the first"
        f" {DRIFT_CUES}."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/timing", description=__doc__.splitlines()[0])
    parser.add_argument("--routine", default="neck", help="routine to play (default: neck)")
    parser.add_argument("--skip-naive", action="store_true", help="do not run the naive loop")
    parser.add_argument("--skip-voiceguide", action="store_true", help="do not run play")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep recordings and logs in this folder"
    )
    parser.add_argument("--cues", action="store_true", help="list every cue's error")
    parser.add_argument(
        "--stall-every",
        type=float,
        default=0.0,
        metavar="S",
        help="freeze voiceguide play every S seconds (SIGSTOP/SIGCONT), to show it makes up"
        " for the gap; default: never",
    )
    parser.add_argument(
        "--stall-ms",
        type=float,
        default=200.0,
        metavar="MS",
        help="how long each freeze lasts (default 200)",
    )
    parser.add_argument(
        "--load",
        type=int,
        default=0,
        metavar="N",
        help="keep N busy processes running beside both players (default 0)",
    )
    args = parser.parse_args(argv)
    naive = not args.skip_naive
    if naive and not shutil.which("aplay"):
        raise SystemExit(
            "bench/timing: the naive loop needs aplay (pyttsx3's espeak driver speaks through"
            " it): apt-get install -y alsa-utils; or pass --skip-naive"
        )

    with tempfile.TemporaryDirectory(prefix="voiceguide-timing-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(Path(scratch) / "cache")}
        timeline = exact_timeline(args.routine, env)  # warms the clip cache for play
        timeline_path = work / "timeline.json"
        timeline_path.write_text(json.dumps(timeline), encoding="utf-8")
        duration = float(timeline["duration"])
        all_cues, stage_cues = tone_cues(timeline), stage_start_cues(timeline)
        print(
            f"routine {args.routine}: {duration:.1f} s, {len(all_cues)} cue tones,"
            f" {len(stage_cues)} at the start of a stage or transition",
            flush=True,
        )
        server = PulseServer(Path(scratch) / "pulse")
        server.env["VOICEGUIDE_CACHE_DIR"] = env["VOICEGUIDE_CACHE_DIR"]
        results = []
        if args.load:
            print(f"with {args.load} busy process(es) beside", flush=True)
        try:
            with Load(args.load):
                if not args.skip_voiceguide:
                    print(f"playing with voiceguide ({duration / 60:.1f} min)...", flush=True)
                    stall = Stall(args.stall_every, args.stall_ms) if args.stall_every > 0 else None
                    results.append(
                        run_voiceguide(server, args.routine, timeline, duration, work, stall)
                    )
                if naive:
                    played = sum(
                        s["end"] - s["start"]
                        for s in timeline["stages"]
                        if s["kind"] in ("stage", "transition")
                    )
                    print(f"playing the naive loop ({played / 60:.1f} min)...", flush=True)
                    results.append(run_naive(server, timeline_path, stage_cues, played, work))
        finally:
            server.stop()
        if args.cues:
            for result in results:
                print_cues(result)
        print_table(results, duration)
    return 0


if __name__ == "__main__":
    sys.exit(main())
