"""The limits of a routine (voiceguide.model.routine): a shortest stage, a most stages in a
session (worked out before repeats are expanded), a longest text, a longest name, the most
sides, includes and included text. Each has its own one-line message at the place to fix,
and is reached in well under a second however large the routine claims to be."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import RunCli
from voiceguide.model import routine as model

ROOT = Path(__file__).parent.parent
HEAD = "voiceguide: 1\ntitle: T\n"
WORDS_100_KB = " ".join(["word"] * 20_000) + "."


def _stage(body: str) -> str:
    """A routine whose one stage S has ``body`` as extra flow-style keys."""
    return HEAD + f"stages:\n  - {{name: S, {body}}}\n"


def _check(in_tmp: Path, run_cli: RunCli, files: dict[str, str]) -> list[str]:
    """The lines `check r.yaml` prints on stderr, having asserted it exits 1 within two
    seconds, prints nothing on stdout and leaves the folder as it was."""
    for name, text in files.items():
        (in_tmp / name).write_text(text, "utf-8")
    before = sorted(in_tmp.rglob("*"))
    started = time.perf_counter()
    result = run_cli("check", "r.yaml")
    assert time.perf_counter() - started < 2
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert sorted(in_tmp.rglob("*")) == before
    return result.stderr.splitlines()


def test_the_limits_are_those_documented() -> None:
    """The README's table of limits and the routine schema give the loader's figures."""
    readme = (ROOT / "README.md").read_text("utf-8")
    limits = readme.partition("### Limits")[2].partition("\n## ")[0]
    for figure in (
        f"at least {model.MIN_STAGE_SECONDS:g} s, each side's part too",
        f"at most {model.MAX_STAGES} stages, each repetition of a repeat block counted",
        f"at most {model.MAX_SIDES} per stage",
        f"at most {model.MAX_TEXT_CHARS:,} characters with its template variables filled in "
        f"(a name counts as {model.MAX_NAME_CHARS})",
        f"at most {model.MAX_NAME_CHARS} characters",
        f"at most {model.MAX_INCLUDES} includes, and {model.MAX_INCLUDED_BYTES >> 20} MiB of "
        "included text",
    ):
        assert figure in limits
    schema = json.loads((ROOT / "voiceguide" / "schema" / "routine.schema.json").read_text())
    defs = schema["$defs"]
    stage = defs["stage"]["properties"]
    assert defs["text"]["maxLength"] == model.MAX_TEXT_CHARS
    assert defs["name"]["maxLength"] == model.MAX_NAME_CHARS
    assert stage["sides"]["maxItems"] == model.MAX_SIDES
    assert defs["stageDuration"]["allOf"][1]["not"]["anyOf"][0] == {
        "type": "number",
        "exclusiveMaximum": model.MIN_STAGE_SECONDS,
    }
    assert f"at most {model.MAX_STAGES} stages" in schema["properties"]["stages"]["description"]


CASES = [
    # --- the shortest stage
    pytest.param(
        _stage("duration: 0.000001s"),
        ["r.yaml:4:25: error: a stage of '0.000001s' is too short to guide; make it 1s or longer"],
        id="microsecond-stage",
    ),
    pytest.param(
        _stage("duration: 0.5"),
        ["r.yaml:4:25: error: a stage of '0.5' is too short to guide; make it 1s or longer"],
        id="half-second-stage",
    ),
    pytest.param(
        _stage("duration: 1s, sides: [left, right]"),
        [
            "r.yaml:4:25: error: each side of 'S' gets less than 1s, too short to guide; "
            "lengthen the stage or shorten its switch pauses"
        ],
        id="half-second-sides",
    ),
    pytest.param(
        _stage("duration: 10s, sides: [left, right], switch_pause: 9.5s"),
        [
            "r.yaml:4:25: error: each side of 'S' gets less than 1s, too short to guide; "
            "lengthen the stage or shorten its switch pauses"
        ],
        id="switch-pause-leaves-too-little",
    ),
    # --- sides
    pytest.param(
        _stage("duration: 1m, sides: [a, b, c, d, e]"),
        [
            "r.yaml:4:36: error: 5 sides is more than the 4 a stage may be done on; split the "
            "stage into several"
        ],
        id="five-sides",
    ),
    # --- stages, repeats counted
    pytest.param(
        HEAD
        + "stages:\n  - repeat: 1000\n    stages:\n      - repeat: 1000\n        stages:\n"
        + "          - {name: A, duration: 0.01s}\n          - {name: B, duration: 0.01s}\n",
        [
            "r.yaml:8:33: error: a stage of '0.01s' is too short to guide; make it 1s or longer",
            "r.yaml:9:33: error: a stage of '0.01s' is too short to guide; make it 1s or longer",
        ],
        id="a-million-hundredths-of-a-second",
    ),
    pytest.param(
        HEAD
        + "stages:\n  - repeat: 1000\n    stages:\n      - repeat: 1000\n        stages:\n"
        + "          - {name: A, duration: 1s}\n          - {name: B, duration: 1s}\n",
        [
            "r.yaml:4:3: error: the session lasts 555.6 hours, over the 24-hour limit; shorten "
            "stages or repeats",
            "r.yaml:6:9: error: this block plays 2,000 stages (1000 × 2), over the 500 a session "
            "may have; repeat it fewer times",
        ],
        id="a-million-stages",
    ),
    pytest.param(
        HEAD
        + "stages:\n  - repeat: 1000\n    stages:\n      - repeat: 1000\n        stages:\n"
        + "          - repeat: 1000\n            stages: [{name: A, duration: 1s}]\n",
        [
            "r.yaml:4:3: error: the session lasts 277777.8 hours, over the 24-hour limit; "
            "shorten stages or repeats",
            "r.yaml:8:13: error: this block plays 1,000 stages (1000 × 1), over the 500 a "
            "session may have; repeat it fewer times",
        ],
        id="a-billion-stages",
    ),
    pytest.param(
        HEAD
        + "stages:\n"
        + "  - {repeat: 250, stages: [{name: A, duration: 1s}]}\n"
        + "  - {repeat: 251, stages: [{name: B, duration: 1s}]}\n",
        [
            "r.yaml:4:3: error: the session plays 501 stages, repeats counted, over the 500 it "
            "may have; split it into several routines"
        ],
        id="501-stages",
    ),
    # --- texts and names
    pytest.param(
        _stage(f"duration: 1m, say: {WORDS_100_KB}"),
        [
            "r.yaml:4:34: error: say is 100,000 characters long, over the 2,000 one text may "
            "have; split it into a list of shorter texts"
        ],
        id="100-kb-sentence",
    ),
    pytest.param(
        _stage(f"duration: 1m, say: [Stroke., {'x' * 2001}]"),
        [
            "r.yaml:4:44: error: an item of say is 2,001 characters long, over the 2,000 one "
            "text may have; split it into shorter items"
        ],
        id="long-item",
    ),
    pytest.param(
        HEAD + f"closing: {'x' * 2001}\nstages: [{{name: S, duration: 1m}}]\n",
        [
            "r.yaml:3:10: error: closing is 2,001 characters long, over the 2,000 one text may "
            "have; shorten it"
        ],
        id="long-closing",
    ),
    pytest.param(
        HEAD + f"stages: [{{name: {'N' * 101}, duration: 1m}}]\n",
        [
            "r.yaml:3:17: error: stage name is 101 characters long, over the 100 a name may "
            "have; shorten it"
        ],
        id="long-name",
    ),
    pytest.param(
        _stage("duration: 1m, sides: [left, " + "r" * 101 + "]"),
        [
            "r.yaml:4:43: error: an item of sides is 101 characters long, over the 100 a name "
            "may have; shorten it"
        ],
        id="long-side",
    ),
    pytest.param(
        _stage("duration: 1m, say: '" + "{stage} " * 20 + "'"),
        [
            "r.yaml:4:34: error: say can reach 2,019 characters with its variables filled in "
            "(a name up to 100), over the 2,000 one text may have; use fewer variables or "
            "shorten the text"
        ],
        id="template-filled-in",
    ),
    pytest.param(
        HEAD
        + "safety: {contraindications: ["
        + ", ".join(letter * 500 for letter in "wxyz")
        + "]}\nstages: [{name: S, duration: 1m}]\n",
        [
            "r.yaml:3:9: error: the contraindications are spoken as one sentence of 2,057 "
            "characters, over the 2,000 one text may have; shorten them"
        ],
        id="contraindications-in-one-sentence",
    ),
    pytest.param(
        HEAD + f"phrases: {{last_stage: {'z' * 101}}}\nstages: [{{name: S, duration: 1m}}]\n",
        [
            "r.yaml:3:23: error: phrase 'last_stage' is 101 characters long, over the 100 a "
            "name may have; shorten it"
        ],
        id="last-stage-phrase",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_routine_over_a_limit_is_refused_with_its_own_message(
    in_tmp: Path, run_cli: RunCli, text: str, expected: list[str]
) -> None:
    """Each limit has its own message at the place to fix, and is found at once."""
    assert _check(in_tmp, run_cli, {"r.yaml": text}) == expected


def test_a_routine_at_the_limits_is_accepted(in_tmp: Path, run_cli: RunCli) -> None:
    """500 stages of 1 s, each text and name as long as allowed, four sides: fine."""
    name = "N" * model.MAX_NAME_CHARS
    text = "w" * model.MAX_TEXT_CHARS
    (in_tmp / "r.yaml").write_text(
        HEAD
        + "cues: {countdown: 0, halfway: false}\n"
        + "stages:\n"
        + f"  - {{name: {name}, duration: 4s, sides: [a, b, c, d], say: {text}}}\n"
        + "  - {repeat: 499, stages: [{name: S, duration: 1s}]}\n",
        "utf-8",
    )
    result = run_cli("check", "r.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("r.yaml: ok: 'T', 500 stages")


def test_too_many_includes(in_tmp: Path, run_cli: RunCli) -> None:
    """Including files more than 100 times (one file over and over) is refused at the
    101st include, once."""
    includes = "".join("  - include: part.yaml\n" for _ in range(2000))
    lines = _check(
        in_tmp,
        run_cli,
        {
            "r.yaml": HEAD + "stages:\n" + includes,
            "part.yaml": "stages:\n  - {name: S, duration: 1s}\n",
        },
    )
    assert lines == [
        "r.yaml:104:14: error: more than 100 includes (a file included twice counts twice); "
        "write the stages out or include fewer files"
    ]


def test_too_much_included_text(in_tmp: Path, run_cli: RunCli) -> None:
    """Included files holding over 1 MiB of text together, counted each time they are
    included, are refused at the include that goes over."""
    part = "stages:\n  - {name: S, duration: 1m}\n" + "#" * 400_000 + "\n"
    lines = _check(
        in_tmp,
        run_cli,
        {"r.yaml": HEAD + "stages:\n" + "  - include: part.yaml\n" * 50, "part.yaml": part},
    )
    assert lines == [
        "r.yaml:6:14: error: the included files hold over 1 MiB of text together (a file "
        "included twice counts twice); include fewer or smaller files"
    ]


def test_an_include_bomb_is_refused_quickly(in_tmp: Path, run_cli: RunCli) -> None:
    """A 40 KB routine including a file of 2,000 stages 2,000 times (4,000,000 stages) is
    refused at once, at the 501st stage read."""
    stages = "".join(f"  - {{name: S{n}, duration: 1m}}\n" for n in range(2000))
    lines = _check(
        in_tmp,
        run_cli,
        {
            "r.yaml": HEAD + "stages:\n" + "  - include: part.yaml\n" * 2000,
            "part.yaml": "stages:\n" + stages,
        },
    )
    assert lines == [
        "part.yaml:502:5: error: more than 500 stages are written, those of included files "
        "counted each time; a session has at most 500: split the routine"
    ]
