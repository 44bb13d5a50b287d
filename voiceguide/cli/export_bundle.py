"""``export --bundle``: the command's side of a patient's bundle (see
:mod:`voiceguide.export.bundle`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from voiceguide.cli.export import prepared
from voiceguide.cli.params import progress_bar
from voiceguide.errors import OptionError

if TYPE_CHECKING:
    from voiceguide.adapt import Variant
    from voiceguide.pipeline import VoiceOptions


def export_bundle(
    routines: tuple[str, ...],
    target: Path,
    given: Mapping[str, object],
    *,
    variant: Variant,
    voice: VoiceOptions,
    render: tuple[int, float],
    use_cache: bool,
    force: bool,
    quiet: bool,
) -> None:
    """One routine's bundle (a session of its course, a painful side, as chosen)."""
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.durations import format_length
    from voiceguide.errors import display_path
    from voiceguide.export.bundle import BUNDLE_RATE, check_bundle, write_bundle
    from voiceguide.export.jobs import stem
    from voiceguide.load import load_routine

    for option, value in given.items():
        if value:
            raise OptionError(option, "--bundle writes its files itself: leave it out")
    if len(routines) > 1:
        raise OptionError("--bundle", "it holds one routine's guide: give one")
    reference = routines[0]
    loaded = load_routine(reference)
    check_bundle(target, force)
    name = stem(loaded, reference)
    if variant.session is not None:
        name = f"{name}-session-{variant.session:02d}"
    channels, loudness = render
    settings = RenderSettings(BUNDLE_RATE, channels, loudness)
    guide = prepared(loaded, variant, voice, settings, use_cache=use_cache, quiet=quiet)
    with progress_bar("Encoding ", quiet) as encoding:
        written = write_bundle(
            guide.renderer, target, name, loaded.path, force=force, progress=encoding
        )
    for warning in guide.script.warnings:
        click.echo(str(warning), err=True)
    if not quiet:
        what = display_path(target)
        files = "" if target.suffix.lower() == ".zip" else f" ({len(written)} files)"
        click.echo(
            f"wrote {what}{files}: the guide, its page, its handout and the routine "
            f"({format_length(guide.script.duration)})",
            err=True,
        )
