"""`export --bundle`: a patient's bundle in a zip file or a folder, its handout printed to
PDF by the same headless Chromium the page is tested in."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.test_page import Opened, browser  # noqa: F401 - the module's browser fixture
from voiceguide.cli import cli
from voiceguide.testing import FakeSpeech, installed

DATA = Path(__file__).parent / "data"
SHORT = str(DATA / "short.yaml")
CONTENTS = [
    "neck/neck-handout.html",
    "neck/neck.html",
    "neck/neck.mp3",
    "neck/neck.srt",
    "neck/neck.vtt",
    "neck/routine/neck.yaml",
    "neck/routine/shared/safety.yaml",
]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.audio
def test_the_bundle_holds_the_guide_page_handout_and_routine(
    tmp_path: Path,
    browser: Any,  # noqa: F811
) -> None:
    """The zip holds the guide with its chapters and subtitles, the page, the handout
    and the routine with the file it includes (which loads as it is). The handout,
    printed to PDF by headless Chromium, has the safety section on its first page."""
    from pypdf import PdfReader

    target = tmp_path / "neck.zip"
    result = invoke("export", "neck", "--bundle", str(target))
    assert result.exit_code == 0, result.output
    assert f"wrote {target}: the guide, its page, its handout and the routine" in result.stderr
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == CONTENTS
        archive.extractall(tmp_path)
    folder = tmp_path / "neck"
    chapters = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-of", "json", "-show_chapters", str(folder / "neck.mp3")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["chapters"]
    assert [c["tags"]["title"] for c in chapters][:2] == ["Introduction", "Stroking"]
    assert invoke("check", str(folder / "routine" / "neck.yaml")).exit_code == 0
    page = Opened(browser, folder / "neck-handout.html", audio=False)
    try:
        page.page.emulate_media(media="print")
        pdf = page.page.pdf(format="A4")
        (tmp_path / "handout.pdf").write_bytes(pdf)
        assert page.errors == []
    finally:
        page.close()
    pages = PdfReader(io.BytesIO(pdf)).pages
    first = " ".join(pages[0].extract_text().split())
    for line in (
        "Before you start",
        "Do not do this session if you have any of these:",
        "Stop at once if you feel any of these:",
        "dizziness",
    ):
        assert line in first
    everything = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert "Finishing strokes" in everything


def test_a_folder_bundle_and_what_it_will_not_overwrite(tmp_path: Path) -> None:
    """A folder bundle holds the same files; a second one into the same folder, or
    into a zip already there, is refused before anything is said, unless --force."""
    speech = FakeSpeech()
    folder = tmp_path / "for-the-patient"
    with installed(speech=speech):
        result = invoke("export", SHORT, "--bundle", str(folder), "-q")
        assert result.exit_code == 0, result.output
        names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        assert names == [
            "routine/short.yaml",
            "short-handout.html",
            "short.html",
            "short.mp3",
            "short.srt",
            "short.vtt",
        ]
        said = len(speech.spoken)
        again = invoke("export", SHORT, "--bundle", str(folder), "-q")
        assert again.exit_code == 1
        assert "already exists and is not empty; use --force to replace it" in again.stderr
        (tmp_path / "b.zip").write_bytes(b"keep")
        zipped = invoke("export", SHORT, "--bundle", str(tmp_path / "b.zip"), "-q")
        assert zipped.exit_code == 1
        assert "b.zip already exists; use --force to overwrite it" in zipped.stderr
        assert len(speech.spoken) == said
        assert (tmp_path / "b.zip").read_bytes() == b"keep"
        forced = invoke("export", SHORT, "--bundle", str(folder), "-q", "--force")
        assert forced.exit_code == 0, forced.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failure_leaves_no_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills up while the handout is written: a one-line error; neither the
    zip nor any temporary folder is left."""
    import errno

    from voiceguide.formats import handout_html

    def full(*_: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(handout_html, "to_handout_html", full)
    with installed(speech=FakeSpeech()):
        result = invoke("export", SHORT, "--bundle", str(tmp_path / "x.zip"), "-q")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "x.mp3"], "'-o' / '--output': --bundle writes its files itself"),
        (["--split", "s"], "'--split': --bundle writes its files itself"),
        ([SHORT], "'--bundle': it holds one routine's guide: give one"),
    ],
)
def test_options_that_do_not_go_with_a_bundle(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    with installed(speech=FakeSpeech()):
        result = invoke("export", SHORT, "--bundle", str(tmp_path / "b.zip"), *extra)
    assert result.exit_code == 2
    assert f"Error: Invalid value for {message}" in result.stderr
    assert list(tmp_path.iterdir()) == []
