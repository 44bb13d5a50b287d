"""Preview formats, compared with golden files (regenerate with --update-golden)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import srt
import webvtt

from voiceguide.adapt import Variant
from voiceguide.formats import WRITERS
from voiceguide.load import load_routine
from voiceguide.model.script import Script
from voiceguide.pipeline import estimate

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
SUFFIX = {"text": "txt", "json": "json", "srt": "srt", "vtt": "vtt", "markdown": "md"}
ROUTINES = {"neck": "neck", "features": str(DATA / "features.yaml")}


def script_for(key: str) -> Script:
    """The routine's timeline as a preview shows it without the speech: estimated."""
    return estimate(load_routine(ROUTINES[key]), Variant())


@pytest.mark.parametrize("key", sorted(ROUTINES))
@pytest.mark.parametrize("format_name", sorted(WRITERS))
def test_preview_matches_golden_file(key: str, format_name: str, update_golden: bool) -> None:
    """Each writer's output for each routine is exactly the reviewed golden file."""
    output = WRITERS[format_name](script_for(key))
    golden = GOLDEN / f"{key}.{SUFFIX[format_name]}"
    if update_golden:
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("key", sorted(ROUTINES))
def test_json_stages_tile_the_duration(key: str) -> None:
    """In the JSON, stages laid end to end add up to "duration"."""
    data = json.loads(WRITERS["json"](script_for(key)))
    stages = data["stages"]
    assert stages[0]["start"] == 0
    for before, after in itertools.pairwise(stages):
        assert before["end"] == after["start"]
    assert stages[-1]["end"] == data["duration"]
    assert sum(s["end"] - s["start"] for s in stages) == pytest.approx(data["duration"])


@pytest.mark.parametrize("key", sorted(ROUTINES))
def test_subtitles_parse_and_match_the_speech(key: str, tmp_path: Path) -> None:
    """SRT and WebVTT parse with real parsers and carry every utterance at its time."""
    script = script_for(key)
    speech = script.speech()
    subtitles = list(srt.parse(WRITERS["srt"](script)))
    assert [s.content for s in subtitles] == [s.text for s in speech]
    assert [s.start.total_seconds() for s in subtitles] == [round(s.time, 3) for s in speech]
    vtt_path = tmp_path / "s.vtt"
    vtt_path.write_text(WRITERS["vtt"](script), encoding="utf-8")
    captions = webvtt.read(str(vtt_path)).captions
    assert [c.text for c in captions] == [s.text for s in speech]
    assert [c.end_in_seconds for c in captions] == [int(s.end) for s in speech]


def test_markdown_handout_has_safety_and_every_stage() -> None:
    """The handout lists the contraindications and one table row per stage part."""
    script = script_for("neck")
    handout = WRITERS["markdown"](script)
    for item in script.safety.contraindications:
        assert f"- {item}\n" in handout
    rows = [line for line in handout.splitlines() if line.startswith("| ") and "Starts" not in line]
    assert len(rows) == len(script.stages)
