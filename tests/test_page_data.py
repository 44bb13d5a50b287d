"""What the web page carries, without a browser: the script's words and chapters as its
JSON, and a routine's texts kept as text, whatever characters they hold."""

from __future__ import annotations

import base64
import json
import re

from voiceguide.compiler import compile_routine
from voiceguide.estimate import EstimatedDurations
from voiceguide.export.page import page_data, to_page
from voiceguide.load import load_routine
from voiceguide.model.record import replace

HOSTILE = "{{DATA}} </script><script>alert(1)</script> <!-- & \" '"


def test_a_hostile_title_stays_text_and_the_data_reads_back() -> None:
    """A title holding a placeholder, a closing script tag and HTML comment markers
    is escaped in the page's head and stays whole in its data, which parses back to
    exactly what page_data gives; the audio is there, base64, as given."""
    script = compile_routine(load_routine("neck"), EstimatedDurations(150))
    script = replace(script, title=HOSTILE)
    page = to_page(script, b"OggS-not-really-audio")
    assert page.count("<script>alert(1)</script>") == 0
    assert "<title>{{DATA}} &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    found = re.search(r'<script id="guide" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    assert json.loads(found.group(1)) == page_data(script)
    assert json.loads(found.group(1))["title"] == HOSTILE
    audio = base64.b64encode(b"OggS-not-really-audio").decode()
    assert f'src="data:audio/ogg;codecs=opus;base64,{audio}"' in page
    assert "{{" not in page.replace(HOSTILE, "").replace("{{DATA}}", "")


def test_the_words_and_chapters_are_the_scripts() -> None:
    """Every utterance with its start and end, the chapters with theirs, and the
    safety text (contraindications, when to stop, position) in order."""
    script = compile_routine(load_routine("neck"), EstimatedDurations(150))
    data = page_data(script)
    said = [s for s in script.speech() if s.text.strip()]
    assert [w["start"] for w in data["words"]] == [s.time for s in said]
    assert [w["end"] for w in data["words"]] == [s.end for s in said]
    assert data["chapters"][0] == {
        "title": "Introduction",
        "start": 0.0,
        "end": data["chapters"][1]["start"],
    }
    assert data["chapters"][-1]["end"] == round(script.duration, 3)
    headings = [block["heading"] for block in data["safety"]]
    assert (
        headings.index("Do not do this session if you have any of these:")
        < headings.index("Stop at once if you feel any of these:")
        < headings.index("Position")
    )
    assert data["labels"]["play"] == "Play"
