"""A patient's bundle (``export --bundle guide.zip`` or ``--bundle FOLDER/``): everything
a therapist hands over, in one zip file or one folder.

- ``NAME.mp3``: the guide, with its chapters; ``NAME.srt`` and ``NAME.vtt``: its words;
- ``NAME.html``: the web page that plays offline (:mod:`voiceguide.export.page`);
- ``NAME-handout.html``: the printable handout, safety first
  (:mod:`voiceguide.formats.handout_html`);
- ``routine/``: the routine file itself and the files it includes, as they lie beside it.

Everything is written into a temporary folder beside the target first, then zipped into
place or the folder renamed into place: a failure leaves nothing, and nothing is
overwritten without ``force``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide.errors import ExportError, display_path
from voiceguide.files import atomic_output, check_folder, check_target, write_error

if TYPE_CHECKING:
    from voiceguide.audio.render import Renderer
    from voiceguide.ports import Progress

BUNDLE_RATE = 48_000
"""The bundle's audio rate: one the MP3 and the page's Opus both take."""


def check_bundle(target: Path, force: bool) -> None:
    """Refuse, before any work, a bundle that may not be written."""
    if target.suffix.lower() == ".zip":
        check_target(target, force, "--bundle")
    elif target.exists() and not target.is_dir():
        raise ExportError(f"{display_path(target)} is a file; give a folder or a .zip name")
    elif target.exists() and any(target.iterdir()) and not force:
        raise ExportError(
            f"{display_path(target)} already exists and is not empty; use --force to replace it"
        )
    else:
        check_folder(target, "--bundle")


def write_bundle(
    renderer: Renderer,
    target: Path,
    name: str,
    routine_file: Path | None,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the bundle of the guide ``renderer`` plays; return what was written (the
    zip file, or the folder's files)."""
    check_bundle(target, force)
    try:
        return _write(renderer, target, name, routine_file, force=force, progress=progress)
    except OSError as exc:
        raise write_error(target, exc, "--bundle") from None


def _write(
    renderer: Renderer,
    target: Path,
    name: str,
    routine_file: Path | None,
    *,
    force: bool,
    progress: Progress | None,
) -> list[Path]:
    from voiceguide.export.writer import export
    from voiceguide.formats.handout_html import to_handout_html

    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{name}.bundle-", dir=parent) as scratch:
        folder = Path(scratch) / name
        folder.mkdir()
        export(renderer, folder / f"{name}.mp3", subtitles="both", progress=progress)
        export(renderer, folder / f"{name}.html", subtitles="none")
        handout = to_handout_html(renderer.script)
        (folder / f"{name}-handout.html").write_text(handout, encoding="utf-8")
        if routine_file is not None:
            for path, relative in routine_files(routine_file):
                copy = folder / "routine" / relative
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy)
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        if target.suffix.lower() == ".zip":
            with atomic_output(target, force) as zipped:
                _zip(folder, files, zipped)
            return [target]
        if target.exists():
            shutil.rmtree(target)  # (checked above: empty, or --force)
        os.replace(folder, target)
        return [target / p.relative_to(folder) for p in files]


def _zip(folder: Path, files: list[Path], zipped: Path) -> None:
    with zipfile.ZipFile(zipped, "w") as archive:
        for path in files:
            compress = zipfile.ZIP_STORED if path.suffix == ".mp3" else zipfile.ZIP_DEFLATED
            archive.write(path, str(Path(folder.name) / path.relative_to(folder)), compress)


def routine_files(path: Path) -> Iterator[tuple[Path, Path]]:
    """The routine file and the files it includes (and they include), each with its
    place relative to the routine's folder; includes outside that folder are left out."""
    import yaml

    root = path.parent.resolve()
    seen: set[Path] = set()
    waiting = [path.resolve()]
    while waiting:
        current = waiting.pop()
        if current in seen or not current.is_file():
            continue
        seen.add(current)
        try:
            relative = current.relative_to(root)
        except ValueError:
            continue
        yield current, relative
        try:
            data = yaml.safe_load(current.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        waiting += [current.parent / named for named in _includes(data)]


def _includes(data: Any) -> Iterator[str]:
    """Every ``include:`` file name in a routine's YAML data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "include" and isinstance(value, str):
                yield value
            elif key == "include" and isinstance(value, list):
                yield from (item for item in value if isinstance(item, str))
            else:
                yield from _includes(value)
    elif isinstance(data, list):
        for item in data:
            yield from _includes(item)
