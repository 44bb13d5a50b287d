#!/usr/bin/env python3
"""Start-up time of ``voiceguide preview neck`` against the floor of a click + YAML tool.

Runs the installed console script (``.venv/bin/voiceguide preview neck``, output to
/dev/null) and ``bench/startup_floor.py`` (a bare click command loading the same routine
file with PyYAML) alternately, after one warm-up run of each, and prints the median, min
and max wall-clock time of each, and the ratio: the median of the run-by-run ratios (each
voiceguide run over the floor run beside it, so that changes in the machine's speed cancel
out), with the ratio of the medians for reference.  Goal: at most 1.3x.

Bytecode: the runs get a temporary ``PYTHONPYCACHEPREFIX`` (filled by the warm-up), as a
user has after ``pip install``, even where ``PYTHONDONTWRITEBYTECODE`` is set;
``--no-pyc-cache`` keeps the environment as it is.

``--explain`` adds the ``python -X importtime`` offenders: the modules that
``voiceguide preview`` imports and the floor does not, slowest first, each with the
voiceguide module that brings it in.

Usage: bench/startup [--runs N] [--explain] [--no-pyc-cache]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FLOOR_SCRIPT = BENCH / "startup_floor.py"
ROUTINE_FILE = ROOT / "voiceguide" / "routines" / "neck.yaml"
GOAL_RATIO = 1.3
OWN_PACKAGE = "voiceguide"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/startup",
        description="Start-up time of 'voiceguide preview neck' against a click + PyYAML floor.",
    )
    parser.add_argument(
        "--runs", type=int, default=20, help="timed runs of each command (default 20)"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="when over the goal, list the -X importtime offenders",
    )
    parser.add_argument(
        "--no-pyc-cache",
        action="store_true",
        help="keep the environment's bytecode setting (PYTHONDONTWRITEBYTECODE and all)",
    )
    parser.add_argument(
        "--bin",
        type=Path,
        default=ROOT / ".venv" / "bin",
        help="folder holding 'python' and 'voiceguide' (default: the repo's .venv/bin)",
    )
    parser.add_argument(
        "--top", type=int, default=15, help="offenders listed by --explain (default 15)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    python, console_script = args.bin / "python", args.bin / "voiceguide"
    for needed in (python, console_script, FLOOR_SCRIPT, ROUTINE_FILE):
        if not needed.exists():
            parser.error(f"{needed} does not exist (set up the venv first: scripts/setup)")
    tool = [str(console_script), "preview", "neck"]
    floor = [str(python), str(FLOOR_SCRIPT), str(ROUTINE_FILE)]

    env = dict(os.environ)
    cache: str | None = None
    if not args.no_pyc_cache:
        cache = tempfile.mkdtemp(prefix="voiceguide-bench-pyc-")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    try:
        return _bench(args.runs, args.explain, args.top, python, tool, floor, env)
    finally:
        if cache:
            shutil.rmtree(cache, ignore_errors=True)


def _bench(
    runs: int,
    explain: bool,
    top: int,
    python: Path,
    tool: list[str],
    floor: list[str],
    env: dict[str, str],
) -> int:
    version = _run(
        [str(python), "-c", "import sys; print(sys.version.split()[0])"], env, capture=True
    ).strip()
    bytecode = (
        "the environment's own setting (--no-pyc-cache)"
        if "PYTHONPYCACHEPREFIX" not in env or env.get("PYTHONDONTWRITEBYTECODE")
        else "cached in a temporary PYTHONPYCACHEPREFIX, as after 'pip install'"
    )
    print("Start-up: 'voiceguide preview neck' (stdout to /dev/null) against a bare")
    print("click + PyYAML command loading the same file (bench/startup_floor.py)")
    print(f"  Python {version} ({python}); {runs} runs each, alternated, after 1 warm-up each")
    print(f"  bytecode: {bytecode}")
    print()

    floor_output = _run(floor, env, capture=True).strip()  # warm-up; fills the cache
    _run(tool, env, capture=True)
    floor_times: list[float] = []
    tool_times: list[float] = []
    for run in range(runs):
        order = [(floor, floor_times), (tool, tool_times)]
        if run % 2:
            order.reverse()
        for command, times in order:
            times.append(_timed(command, env))

    floor_median = statistics.median(floor_times)
    tool_median = statistics.median(tool_times)
    # Each run of voiceguide is compared with the floor run next to it, so that the
    # machine's changes of speed (our machines are shared) cancel out.
    ratio = statistics.median(t / f for t, f in zip(tool_times, floor_times, strict=True))
    print(f"  {'':<36}{'median':>10}{'min':>10}{'max':>10}")
    _row("floor: click + yaml.safe_load", floor_times)
    _row("voiceguide preview neck", tool_times)
    print()
    verdict = "OK" if ratio <= GOAL_RATIO else "OVER GOAL"
    print(
        f"  {'ratio, run by run (median)':<36}{ratio:>9.2f}x   goal <= {GOAL_RATIO:.2f}x   {verdict}"
    )
    print(f"  {'ratio of the medians':<36}{tool_median / floor_median:>9.2f}x")
    allowed = (GOAL_RATIO - 1) * floor_median
    print(
        f"  {'voiceguide over the floor':<36}{_ms(tool_median - floor_median, sign=True):>10}"
        f"   goal allows {_ms(allowed, sign=True)}"
    )
    print(f"  (the floor printed: {floor_output!r})")
    if ratio > GOAL_RATIO:
        if explain:
            print()
            _explain(tool, floor, env, top, tool_median - floor_median)
        else:
            print()
            print("  Over the goal: run with --explain for the import-time offenders.")
    return 0


def _row(label: str, times: list[float]) -> None:
    print(
        f"  {label:<36}{_ms(statistics.median(times)):>10}"
        f"{_ms(min(times)):>10}{_ms(max(times)):>10}"
    )


def _ms(seconds: float, *, sign: bool = False) -> str:
    return f"{seconds * 1000:{'+' if sign else ''}.1f} ms"


def _run(command: list[str], env: dict[str, str], *, capture: bool = False) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(
            f"bench/startup: {' '.join(command)} failed (exit {done.returncode}):\n{done.stderr}"
        )
    return done.stdout if capture else ""


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench/startup: {' '.join(command)} failed (exit {done.returncode})")
    return elapsed


# --------------------------------------------------------------------------- --explain

EXPLAIN_RUNS = 5


@dataclass
class _Import:
    name: str
    level: int
    self_us: int
    parent: str | None = None


def _import_tree(stderr: str) -> dict[str, _Import]:
    """Parse ``-X importtime`` lines: a module's imports are printed before it, one
    indentation level (two spaces) deeper."""
    found: dict[str, _Import] = {}
    stack: list[_Import] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name_field = line.removeprefix("import time:").split("|")
        name = name_field.strip()
        entry = _Import(name, (len(name_field) - len(name_field.lstrip(" ")) - 1) // 2, 0)
        entry.self_us = int(self_us)
        while stack and stack[-1].level > entry.level:
            stack.pop().parent = name
        stack.append(entry)
        found[name] = entry
    return found


def _importtime(command: list[str], env: dict[str, str]) -> list[dict[str, _Import]]:
    traced = {**env, "PYTHONPROFILEIMPORTTIME": "1"}
    trees = []
    for _ in range(EXPLAIN_RUNS):
        done = subprocess.run(command, env=traced, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"bench/startup: {' '.join(command)} failed under -X importtime")
        trees.append(_import_tree(done.stderr))
    return trees


def _own(name: str) -> bool:
    return name == OWN_PACKAGE or name.startswith(OWN_PACKAGE + ".")


def _explain(tool: list[str], floor: list[str], env: dict[str, str], top: int, gap: float) -> None:
    tool_trees = _importtime(tool, env)
    floor_names = set().union(*(tree.keys() for tree in _importtime(floor, env)))
    tree = tool_trees[0]
    extra = [name for name in tree if name not in floor_names]
    self_ms = {
        name: statistics.median(t[name].self_us for t in tool_trees if name in t) / 1000
        for name in extra
    }

    def brought_in_by(name: str) -> tuple[str, str]:
        """(the voiceguide module whose import pulls ``name`` in, the module it imports)."""
        below, current = name, tree[name]
        while current.parent is not None and not _own(current.name):
            below, current = current.name, tree[current.parent]
        if _own(current.name):
            return current.name, below
        if current.name in {"site", "encodings"} or current.name.startswith("_"):
            return "(interpreter start-up)", below
        return "(run time, not at import)", below

    print(
        f"Import-time offenders: modules 'voiceguide preview neck' imports and the floor\n"
        f"does not (python -X importtime, median self time of {EXPLAIN_RUNS} runs)"
    )
    worst = sorted(extra, key=lambda n: -self_ms[n])[:top]
    width = max(len(name) for name in [*worst, "module"]) + 2
    print(f"  {'self':>9}  {'module':<{width}}brought in by")
    for name in worst:
        owner, statement = brought_in_by(name)
        via = owner if _own(name) else f"{owner}: import {statement}"
        print(f"  {self_ms[name]:>6.1f} ms  {name:<{width}}{via}")

    by_owner: dict[str, float] = defaultdict(float)
    by_statement: dict[tuple[str, str], float] = defaultdict(float)
    for name in extra:
        owner, statement = brought_in_by(name)
        by_owner[owner] += self_ms[name]
        if not _own(name):
            by_statement[owner, statement] += self_ms[name]
    print()
    print("  By voiceguide module (its own body + the imports only it brings in):")
    width = max(len(owner) for owner in by_owner) + 2
    for owner, total in sorted(by_owner.items(), key=lambda item: -item[1]):
        heavy = sorted(
            ((s, ms) for (o, s), ms in by_statement.items() if o == owner and ms >= 0.5),
            key=lambda item: -item[1],
        )
        detail = ", ".join(f"{s} {ms:.1f}" for s, ms in heavy)
        print(f"  {total:>6.1f} ms  {owner:<{width}}{detail}".rstrip())
    total = sum(self_ms.values())
    print()
    print(
        f"  These imports add {total:.1f} ms under -X importtime (which inflates times);\n"
        f"  the rest of the {gap * 1000:+.1f} ms gap is running: finding, reading, checking,\n"
        f"  compiling and writing the routine."
    )


if __name__ == "__main__":
    sys.exit(main())
