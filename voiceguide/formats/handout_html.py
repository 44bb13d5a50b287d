"""The printable handout as a web page with print styles, in the routine's language:
safety first (see a doctor, the contraindications, when to stop), then the position and
the preparation, then the stages with their times and what to do. The same content as
the Markdown handout (:mod:`voiceguide.formats.handout`), made to be printed (or saved
as PDF) from any browser, one A4 page or a few."""

from __future__ import annotations

import html

from voiceguide.durations import format_clock, format_length, format_session_length
from voiceguide.formats.handout import instructions
from voiceguide.model.script import Script
from voiceguide.phrases import phrases_for
from voiceguide.text import one_line
from voiceguide.words import labels_for, technique_name

_STYLE = """
  body { font: 11pt/1.4 system-ui, sans-serif; color: #000; max-width: 48rem; margin: 1rem auto; }
  h1 { font-size: 18pt; margin: 0 0 .2rem; } h2 { font-size: 13pt; margin: 1rem 0 .3rem; }
  .safety { border: 2pt solid #000; padding: .2rem .8rem .4rem; break-inside: avoid; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: .75pt solid #000; padding: .25rem .4rem; vertical-align: top; text-align: left; }
  td.time { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  tr { break-inside: avoid; }
  @page { size: A4; margin: 15mm; }
  @media print { body { margin: 0; max-width: none; } }
"""


def _text(value: str) -> str:
    return html.escape(one_line(value))


def to_handout_html(script: Script) -> str:
    labels, phrases = labels_for(script.language), phrases_for(script.language)
    length = format_session_length(
        script.duration, estimated=script.estimated, language=script.language
    )
    out = [
        "<!doctype html>",
        f'<html lang="{html.escape(script.language)}">',
        '<head><meta charset="utf-8">',
        f"<title>{_text(script.title)}</title><style>{_STYLE}</style></head>",
        "<body>",
        f"<h1>{_text(script.title)}</h1>",
    ]
    if script.description:
        out.append(f"<p>{_text(script.description)}</p>")
    facts = [f"<b>{html.escape(labels['duration'])}:</b> {html.escape(length)}"]
    if script.author:
        facts.append(f"<b>{html.escape(labels['author'])}:</b> {_text(script.author)}")
    out.append(f"<p>{' · '.join(facts)}</p>")
    out += [f'<section class="safety"><h2>{html.escape(labels["before"])}</h2>']
    safety = script.safety
    if phrases["see_doctor"] and phrases["see_doctor"] not in script.preparation:
        out.append(f"<p><b>{_text(phrases['see_doctor'])}</b></p>")
    for heading, items in (
        (phrases["contraindications"], safety.contraindications),
        (phrases["stop_if"], safety.stop_if),
    ):
        if items:
            out.append(f"<p><b>{_text(heading)}</b></p><ul>")
            out += [f"<li>{_text(item)}</li>" for item in items]
            out.append("</ul>")
    out.append("</section>")
    if script.position_text:
        out.append(
            f"<p><b>{html.escape(labels['position'])}:</b> {_text(script.position_text)}</p>"
        )
    for step in script.preparation:
        out.append(f"<p><b>{html.escape(labels['preparation'])}:</b> {_text(step)}</p>")
    said = instructions(script)
    columns = ("starts", "stage", "technique", "length", "what_to_do")
    out += [
        f"<h2>{html.escape(labels['stages'])}</h2>",
        "<table><thead><tr><th>#</th>"
        + "".join(f"<th>{html.escape(labels[c])}</th>" for c in columns)
        + "</tr></thead><tbody>",
    ]
    for segment in script.stages:
        technique = technique_name(segment.technique, script.language) if segment.technique else ""
        out.append(
            f"<tr><td>{segment.stage_number}</td>"
            f'<td class="time">{format_clock(segment.start)}</td>'
            f"<td>{_text(segment.label)}</td><td>{_text(technique)}</td>"
            f'<td class="time">{format_length(segment.duration)}</td>'
            f"<td>{_text(' '.join(said.get(segment.index, [])))}</td></tr>"
        )
    out += ["</tbody></table>", f"<p>{html.escape(labels['total'].format(length=length))}</p>"]
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
