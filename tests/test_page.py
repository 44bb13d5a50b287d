"""`export -o guide.html`: the offline web page, opened from file:// in a real headless
Chromium (Debian's, driven by Playwright) with the network off.

It loads with no console error and asks for nothing but itself; its audio lasts the
script's duration; a chapter pressed is where the audio goes; the words on screen change
at the script's times; space pauses; and its labels are in the routine's language. A
screenshot of the page is left in the test's folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli

pytestmark = pytest.mark.audio

DATA = Path(__file__).parent / "data"
SHORT = str(DATA / "short.yaml")


def exported(routine: str, target: Path) -> dict[str, Any]:
    """Export ``routine`` as a page; its timeline as the page's audio has it (48 kHz)."""
    runner = CliRunner()
    result = runner.invoke(cli, ["export", routine, "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    preview = runner.invoke(
        cli, ["preview", routine, "--exact", "--format", "json", "--sample-rate", "48000"]
    )
    assert preview.exit_code == 0, preview.output
    script: dict[str, Any] = json.loads(preview.stdout)
    return script


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "the page's tests need Debian's chromium (scripts/setup --test installs it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, args=["--autoplay-policy=no-user-gesture-required"]
        )
        yield launched
        launched.close()


class Opened:
    """The page, opened offline, with what it logged and asked for."""

    def __init__(self, browser: Any, path: Path, *, audio: bool = True) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": 900, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        if audio:
            self.page.wait_for_function("document.getElementById('audio').readyState >= 1")

    def audio(self, expression: str) -> Any:
        return self.page.evaluate(
            f"(() => {{ const a = document.getElementById('audio'); return {expression}; }})()"
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def opened(browser: Any, tmp_path: Path) -> Iterator[tuple[Opened, dict[str, Any], Path]]:
    target = tmp_path / "guide.html"
    script = exported(SHORT, target)
    page = Opened(browser, target)
    yield page, script, tmp_path
    page.page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    page.close()


def test_the_page_loads_offline_with_its_audio(opened: tuple[Opened, dict[str, Any], Path]) -> None:
    """No console error, nothing asked for but the page itself; the audio inside lasts
    the script's duration within 50 ms; safety and position come before the player."""
    page, script, folder = opened
    assert page.errors == []
    assert {url.split(":", 1)[0] for url in page.requests} <= {"file", "data"}
    assert page.audio("a.duration") == pytest.approx(script["duration"], abs=0.05)
    text = page.page.inner_text("body")
    assert text.index("Stop at once if you feel any of these:") < text.index("Play")
    assert "dizziness" in text
    page.page.screenshot(path=str(folder / "page.png"), full_page=True)
    assert (folder / "page.png").stat().st_size > 10_000


def test_a_chapter_pressed_is_where_the_audio_goes(
    opened: tuple[Opened, dict[str, Any], Path],
) -> None:
    """Each chapter button takes the audio to its chapter's start and marks it current."""
    page, script, _ = opened
    chapters = [s for s in script["stages"] if s["kind"] != "transition"]
    for chapter in (chapters[2], chapters[1], chapters[-1]):
        page.page.get_by_role("button", name=chapter["label"]).click()
        assert page.audio("a.currentTime") == pytest.approx(chapter["start"], abs=0.01)
        current = page.page.locator("#chapters button[aria-current='true']")
        assert current.inner_text().startswith(chapter["label"])


def test_the_words_change_at_the_script_times_and_space_pauses(
    opened: tuple[Opened, dict[str, Any], Path],
) -> None:
    """Played from half a second before an utterance, the words on screen turn to it
    within 100 ms of its time in the script; space (the focus on no button) pauses."""
    page, script, _ = opened
    said = [e for e in script["events"] if e["kind"] == "speech" and e["text"].strip()]
    for utterance in (said[1], said[len(said) // 2]):
        page.page.evaluate(
            """(start) => {
                window.changes = [];
                const a = document.getElementById('audio');
                new MutationObserver(() => window.changes.push(
                    [a.currentTime, document.getElementById('words').textContent]
                )).observe(document.getElementById('words'), {childList: true, characterData: true, subtree: true});
                a.currentTime = start;
            }""",
            utterance["time"] - 0.5,
        )
        page.page.evaluate("document.activeElement && document.activeElement.blur()")
        page.page.keyboard.press("Space")
        page.page.wait_for_function(
            "(text) => window.changes.some(([, shown]) => shown === text)",
            arg=" ".join(utterance["text"].split()),
            timeout=10_000,
        )
        page.page.keyboard.press("Space")
        assert page.audio("a.paused") is True
        changes = page.page.evaluate("window.changes")
        shown_at = next(t for t, shown in changes if shown == " ".join(utterance["text"].split()))
        assert shown_at == pytest.approx(utterance["time"], abs=0.1)
    assert page.errors == []


def test_the_labels_are_in_the_routines_language(browser: Any, tmp_path: Path) -> None:
    """A Ukrainian routine's page says every label in Ukrainian."""
    from voiceguide.words import labels_for

    target = tmp_path / "uk.html"
    exported(str(DATA / "uk.yaml"), target)
    page = Opened(browser, target)
    try:
        labels = labels_for("uk")
        assert page.page.get_attribute("html", "lang") == "uk"
        for key in ("play", "back", "next", "chapters", "before", "keys"):
            assert page.page.get_by_text(labels[key], exact=True).count() >= 1, key
        assert page.errors == []
    finally:
        page.close()
