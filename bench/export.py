#!/usr/bin/env python3
"""Export speed and memory of ``voiceguide export`` against the floors it cannot beat.

1. Cold export of the built-in neck routine to WAV (empty clip cache) against the floor:
   ``espeak-ng -w`` over all its spoken text, plus writing a WAV of the guide's length.
   Goal: at most 1.2x.
2. Warm export (the clips cached) against writing the WAV alone. Goal: at most 2x.
3. Warm export to MP3, Ogg Vorbis and Opus, each against its floor: the warm WAV export
   (at the same rate) plus ffmpeg encoding that WAV to the same format at the same
   settings (MP3: LAME VBR V4 at LAME's quality 2; Ogg: Vorbis quality 4, libsndfile's
   default; Opus: 32 kb/s at complexity 5). Goal: at most 1.0x.
4. ``export neck --course DIR`` (its 10 sessions, MP3, jobs: the cores) against the sum
   of the same sessions exported one by one (``--session N``), cold (an empty cache at
   the start of each) and warm. Goal: at most 0.6x.
5. Peak memory (max RSS of the voiceguide process, see ``peak_rss_mb``) exporting generated routines of
   about one and two hours (the same sentences) to FLAC, cold. Goal: under 100 MB, and
   flat: the two hours within 10 % of the one.

Each timing is the median of ``--runs`` runs of real processes (default 3), and each
ratio the median of the runs' own ratios: a run's figure and its floor are measured
one right after the other, so a slow minute of a shared machine slows both. As in
``bench/startup``, the processes get a temporary ``PYTHONPYCACHEPREFIX``, filled by an
untimed export first: an installed voiceguide has its bytecode, even where
``PYTHONDONTWRITEBYTECODE`` is set (compiling our modules each run cost ~0.07 s here).

Usage: bench/export [--runs N] [--skip-formats] [--skip-course] [--skip-memory]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOICEGUIDE = ROOT / ".venv" / "bin" / "voiceguide"
PYTHON = ROOT / ".venv" / "bin" / "python"

WRITE_WAV = """
import sys
import numpy as np
import soundfile
frames, rate, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
block = np.zeros((8192, 1), dtype=np.float32)
with soundfile.SoundFile(path, "w", rate, 1, "PCM_16", format="WAV") as sink:
    for start in range(0, frames, 8192):
        sink.write(block[: min(8192, frames - start)])
"""


FFPROBE_LENGTH = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]


def timed(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def ratio_of_runs(ours: Sequence[float], floors: Sequence[float]) -> float:
    """The median of each run's figure over the floor measured beside it."""
    return statistics.median(a / b for a, b in zip(ours, floors, strict=True))


def peak_rss_mb(command: Sequence[str], env: dict[str, str]) -> float:
    """Peak resident set size of the process, in MB: the largest of its own and those
    of the processes it started and waited for (speech workers, the forked copy of the
    loudness pass), as Linux reports it to wait4; each is counted alone, not summed, and
    a forked copy's pages shared with its parent count in both."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed with {process.returncode}")
    return usage.ru_maxrss / 1024


FFMPEG_SETTINGS = {
    ".mp3": ["-c:a", "libmp3lame", "-q:a", "4", "-compression_level", "2"],
    ".ogg": ["-c:a", "libvorbis", "-q:a", "4"],
    ".opus": ["-c:a", "libopus", "-b:a", "32k", "-compression_level", "5"],
}
"""ffmpeg's encoders set as voiceguide's are (see the module)."""


def kbps(path: Path, seconds: float) -> float:
    return path.stat().st_size * 8 / seconds / 1000


def format_speeds(work: Path, env: dict[str, str], duration: float, runs: int) -> None:
    """Warm export to each lossy format against the warm WAV export at its rate plus
    ffmpeg encoding that WAV the same way, run by run side by side (medians)."""
    print("  warm export by format, against the WAV export + ffmpeg on the same samples:")
    for suffix, settings in FFMPEG_SETTINGS.items():
        rate = "48000" if suffix == ".opus" else "44100"
        guide, wav = work / f"guide{suffix}", work / f"floor-{rate}.wav"
        export = [str(VOICEGUIDE), "export", "neck", "-q", "--force", "--sample-rate", rate]
        timed([*export, "-o", str(guide)], env)  # bytecode of the encoder's modules
        timed([*export, "-o", str(wav)], env)
        encode = ["ffmpeg", "-v", "error", "-y", "-i", str(wav), *settings]
        ours, floors = [], []
        for _ in range(runs):
            ours.append(timed([*export, "-o", str(guide)], env))
            wav_s = timed([*export, "-o", str(wav)], env)
            floors.append(wav_s + timed([*encode, str(work / f"ffmpeg{suffix}")]))
        ours_s, floor_s = statistics.median(ours), statistics.median(floors)
        ratio = ratio_of_runs(ours, floors)
        print(
            f"    {suffix:5} {ours_s:6.2f} s ({kbps(guide, duration):4.1f} kb/s)   floor "
            f"{floor_s:6.2f} s ({kbps(work / f'ffmpeg{suffix}', duration):4.1f} kb/s)   "
            f"{ratio:4.2f}x  (goal <= 1.0x)"
        )


def course_speeds(work: Path, base: dict[str, str], runs: int) -> None:
    """The neck course at once against its sessions one by one, cold and warm."""
    sessions = 10
    print(f"  neck course, {sessions} sessions to MP3, at once against one by one:")
    for temperature in ("cold", "warm"):
        at_once: list[float] = []
        one_by_one: list[float] = []
        for run in range(runs):
            for way, times in (("at-once", at_once), ("one-by-one", one_by_one)):
                cache = work / f"course-{temperature}-{way}-{run}"
                if temperature == "warm":
                    cache = work / "course-warm-cache"
                env = {**base, "VOICEGUIDE_CACHE_DIR": str(cache)}
                out = work / f"course-{way}"
                export = [str(VOICEGUIDE), "export", "neck", "-q", "--force"]
                if temperature == "warm" and run == 0 and way == "at-once":
                    timed([*export, "--course", str(out)], env)  # fills the warm cache
                if way == "at-once":
                    times.append(timed([*export, "--course", str(out)], env))
                else:
                    out.mkdir(exist_ok=True)
                    times.append(
                        sum(
                            timed([*export, "--session", str(n), "-o", str(out / f"{n}.mp3")], env)
                            for n in range(1, sessions + 1)
                        )
                    )
        together, alone = statistics.median(at_once), statistics.median(one_by_one)
        ratio = ratio_of_runs(at_once, one_by_one)
        print(
            f"    {temperature}: at once {together:6.2f} s, one by one {alone:6.2f} s   "
            f"{ratio:4.2f}x  (goal <= 0.6x)"
        )


def spoken_texts(env: dict[str, str]) -> tuple[list[str], float]:
    output = subprocess.run(
        [str(VOICEGUIDE), "preview", "neck", "--exact", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    data = json.loads(output)
    texts = [e["text"] for e in data["events"] if e["kind"] == "speech"]
    return texts, float(data["duration"])


def long_routine(folder: Path, hours: int) -> Path:
    """A routine of about ``hours`` (1 or 2; a little more) with the same 120 different
    sentences, repeated in blocks: only the length differs."""
    lines = ["voiceguide: 1", f"title: About {hours} h", "transition: 3s", "stages:"]
    for number in range(40):
        lines += [
            f"  - name: Round {number + 1}",
            "    repeat: 3",
            "    stages:",
            f"      - name: Stroking {number + 1}",
            f"        duration: {15 * hours}s",
            f"        say: Stroke slowly from the hairline down, round {number + 1}, and breathe out.",
            f"      - name: Kneading {number + 1}",
            f"        duration: {20 + 8 * hours}s",
            "        sides: [left, right]",
            f"        say: Knead the {{side}} side gently, part {number + 1}, moving down.",
            f"        remind: [{{at: {4 * hours + 1}s, say: 'Ease off where it hurts, step {number + 1}.'}}]",
        ]
    path = folder / f"{hours}-hours.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/export", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each timing (default 3)")
    parser.add_argument("--skip-memory", action="store_true", help="skip the two-hour export")
    parser.add_argument(
        "--skip-formats", action="store_true", help="skip the MP3, Ogg and Opus exports"
    )
    parser.add_argument("--skip-course", action="store_true", help="skip the course exports")
    args = parser.parse_args(argv)
    if not shutil.which("espeak-ng"):
        raise SystemExit("bench/export needs espeak-ng (scripts/setup installs it)")

    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-") as scratch:
        work = Path(scratch)
        base = {**os.environ, "PYTHONPYCACHEPREFIX": str(work / "bytecode")}
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        warm_env = {**base, "VOICEGUIDE_CACHE_DIR": str(work / "warm-cache")}
        texts, duration = spoken_texts(warm_env)  # also fills the warm cache
        exporting = [str(VOICEGUIDE), "export", "neck", "-o", str(work / "guide.wav"), "-q"]
        timed([*exporting, "--force"], warm_env)  # bytecode for the export modules too
        frames = round(duration * 44_100)
        text_file = work / "all-text.txt"
        text_file.write_text("\n".join(dict.fromkeys(texts)) + "\n", encoding="utf-8")

        cold, warm, espeak, write = [], [], [], []
        for run in range(args.runs):
            cold_env = {**base, "VOICEGUIDE_CACHE_DIR": str(work / f"cold-{run}")}
            cold.append(timed([*exporting, "--force"], cold_env))
            warm.append(timed([*exporting, "--force"], warm_env))
            espeak.append(
                timed(
                    ["espeak-ng", "-s", "150", "-w", str(work / "espeak.wav"), "-f", str(text_file)]
                )
            )
            write.append(
                timed(
                    [str(PYTHON), "-c", WRITE_WAV, str(frames), "44100", str(work / "floor.wav")],
                    base,
                )
            )

        cold_s, warm_s = statistics.median(cold), statistics.median(warm)
        espeak_s, write_s = statistics.median(espeak), statistics.median(write)
        floors = [a + b for a, b in zip(espeak, write, strict=True)]
        print(
            f"neck routine: {duration:.1f} s of audio, {len(set(texts))} distinct utterances, {args.runs} runs each"
        )
        print(f"  espeak-ng -w over all its text      {espeak_s:6.2f} s")
        print(f"  writing a WAV of the same length    {write_s:6.2f} s")
        print(
            f"  cold export (empty cache)           {cold_s:6.2f} s   {ratio_of_runs(cold, floors):4.2f}x the floor  (goal <= 1.2x)"
        )
        print(
            f"  warm export (clips cached)          {warm_s:6.2f} s   {ratio_of_runs(warm, write):4.2f}x the WAV write (goal <= 2.0x)"
        )

        if not args.skip_formats:
            format_speeds(work, warm_env, duration, args.runs)
        if not args.skip_course:
            course_speeds(work, base, args.runs)

        if not args.skip_memory:
            peaks = {}
            for hours in (1, 2):
                env = {**base, "VOICEGUIDE_CACHE_DIR": str(work / f"memory-cache-{hours}")}
                routine, target = long_routine(work, hours), work / f"{hours}-hours.flac"
                command = [str(VOICEGUIDE), "export", str(routine), "-o", str(target), "-q"]
                started = time.perf_counter()
                peaks[hours] = peak_rss_mb(command, env)
                elapsed = time.perf_counter() - started
                length = float(
                    subprocess.run(
                        [*FFPROBE_LENGTH, str(target)],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                )
                print(
                    f"routine of {length / 3600:.2f} h, the same 120 sentences, to FLAC in "
                    f"{elapsed:.1f} s (cold): "
                    f"peak memory {peaks[hours]:6.1f} MB  (goal < 100 MB)"
                )
            print(f"  2 h against 1 h: {peaks[2] / peaks[1]:4.2f}x  (goal <= 1.10x: flat)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
