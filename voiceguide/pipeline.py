"""Preparing an audible guide: voice settings, the (cached) synthesizer, a compile with
measured speech lengths, and the renderer that the exporter and the player share."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.compiler import DEFAULT_RATE, spoken_texts
from voiceguide.model.script import Script, Speech
from voiceguide.ports import Synthesizer, plugged
from voiceguide.speech.cache import ClipCache, recordings
from voiceguide.speech.process import start_engine_early
from voiceguide.speech.pyttsx3 import Pyttsx3Synthesizer
from voiceguide.speech.voices import VoiceSettings

if TYPE_CHECKING:  # numpy comes with these: imported where they are used
    from voiceguide.audio.render import ClipOracle, Progress, Renderer, RenderSettings
    from voiceguide.load.routine import Routine

LEVEL_FORMAT = 1


@dataclass(frozen=True)
class VoiceOptions:
    """Voice choices from the command line; ``None`` keeps the routine's own."""

    voice: str | None = None
    rate: int | None = None
    volume: float | None = None

    def settings_for(self, routine: Routine) -> VoiceSettings:
        return VoiceSettings(
            voice=self.voice or routine.voice.id,
            language=routine.language,
            rate=self.rate or routine.voice.rate or DEFAULT_RATE,
            volume=self.volume if self.volume is not None else (routine.voice.volume or 1.0),
        )


@contextlib.contextmanager
def opened(
    settings: VoiceSettings, synthesizer: Synthesizer | None = None
) -> Iterator[Synthesizer]:
    """``synthesizer`` as given (its owner closes it), else one opened for ``settings``
    (the installed one, see :func:`voiceguide.ports.plugged`, else pyttsx3) and closed
    at the end."""
    if synthesizer is not None:
        yield synthesizer
        return
    factory = plugged().synthesizer or Pyttsx3Synthesizer
    made = factory(settings)
    try:
        yield made
    finally:
        made.close()


def clip_cache(use_cache: bool = True) -> ClipCache:
    """The clip cache; without ``use_cache``, a fresh one in a temporary folder (so
    everything is synthesized again, and the clips still wait on disk rather than in
    memory), removed once nothing holds it."""
    if use_cache:
        return ClipCache()
    folder = Path(tempfile.mkdtemp(prefix="voiceguide-clips-"))
    cache = ClipCache(folder)
    weakref.finalize(cache, shutil.rmtree, folder, ignore_errors=True)
    return cache


@dataclass
class Guide:
    script: Script
    renderer: Renderer
    clips: ClipOracle


def start_engine_if_needed(
    routine: Routine,
    voice: VoiceOptions,
    sample_rate: int,
    *,
    use_cache: bool = True,
    extra_texts: tuple[str, ...] = (),
) -> None:
    """When something is to be synthesized, start an engine process now: it boots (about
    0.1 s) on another processor while this process imports numpy and the rest."""
    if plugged().synthesizer is not None:
        return  # not the real engine
    settings = voice.settings_for(routine)
    texts = spoken_texts(routine) + list(extra_texts)
    if use_cache:
        texts = ClipCache().missing(Pyttsx3Synthesizer(settings).key, texts)
    if any(t.strip() for t in texts):
        start_engine_early()


def measured_script(
    routine: Routine,
    voice: VoiceOptions,
    sample_rate: int,
    *,
    use_cache: bool = True,
    progress: Progress | None = None,
    extra_texts: tuple[str, ...] = (),
    synthesizer: Synthesizer | None = None,
) -> tuple[Script, ClipOracle]:
    """Synthesize every utterance (in parallel where the cache lacks it) and compile
    with the real lengths."""
    from voiceguide.audio.render import ClipOracle, compile_measured

    settings = voice.settings_for(routine)
    cache = clip_cache(use_cache)
    with opened(settings, synthesizer) as engine:
        texts = spoken_texts(routine) + list(extra_texts)
        clips = ClipOracle(engine, sample_rate, cache=cache)
        for text, recording in recordings(engine, cache, texts, progress):
            clips.keep(text, recording)
        return compile_measured(routine, clips, prepared=True), clips


class LevelCache:
    """The measured gain of each guide, so a second export or play skips the loudness
    pass. Kept beside the clip cache."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or ClipCache().folder.parent / "levels"

    @staticmethod
    def key(renderer: Renderer, voice_key: str) -> str:
        settings = renderer.settings
        events = [
            [e.time, e.duration, e.text if isinstance(e, Speech) else e.sound]
            for e in renderer.script.events
        ]
        material = [
            LEVEL_FORMAT,
            voice_key,
            settings.sample_rate,
            settings.channels,
            settings.loudness,
            settings.true_peak,
            renderer.script.duration,
            events,
        ]
        return hashlib.sha256(json.dumps(material).encode("utf-8")).hexdigest()

    def get(self, key: str) -> tuple[float, float] | None:
        """The gain and the shortfall (LU under the target) measured before, or None."""
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return float(data["gain"]), float(data.get("shortfall", 0.0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, gain: float, shortfall: float = 0.0) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{os.getpid()}.tmp"
            temporary.write_text(
                json.dumps({"gain": gain, "shortfall": shortfall}), encoding="utf-8"
            )
            os.replace(temporary, self.folder / f"{key}.json")
        except OSError:
            pass  # a cache that cannot be written only costs time


def prepare(
    routine: Routine,
    voice: VoiceOptions,
    settings: RenderSettings,
    *,
    use_cache: bool = True,
    speech_progress: Progress | None = None,
    level_progress: Progress | None = None,
    extra_texts: tuple[str, ...] = (),
    synthesizer: Synthesizer | None = None,
) -> Guide:
    """Everything up to the first sample: speech, layout, and the loudness pass.
    ``synthesizer`` None: the installed one (see :func:`voiceguide.ports.plugged`), else
    pyttsx3."""
    from voiceguide.audio.render import Renderer

    script, clips = measured_script(
        routine,
        voice,
        settings.sample_rate,
        use_cache=use_cache,
        progress=speech_progress,
        extra_texts=extra_texts,
        synthesizer=synthesizer,
    )
    renderer = Renderer(script, clips, settings)
    levels = LevelCache()
    key = LevelCache.key(renderer, clips.synthesizer.key)
    measured = levels.get(key) if use_cache else None
    if measured is None:
        renderer.normalize(level_progress)
        levels.put(key, renderer.gain, renderer.shortfall)
    else:
        renderer.gain, renderer.shortfall = measured
    return Guide(script, renderer, clips)
