"""voiceguide preview."""

from __future__ import annotations

from pathlib import Path

import click

from voiceguide.cli.group import cli, note, warn
from voiceguide.cli.params import sample_rate_option, variant_options, voice_options


@cli.command()
@click.argument("routine", metavar="ROUTINE")
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice(["text", "json", "srt", "vtt", "markdown"]),
    default=None,
    help="Output format. [default: from the -o extension, else text]",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.option(
    "--exact",
    is_flag=True,
    help="Synthesize the speech and use its real lengths, so the timeline is exactly the audio's.",
)
@sample_rate_option(
    "With --exact: the sample rate of the audio to match (as export's --sample-rate;"
    " lengths differ by a few samples from one rate to another). [default: 44100]"
)
@voice_options
@variant_options()
def preview(
    routine: str,
    format_name: str | None,
    output: Path | None,
    force: bool,
    exact: bool,
    sample_rate: int | None,
    voice: str | None,
    rate: int | None,
    volume: float | None,
    no_cache: bool,
    painful_side: str | None,
    session: int | None,
) -> None:
    """Show a routine's timeline without sound: as text, JSON, subtitles or a handout.

    Speech lengths are those of the speech in the clip cache when all of it is there (as
    after an export), else estimated from the speaking rate ("about 12:56"); with --exact
    the speech is synthesized first and its real lengths are used.

    \b
    Example:
      voiceguide preview neck
      voiceguide preview neck --format markdown -o neck-handout.md
      voiceguide preview neck --exact --format srt
      voiceguide preview neck --session 1 --painful-side right
    """
    from voiceguide.adapt import Variant
    from voiceguide.errors import display_path
    from voiceguide.files import check_target, remove_stale, write_text_atomic
    from voiceguide.formats import SUFFIXES, WRITERS
    from voiceguide.load import load_routine
    from voiceguide.pipeline import VoiceOptions, measure, timeline

    if sample_rate is not None and not exact:
        raise click.UsageError("--sample-rate applies to --exact only")
    if format_name is None:
        format_name = SUFFIXES.get(output.suffix.lower(), "text") if output else "text"
    if output is not None:
        check_target(output, force)
        for left in remove_stale(output.parent):
            note(
                f"removed {display_path(left)}, a temporary file left by a voiceguide that was killed"
            )
    loaded, variant = load_routine(routine), Variant(session, painful_side)
    voice_options = VoiceOptions(voice, rate, volume)
    if exact:
        script = measure(
            loaded, variant, voice_options, sample_rate, use_cache=not no_cache, warn=warn
        )
    else:
        script = timeline(loaded, variant, voice_options, use_cache=not no_cache)
    for warning in script.warnings:
        click.echo(str(warning), err=True)
    text = WRITERS[format_name](script)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(output, text, force)
        click.echo(f"wrote {output}", err=True)
