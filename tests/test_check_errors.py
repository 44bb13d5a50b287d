"""`voiceguide check` on malformed routines: one case per kind of mistake.

Every case must exit 1, print the problem as FILE:LINE:COL: error: message (the whole
line is compared), and never show a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import RunCli

HEAD = "voiceguide: 1\ntitle: T\n"


@dataclass(frozen=True)
class Case:
    id: str
    text: str | bytes
    expected: str
    extra_files: dict[str, str] = field(default_factory=dict)
    name: str = "r.yaml"


def stage(body: str) -> str:
    """A routine whose one stage has ``body`` as extra keys (4-space indented)."""
    return HEAD + "stages:\n  - name: S\n" + body


CASES = [
    # --- the file itself
    Case(
        "empty-file",
        "",
        "r.yaml:1:1: error: is empty; a routine starts with 'voiceguide: 1' and a title",
    ),
    Case(
        "only-comments",
        "# nothing here\n\n# still nothing\n",
        "r.yaml:1:1: error: is empty; a routine starts with 'voiceguide: 1' and a title",
    ),
    Case(
        "not-utf8",
        b"voiceguide: 1\ntitle: Caf\xe9\n",
        "r.yaml:2:11: error: is not valid UTF-8 (byte 0xe9); save the file as UTF-8",
    ),
    Case(
        "nul-byte",
        b"voiceguide: 1\ntitle: a\x00b\n",
        "r.yaml:2:9: error: contains a NUL byte: this looks like a binary file, not a YAML routine",
    ),
    Case(
        "binary-file",
        bytes([0x89]) + b"PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "r.yaml:3:1: error: contains a NUL byte: this looks like a binary file, not a YAML routine",
    ),
    # --- YAML syntax
    Case(
        "unclosed-bracket",
        HEAD + "stages: [\n",
        "r.yaml:3:9: error: '[' is not closed (PyYAML noticed at 4:1: did not find expected "
        "node content); close the list with ']'",
    ),
    Case(
        "colon-in-value",
        "voiceguide: 1\ntitle: Neck: evening\n",
        "r.yaml:2:12: error: YAML syntax error: mapping values are not allowed in this context; "
        "check indentation, colons and quotes",
    ),
    Case(
        "bad-indentation",
        HEAD + "stages:\n  - name: S\n   duration: 1m\n",
        "r.yaml:5:4: error: YAML syntax error: did not find expected '-' indicator "
        "while parsing a block collection; check indentation, colons and quotes",
    ),
    Case(
        "tab-indentation",
        HEAD + "stages:\n  - name: S\n\tduration: 1m\n",
        "r.yaml:5:1: error: tab character in indentation; YAML indents with spaces only",
    ),
    Case(
        "two-documents",
        HEAD + "stages: []\n---\ntitle: again\n",
        "r.yaml:4:1: error: more than one YAML document ('---'); a routine file holds one",
    ),
    Case(
        "alias-bomb",
        HEAD
        + "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
            for p, c in zip("abcdef", "bcdefg", strict=True)
        ),
        "r.yaml:8:36: error: aliases expand the document to over 1,000,000 nodes (an alias bomb); "
        "write the content out or use include",
    ),
    Case(
        "recursive-alias",
        HEAD + "stages: &s\n  - *s\n",
        "r.yaml:4:5: error: alias *s refers to a node that contains it; a routine cannot be recursive",
    ),
    Case(
        "absurd-nesting",
        HEAD + "stages: " + "[" * 60 + "]" * 60 + "\n",
        "r.yaml:3:48: error: nesting deeper than 40 levels; flatten the routine",
    ),
    # --- the top level
    Case(
        "top-level-list",
        "- name: S\n  duration: 1m\n",
        "r.yaml:1:1: error: the routine must be a mapping of keys to values, not a list",
    ),
    Case(
        "top-level-text",
        "just some words\n",
        "r.yaml:1:1: error: the routine must be a mapping of keys to values, not text",
    ),
    Case(
        "missing-version",
        "title: T\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:1:1: error: missing 'voiceguide: 1' (the format version) at the top",
    ),
    Case(
        "unsupported-version",
        "voiceguide: 2\ntitle: T\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:1:13: error: format version 2 is not supported; this voiceguide reads version 1",
    ),
    Case(
        "missing-title",
        "voiceguide: 1\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:1:1: error: missing 'title'; every routine needs one",
    ),
    Case(
        "missing-stages",
        HEAD,
        "r.yaml:1:1: error: missing 'stages'; list the stages of the session",
    ),
    Case(
        "empty-stages",
        HEAD + "stages: []\n",
        "r.yaml:3:9: error: stages is empty; add at least one stage",
    ),
    Case(
        "stages-not-a-list",
        HEAD + "stages:\n  name: S\n  duration: 1m\n",
        "r.yaml:4:3: error: stages must be a list of stages (each starting with '- name:'), not a mapping",
    ),
    Case(
        "unknown-top-key-suggestion",
        HEAD + "descripton: x\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:1: error: unknown key 'descripton' in the routine; did you mean 'description'?",
    ),
    Case(
        "duplicate-top-key",
        HEAD + "title: Again\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:1: error: duplicate key 'title' in the routine (first given at line 2); remove one of them",
    ),
    Case(
        "merge-key",
        HEAD + "stages:\n  - <<: {duration: 1m}\n    name: S\n",
        "r.yaml:4:5: error: merge keys ('<<') are not supported; write the keys out",
    ),
    # --- wrong types and values
    Case(
        "title-is-a-list",
        "voiceguide: 1\ntitle: [a, b]\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:2:8: error: title must be text, not a list",
    ),
    Case(
        "rate-is-text",
        HEAD + "voice: {rate: fast}\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:15: error: voice rate (words per minute) must be a whole number from 40 to 500, not text",
    ),
    Case(
        "volume-out-of-range",
        HEAD + "voice: {volume: 1.5}\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:17: error: voice volume must be from 0 to 1, not 1.5",
    ),
    Case(
        "halfway-not-bool",
        HEAD + "cues: {halfway: 3}\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:17: error: halfway must be true or false, not a whole number",
    ),
    Case(
        "countdown-too-long",
        HEAD + "cues: {countdown: 100}\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:19: error: countdown (seconds, 0 for none) must be from 0 to 60, not 100",
    ),
    Case(
        "language-not-a-code",
        HEAD + "language: English please\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:11: error: language 'English please' is not a language code such as en, uk or lv",
    ),
    Case(
        "language-unsupported",
        HEAD + "language: ua\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:11: error: language 'ua' is not supported: use en, lv, ru or uk (a region "
        "may follow, as in en-GB); did you mean 'uk'?",
    ),
    Case(
        "language-unknown",
        HEAD + "language: de\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:11: error: language 'de' is not supported: use en, lv, ru or uk (a region "
        "may follow, as in en-GB)",
    ),
    # --- stages
    Case(
        "stage-is-text",
        HEAD + "stages:\n  - Stroking for a minute\n",
        "r.yaml:4:5: error: a stage must be a mapping with at least 'name' and 'duration', not text",
    ),
    Case(
        "stage-without-name",
        HEAD + "stages:\n  - duration: 1m\n",
        "r.yaml:4:5: error: a stage needs a 'name'",
    ),
    Case(
        "stage-without-duration",
        HEAD + "stages:\n  - name: S\n",
        "r.yaml:4:5: error: stage 'S' needs a 'duration', such as 1m or 45s",
    ),
    Case(
        "unknown-stage-key-suggestion",
        stage("    duraton: 1m\n    duration: 1m\n"),
        "r.yaml:5:5: error: unknown key 'duraton' in a stage; did you mean 'duration'?",
    ),
    Case(
        "unknown-stage-key-no-suggestion",
        stage("    duration: 1m\n    colour: blue\n"),
        "r.yaml:6:5: error: unknown key 'colour' in a stage; expected one of: name, technique, "
        "duration, say, remind, sides, switch_pause, painful_scale, fixed, from_session, count, "
        "cues, sparing, painful",
    ),
    Case(
        "duplicate-stage-key",
        stage("    duration: 1m\n    duration: 2m\n"),
        "r.yaml:6:5: error: duplicate key 'duration' in a stage (first given at line 5); remove one of them",
    ),
    Case(
        "text-cut-at-comma",
        stage("    duration: 1m\n    remind: [{at: 10s, say: Slow, gently}]\n"),
        "r.yaml:6:35: error: unknown key 'gently' in a reminder; expected one of: at, every, say",
    ),
    Case(
        "say-is-a-mapping",
        stage("    duration: 1m\n    say: {text: hello}\n"),
        "r.yaml:6:10: error: say must be text, not a mapping",
    ),
    # --- durations
    Case(
        "duration-zero",
        stage("    duration: 0s\n"),
        "r.yaml:5:15: error: duration must be longer than zero, not '0s'",
    ),
    Case(
        "duration-negative",
        stage("    duration: -30s\n"),
        "r.yaml:5:15: error: duration must be longer than zero, not '-30s'",
    ),
    Case(
        "duration-unreadable",
        stage("    duration: a while\n"),
        "r.yaml:5:15: error: duration: cannot read 'a while' as a duration; "
        "write one such as 45s, 1m30s, 2 min, 1:30 or a number of seconds",
    ),
    Case(
        "duration-units-out-of-order",
        stage("    duration: 30s 1m\n"),
        "r.yaml:5:15: error: duration: units out of order in '30s 1m'; write hours, then minutes, then seconds",
    ),
    Case(
        "duration-absurd",
        stage("    duration: 25h\n"),
        "r.yaml:5:15: error: duration of '25h' is over 24 hours; check the unit (s, m, h)",
    ),
    Case(
        "duration-not-a-number",
        stage("    duration: .nan\n"),
        "r.yaml:5:15: error: duration: cannot read '.nan' as a duration; "
        "write one such as 45s, 1m30s, 2 min, 1:30 or a number of seconds",
    ),
    Case(
        "duration-wrong-type",
        stage("    duration: true\n"),
        "r.yaml:5:15: error: duration must be a duration such as 45s, 1m30s or 2 min, not true/false",
    ),
    Case(
        "session-over-a-day",
        HEAD + "stages:\n  - repeat: 1000\n    stages:\n      - {name: S, duration: 2m}\n",
        "r.yaml:4:3: error: the session lasts 33.3 hours, over the 24-hour limit; shorten stages or repeats",
    ),
    # --- templates
    Case(
        "unknown-template-variable",
        stage("    duration: 1m\n    say: Now {stge}.\n"),
        "r.yaml:6:10: error: say: unknown template variable {stge}; did you mean {stage}?",
    ),
    Case(
        "side-outside-sided-stage",
        stage("    duration: 1m\n    say: Rub the {side} side.\n"),
        "r.yaml:6:10: error: say: {side} is only known in a stage with 'sides'",
    ),
    Case(
        "unbalanced-brace",
        stage("    duration: 1m\n    say: 'Now {stage'\n"),
        "r.yaml:6:10: error: say: expected '}' before end of string; write '{{' and '}}' for literal braces",
    ),
    # --- sides, counts, reminders, repeats
    Case(
        "duplicate-side",
        stage("    duration: 1m\n    sides: [left, left]\n"),
        "r.yaml:6:12: error: sides names a side twice; list each side once",
    ),
    Case(
        "switch-pause-eats-stage",
        stage("    duration: 10s\n    sides: [left, right]\n    switch_pause: 10s\n"),
        "r.yaml:7:19: error: switch pauses leave no time for the sides of 'S'; shorten them or lengthen the stage",
    ),
    Case(
        "count-does-not-fit",
        stage("    duration: 30s\n    count: {reps: 10, every: 4s}\n"),
        "r.yaml:6:12: error: 10 reps every 4 s need 40 s but the stage has 30 s; fewer reps or a longer stage",
    ),
    Case(
        "reminder-past-the-end",
        stage("    duration: 1m\n    remind:\n      - {at: 2m, say: Slower.}\n"),
        "r.yaml:7:14: error: at 2m is past the end of the stage (60 s); make it earlier",
    ),
    Case(
        "reminder-at-and-every",
        stage("    duration: 1m\n    remind:\n      - {at: 10s, every: 20s, say: Slower.}\n"),
        "r.yaml:7:9: error: a reminder needs exactly one of 'at' (once) or 'every' (repeating)",
    ),
    Case(
        "repeat-zero",
        HEAD + "stages:\n  - repeat: 0\n    stages:\n      - {name: S, duration: 1m}\n",
        "r.yaml:4:13: error: repeat must be from 1 to 1000, not 0",
    ),
    # --- cues
    Case(
        "unknown-cue-sound",
        HEAD + "cues: {sounds: {start: bel}}\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:24: error: unknown cue sound 'bel'; did you mean 'bell'? use one of chime, bell, "
        "double, soft, tick, gong, rise, fall, a .wav/.flac/.ogg file, or false for silence",
    ),
    Case(
        "unknown-cue-name",
        HEAD + "cues: {sounds: {begin: bell}}\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:17: error: unknown key 'begin' in cue sounds; "
        "expected one of: start, end, switch, halfway, countdown, finish",
    ),
    Case(
        "missing-cue-file",
        HEAD + "cues: {sounds: {finish: gong.wav}}\nstages:\n  - {name: S, duration: 1m}\n",
        "r.yaml:3:25: error: sound file 'gong.wav' does not exist (paths are relative to the routine's folder)",
    ),
    # --- includes
    Case(
        "include-escapes-folder",
        HEAD + "stages:\n  - include: ../outside.yaml\n",
        "r.yaml:4:14: error: include '../outside.yaml' leaves the routine's folder; "
        "keep included files beside it or below",
    ),
    Case(
        "include-absolute-path",
        HEAD + "stages:\n  - include: /etc/hostname\n",
        "r.yaml:4:14: error: include '/etc/hostname' leaves the routine's folder; "
        "keep included files beside it or below",
    ),
    Case(
        "include-loop",
        HEAD + "stages:\n  - include: parts/b.yaml\n",
        "parts/b.yaml:4:14: error: include '../r.yaml' leaves the routine's folder; "
        "keep included files beside it or below",
        extra_files={"parts/b.yaml": HEAD + "stages:\n  - include: ../r.yaml\n"},
    ),
    Case(
        "include-self-loop",
        HEAD + "stages:\n  - include: r.yaml\n",
        "r.yaml:4:14: error: include 'r.yaml' loops back (r.yaml -> r.yaml); remove the cycle",
    ),
    Case(
        "include-cycle-of-two",
        HEAD + "stages:\n  - include: a.yaml\n",
        "a.yaml:4:14: error: include 'r.yaml' loops back (r.yaml -> a.yaml -> r.yaml); remove the cycle",
        extra_files={"a.yaml": HEAD + "stages:\n  - include: r.yaml\n"},
    ),
    Case(
        "course-with-an-empty-first-session",
        HEAD
        + "course: {sessions: 3, first: 1m}\n"
        + "stages:\n  - {name: S, duration: 2m, from_session: 2}\n",
        "r.yaml:5:3: error: session 1 of the course has no stage: the earliest starts at "
        "session 2 (from_session); let at least one stage start at session 1",
    ),
    Case(
        "include-missing-file",
        HEAD + "stages:\n  - include: missing.yaml\n",
        "r.yaml:4:14: error: include 'missing.yaml': missing.yaml in the routine's folder "
        "does not exist; check the name and the folder",
    ),
    Case(
        "include-broken-file",
        HEAD + "stages:\n  - include: part.yaml\n",
        "part.yaml:2:25: error: duration must be longer than zero, not '0'",
        extra_files={"part.yaml": "stages:\n  - {name: P, duration: 0}\n"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_routine_is_reported_at_its_position(
    case: Case, in_tmp: Path, run_cli: RunCli
) -> None:
    """Each kind of mistake exits 1 with FILE:LINE:COL: error: what and how to fix."""
    target = in_tmp / case.name
    if isinstance(case.text, bytes):
        target.write_bytes(case.text)
    else:
        target.write_text(case.text, encoding="utf-8")
    for name, text in case.extra_files.items():
        (in_tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (in_tmp / name).write_text(text, encoding="utf-8")
    result = run_cli("check", case.name)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == case.expected
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_case_ids_are_unique() -> None:
    """Every kind of mistake is its own case (at least 40 of them)."""
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40


def test_every_problem_is_reported_not_just_the_first(
    write_routine: object, run_cli: RunCli, in_tmp: Path
) -> None:
    """Several mistakes in one file give one line each, in file order."""
    (in_tmp / "r.yaml").write_text(
        HEAD
        + "stages:\n"
        + "  - name: A\n    duraton: 1m\n"
        + "  - name: B\n    duration: 0\n"
        + "  - name: C\n    duration: 1m\n    say: '{nope}'\n",
        encoding="utf-8",
    )
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "r.yaml:4:5: error: stage 'A' needs a 'duration', such as 1m or 45s",
        "r.yaml:5:5: error: unknown key 'duraton' in a stage; did you mean 'duration'?",
        "r.yaml:7:15: error: duration must be longer than zero, not '0'",
        "r.yaml:10:10: error: say: unknown template variable {nope}; use one of {stage}, {next}, "
        "{side}, {n}, {remaining}, {total} (write '{{' for a literal brace)",
    ]


def test_missing_file_and_folder(in_tmp: Path, run_cli: RunCli) -> None:
    """A path that does not exist, or a folder, is a one-line error too."""
    (in_tmp / "folder.yaml").mkdir()
    missing = run_cli("check", "nothere.yaml")
    assert missing.exit_code == 1
    assert missing.stderr == (
        "nothere.yaml: error: no such file; check the path, or run 'voiceguide routines' "
        "for the built-in names\n"
    )
    folder = run_cli("check", "folder.yaml")
    assert folder.exit_code == 1
    assert (
        folder.stderr
        == "folder.yaml: error: is a folder, not a routine file; name a .yaml file inside it\n"
    )


def test_unknown_builtin_name_suggests_the_closest(run_cli: RunCli) -> None:
    """A name that is neither a file nor a built-in routine suggests the closest one."""
    result = run_cli("check", "nek")
    assert result.exit_code == 1
    assert result.stderr == (
        "nek: error: 'nek' is neither a routine file nor a built-in routine; did you mean 'neck'? "
        "(run 'voiceguide routines' for the list)\n"
    )


def test_check_of_several_files_reports_each(
    write_routine: object, in_tmp: Path, run_cli: RunCli
) -> None:
    """Good files get a summary line on stdout, bad ones their errors; exit 1 if any failed."""
    (in_tmp / "good.yaml").write_text(
        HEAD + "stages:\n  - {name: S, duration: 1m}\n", encoding="utf-8"
    )
    (in_tmp / "bad.yaml").write_text(
        HEAD + "stages:\n  - {name: S, duration: 0}\n", encoding="utf-8"
    )
    result = run_cli("check", "good.yaml", "bad.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith("good.yaml: ok: 'T', 1 stage, ")
    assert result.stderr == "bad.yaml:4:25: error: duration must be longer than zero, not '0'\n"


def test_warnings_pass_unless_strict(in_tmp: Path, run_cli: RunCli) -> None:
    """A warning is printed but exits 0; --strict makes it fail."""
    (in_tmp / "w.yaml").write_text(
        HEAD + "stages:\n  - {name: S, duration: 1m, technique: strokng}\n", encoding="utf-8"
    )
    expected = "w.yaml:4:40: warning: unknown technique 'strokng'; did you mean 'stroking'?\n"
    relaxed = run_cli("check", "w.yaml")
    assert relaxed.exit_code == 0
    assert relaxed.stderr == expected
    strict = run_cli("check", "--strict", "w.yaml")
    assert strict.exit_code == 1
    assert strict.stderr == expected


def test_words_that_do_not_fit_warn_with_the_stage_and_overrun(
    in_tmp: Path, run_cli: RunCli
) -> None:
    """Speech longer than its stage is a warning naming the stage and the overrun."""
    words = " ".join(["word"] * 40) + "."
    (in_tmp / "long.yaml").write_text(
        HEAD + f"stages:\n  - name: Short\n    duration: 5s\n    say: {words}\n", encoding="utf-8"
    )
    result = run_cli("check", "--strict", "long.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("long.yaml:4:5: warning: stage 'Short': the words do not fit: ")
    assert "overrun the stage and are cut; shorten the text or lengthen the stage" in result.stderr


def test_no_traceback_in_a_real_process(in_tmp: Path) -> None:
    """Run as a user would (python -m voiceguide): one line, exit 1, no traceback."""
    (in_tmp / "r.yaml").write_bytes(b"voiceguide: 1\n\x00")
    process = subprocess.run(
        [sys.executable, "-m", "voiceguide", "check", "r.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1
    assert process.stderr == (
        "r.yaml:2:1: error: contains a NUL byte: this looks like a binary file, not a YAML routine\n"
    )
    assert process.stdout == ""
