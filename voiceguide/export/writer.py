"""Export a rendered guide as an audio file with chapters, tags and subtitle sidecars
(the chapters and tags themselves: :mod:`voiceguide.export.tags`).

The format follows the file's extension. Everything is written to temporary files beside
the targets and renamed into place only when all of it succeeded, so a failed or
interrupted export leaves nothing behind, and nothing is overwritten without ``force``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide.errors import ExportError, display_path
from voiceguide.export.aac import RATES as AAC_RATES
from voiceguide.export.aac import AacWriter
from voiceguide.export.lame import RATES as MP3_RATES
from voiceguide.export.lame import LameWriter, lame_library
from voiceguide.export.opus import OpusWriter, opus_libraries
from voiceguide.export.tags import Tags, chapters, podcast_chapters, write_metadata
from voiceguide.files import atomic_output, check_target
from voiceguide.formats import to_srt, to_vtt

if TYPE_CHECKING:  # the renderer pulls in numpy; only the export itself needs it
    import numpy as np
    import numpy.typing as npt

    from voiceguide.audio.render import Renderer
    from voiceguide.ports import Progress, Samples


OPUS_RATES = (48_000, 24_000, 16_000, 12_000, 8_000)


@dataclass(frozen=True)
class AudioFormat:
    suffix: str
    container: str
    subtype: str
    description: str
    rates: tuple[int, ...] = ()  # sample rates the codec takes; empty: any


AUDIO_FORMATS: dict[str, AudioFormat] = {
    ".wav": AudioFormat(".wav", "WAV", "PCM_16", "WAV, 16-bit PCM"),
    ".flac": AudioFormat(".flac", "FLAC", "PCM_16", "FLAC, lossless"),
    ".ogg": AudioFormat(".ogg", "OGG", "VORBIS", "Ogg Vorbis"),
    ".opus": AudioFormat(".opus", "OGG", "OPUS", "Ogg Opus", OPUS_RATES),
    ".mp3": AudioFormat(".mp3", "MP3", "MPEG_LAYER_III", "MP3", MP3_RATES),
    ".m4b": AudioFormat(".m4b", "MP4", "AAC", "AAC audiobook (MP4)", AAC_RATES),
    ".m4a": AudioFormat(".m4a", "MP4", "AAC", "AAC (MP4)", AAC_RATES),
    ".html": AudioFormat(".html", "HTML", "OPUS", "a web page (Ogg Opus inside)", OPUS_RATES),
}

WRITE_FRAMES = 1 << 17
"""Frames handed to the encoder at a time (fewer, larger writes than playback's blocks)."""


def audio_format(path: Path) -> AudioFormat:
    """The format for ``path``'s extension, or an error listing the supported ones."""
    found = AUDIO_FORMATS.get(path.suffix.lower())
    if found is None:
        supported = ", ".join(AUDIO_FORMATS)
        raise ExportError(
            f"cannot export to {path.name!r}: unknown extension {path.suffix or '(none)'!r}; "
            f"use one of {supported}"
        )
    return found


def rate_problem(fmt: AudioFormat, rate: int) -> str | None:
    """Why ``fmt`` cannot hold audio at ``rate``, or None."""
    if fmt.rates and rate not in fmt.rates:
        rates = ", ".join(str(r) for r in fmt.rates)
        return f"{fmt.description} takes a sample rate of {rates} Hz, not {rate}"
    return None


CHAPTERS_SUFFIX = ".chapters.json"
"""The Podcasting 2.0 chapters file beside a guide: ``guide.chapters.json``."""


def sidecar_paths(path: Path, subtitles: str, chapters_file: bool = False) -> list[Path]:
    """The files written beside the guide: its subtitles, and its chapters file."""
    kinds = {"srt": ["srt"], "vtt": ["vtt"], "both": ["srt", "vtt"], "none": []}[subtitles]
    paths = [path.with_suffix(f".{kind}") for kind in kinds]
    if chapters_file:
        paths.append(path.with_name(path.stem + CHAPTERS_SUFFIX))
    return paths


def export(
    renderer: Renderer,
    path: Path,
    *,
    force: bool = False,
    subtitles: str = "srt",
    chapters_file: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the guide (and its subtitles, and with ``chapters_file`` its Podcasting 2.0
    chapters) to ``path``; return the files written."""
    fmt = audio_format(path)
    rate = renderer.settings.sample_rate
    problem = rate_problem(fmt, rate)
    if problem:
        raise ExportError(problem)
    sidecars = sidecar_paths(path, subtitles, chapters_file)
    for target in [path, *sidecars]:
        check_target(target, force)
    script = renderer.script
    with contextlib.ExitStack() as stack:
        audio_tmp = stack.enter_context(atomic_output(path, force))
        if fmt.container == "HTML":
            _write_page(renderer, audio_tmp, path, progress)
        else:
            write_audio(renderer, audio_tmp, path, fmt, progress)
            write_metadata(audio_tmp, fmt, script)
        for sidecar in sidecars:
            sidecar_tmp = stack.enter_context(atomic_output(sidecar, force))
            if sidecar.name.endswith(CHAPTERS_SUFFIX):
                text = podcast_chapters(script)
            else:
                text = to_srt(script) if sidecar.suffix == ".srt" else to_vtt(script)
            sidecar_tmp.write_text(text, encoding="utf-8")
    return [path, *sidecars]


def _write_page(renderer: Renderer, target: Path, final: Path, progress: Progress | None) -> None:
    """The web page (see :mod:`voiceguide.export.page`), its audio encoded first."""
    import tempfile

    from voiceguide.export.page import to_page

    with tempfile.TemporaryDirectory(prefix="voiceguide-page-") as scratch:
        opus = Path(scratch) / "guide.opus"
        write_audio(renderer, opus, final, AUDIO_FORMATS[".opus"], progress)
        target.write_text(to_page(renderer.script, opus.read_bytes()), encoding="utf-8")


def write_audio(
    renderer: Renderer,
    target: Path,
    final: Path,
    fmt: AudioFormat,
    progress: Progress | None,
    *,
    frames: tuple[int, int] | None = None,
    tags: Tags | None = None,
) -> None:
    """The guide's audio (``frames``: only [first, last) of it) to ``target``, which
    becomes ``final``; a WAV file gets ``tags`` (default: the guide's) in its header,
    the other formats are tagged afterwards."""
    import soundfile

    settings = renderer.settings
    if fmt.container == "MP3" and lame_library() is not None:
        with LameWriter(target, settings.sample_rate, settings.channels) as mp3:
            _encode(renderer, mp3.write, fmt, progress, frames)
        return
    if fmt.container == "MP4":  # chapters and tags go in as the file is finished
        tags = tags or Tags.for_script(renderer.script)
        marks = [] if frames else [(c.title, c.start, c.end) for c in chapters(renderer.script)]
        described = {"title": tags.title, "artist": tags.artist, "comment": tags.comment}
        with AacWriter(
            target, settings.sample_rate, settings.channels, chapters=marks, tags=described
        ) as aac:
            _encode(renderer, aac.write, fmt, progress, frames)
        return
    if fmt.subtype == "OPUS" and opus_libraries() is not None:
        with OpusWriter(target, settings.sample_rate, settings.channels) as opus:
            _encode(renderer, opus.write, fmt, progress, frames)
        return
    try:
        with soundfile.SoundFile(
            target,
            mode="w",
            samplerate=settings.sample_rate,
            channels=settings.channels,
            format=fmt.container,
            subtype=fmt.subtype,
        ) as sink:
            if fmt.container == "WAV":  # a LIST INFO chunk; the other formats are tagged later
                tags = tags or Tags.for_script(renderer.script)
                sink.title, sink.artist, sink.comment = tags.title, tags.artist, tags.comment
            _encode(renderer, sink.write, fmt, progress, frames)
    except soundfile.LibsndfileError as exc:
        raise _write_error(target, final, exc) from None


def _encode(
    renderer: Renderer,
    write: Callable[[Any], object],
    fmt: AudioFormat,
    progress: Progress | None,
    frames: tuple[int, int] | None = None,
) -> None:
    """Every block of the guide (or of its ``frames``) to ``write``, telling
    ``progress`` on the way."""
    first, last = frames or (0, renderer.total_frames)
    done, total = 0, last - first
    for block in renderer.blocks(first, last, size=WRITE_FRAMES):
        write(_pcm16(block) if fmt.subtype == "PCM_16" else block)
        done += len(block)
        if progress:
            progress(done, total)


def _pcm16(block: Samples) -> npt.NDArray[np.int16]:
    """16-bit samples: clipped to ±1, x 32767, rounded to the nearest step.

    libsndfile's own conversion (scaled by 32768, within two steps of this) is about
    three times slower, which counts in a long export; silence, most of a guide, is
    faster still."""
    import numpy as np

    if not block.any():
        return np.zeros(block.shape, dtype=np.int16)
    scaled = np.clip(block, -1.0, 1.0) * np.float32(32767)
    np.rint(scaled, out=scaled)
    return scaled.astype(np.int16)


def _write_error(target: Path, final: Path, exc: Exception) -> Exception:
    """libsndfile reports a full disk or a file-size limit as "System error."; find the
    real cause by writing to the file ourselves, so :func:`atomic_output` can explain it."""
    import os

    try:
        with target.open("ab") as handle:
            handle.write(b"\0" * (1 << 16))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as cause:
        return cause
    return ExportError(f"cannot encode {display_path(final)}: {exc}")
