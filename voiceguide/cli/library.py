"""What is installed and kept: routines, the schema, voices, devices and the clip cache."""

from __future__ import annotations

import click

from voiceguide.cli.group import cli, command_name
from voiceguide.errors import VoiceguideError


@cli.command()
def routines() -> None:
    """List the built-in routines: name, length and title.

    A length is "about" one when it is estimated from the speaking rate; once the speech
    of a routine is in the clip cache (after it was played or exported), it is exact.

    \b
    Example:
      voiceguide routines
    """
    from voiceguide.adapt import Variant
    from voiceguide.durations import format_session_length
    from voiceguide.load import builtin_names, load_routine
    from voiceguide.pipeline import timeline

    for name in builtin_names():
        script = timeline(load_routine(name), Variant())
        length = format_session_length(script.duration, estimated=script.estimated)
        click.echo(f"{name:<16} {length:>11}  {script.title}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of routine files, for editors to validate and complete them.

    \b
    Example:
      voiceguide schema > routine.schema.json
    """
    from importlib import resources

    text = (resources.files("voiceguide") / "schema" / "routine.schema.json").read_text("utf-8")
    click.echo(text, nl=False)


@cli.command()
@click.option("--language", metavar="CODE", help="Only voices for this language, e.g. uk or en-GB.")
def voices(language: str | None) -> None:
    """List the installed voices: id, languages and name.

    \b
    Example:
      voiceguide voices --language uk
    """
    from voiceguide.speech import speech_engine

    found = speech_engine().voices(language)
    if not found:
        raise VoiceguideError(f"no installed voice speaks {language!r}")
    for info in found:
        click.echo(f"{info.id:<20} {','.join(info.languages):<12} {info.name}")


@cli.command()
def devices() -> None:
    """List the audio output devices: index, name, host API, channels (* the default).

    \b
    Example:
      voiceguide devices
    """
    from voiceguide.play import audio_output
    from voiceguide.play.devices import NO_DEVICE

    found = audio_output().devices()
    if not found:
        raise VoiceguideError(
            f"{NO_DEVICE}; export a guide instead: {command_name()} export ROUTINE"
        )
    for info in found:
        mark = "*" if info.default else " "
        click.echo(f"{mark} {info.index:>3}  {info.name:<32} {info.host:<12} {info.channels} ch")


@cli.group()
def cache() -> None:
    """The cache of synthesized speech clips.

    \b
    Example:
      voiceguide cache info
      voiceguide cache clear
    """


@cache.command("clear")
def cache_clear() -> None:
    """Delete every cached clip.

    \b
    Example:
      voiceguide cache clear
    """
    from voiceguide.speech.cache import ClipCache

    clips = ClipCache()
    removed = clips.clear()
    click.echo(f"removed {removed} clip{'s' * (removed != 1)} from {clips.folder}", err=True)


@cache.command("info")
def cache_info() -> None:
    """Show where the clips are cached, how many and how much space they take.

    \b
    Example:
      voiceguide cache info
    """
    from voiceguide.speech.cache import ClipCache

    clips = ClipCache()
    files = list(clips.folder.glob(f"*{clips.SUFFIX}")) if clips.folder.is_dir() else []
    size = sum(f.stat().st_size for f in files)
    click.echo(f"{clips.folder}\t{len(files)} clips\t{size / 1e6:.1f} MB")
