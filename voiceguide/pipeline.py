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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.compiler import DEFAULT_RATE, spoken_texts
from voiceguide.model.script import Script, Speech
from voiceguide.speech.engine import (
    CachedSynthesizer,
    Clip,
    ClipCache,
    Pyttsx3Synthesizer,
    Synthesizer,
    VoiceSettings,
    start_engine_early,
)

if TYPE_CHECKING:  # numpy comes with these: imported where they are used
    from voiceguide.audio.render import ClipOracle, Progress, Renderer, RenderSettings
    from voiceguide.model.routine import Routine

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
def synthesizer(
    settings: VoiceSettings, sample_rate: int, *, use_cache: bool = True
) -> Iterator[Synthesizer]:
    """The pyttsx3 synthesizer behind the clip cache; with ``use_cache`` false, behind a
    fresh cache in a temporary folder (everything is synthesized again, and the clips
    still wait on disk rather than in memory)."""
    with contextlib.ExitStack() as stack:
        engine = stack.enter_context(Pyttsx3Synthesizer(settings, sample_rate=sample_rate))
        folder = None if use_cache else Path(tempfile.mkdtemp(prefix="voiceguide-clips-"))
        cached = stack.enter_context(CachedSynthesizer(engine, ClipCache(folder)))
        if folder is not None:  # removed once nothing can ask for these clips any more
            weakref.finalize(cached, shutil.rmtree, folder, ignore_errors=True)
        yield cached


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
    settings = voice.settings_for(routine)
    texts = spoken_texts(routine) + list(extra_texts)
    if use_cache:
        texts = _missing(texts, settings, sample_rate, ClipCache())
    if any(t.strip() for t in texts):
        start_engine_early()


def _missing(
    texts: list[str], settings: VoiceSettings, sample_rate: int, cache: ClipCache
) -> list[str]:
    """The texts, each once, that are to be said and not in ``cache``."""
    key = Pyttsx3Synthesizer(settings, sample_rate=sample_rate).key
    return [t for t in dict.fromkeys(texts) if t.strip() and not cache.has(key, t)]


def prefetch(
    texts: list[str],
    settings: VoiceSettings,
    sample_rate: int,
    cache: ClipCache,
    progress: Progress | None = None,
    workers: int | None = None,
    keep: Callable[[str, Clip], object] | None = None,
) -> int:
    """Synthesize the texts the cache lacks, with several engine processes at once, and
    cache them; ``keep`` is also handed each clip (one thread at a time).

    Returns how many were synthesized.
    """
    import concurrent.futures
    import threading

    missing = _missing(texts, settings, sample_rate, cache)
    if not missing:
        return 0
    count = max(1, min(workers or os.cpu_count() or 1, 4, len(missing)))
    engines = [Pyttsx3Synthesizer(settings, sample_rate=sample_rate) for _ in range(count)]
    key = engines[0].key
    lock = threading.Lock()
    stop = threading.Event()
    queued = iter(missing)
    done = 0

    def take() -> Iterator[str]:
        """The texts still to say, one at a time, to whichever engine has room."""
        while not stop.is_set():
            with lock:
                text = next(queued, None)
            if text is None:
                return
            yield text

    def work(engine: Pyttsx3Synthesizer) -> None:
        nonlocal done
        for text, clip in engine.synthesize_all(
            take(), keep_recording=lambda said, path: cache.adopt(key, said, path)
        ):
            with lock:
                done += 1
                if keep:
                    keep(text, clip)
                if progress:
                    progress(done, len(missing))

    try:
        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            futures = [pool.submit(work, engine) for engine in engines]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                stop.set()  # the other engines finish what they have and stop
                raise
    finally:
        for engine in engines:
            engine.close()
    return len(missing)


def measured_script(
    routine: Routine,
    voice: VoiceOptions,
    sample_rate: int,
    *,
    use_cache: bool = True,
    progress: Progress | None = None,
    extra_texts: tuple[str, ...] = (),
) -> tuple[Script, ClipOracle]:
    """Synthesize every utterance (in parallel where the cache lacks it) and compile
    with the real lengths."""
    from voiceguide.audio.render import ClipOracle, compile_measured

    settings = voice.settings_for(routine)
    with synthesizer(settings, sample_rate, use_cache=use_cache) as engine:
        assert isinstance(engine, CachedSynthesizer)
        texts = spoken_texts(routine) + list(extra_texts)
        clips = ClipOracle(engine, sample_rate)
        prefetch(texts, settings, sample_rate, engine.cache, progress, keep=clips.keep)
        clips.prepare(texts)  # cache reads now: every text was just synthesized or found
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
) -> Guide:
    """Everything up to the first sample: speech, layout, and the loudness pass."""
    from voiceguide.audio.render import Renderer

    script, clips = measured_script(
        routine,
        voice,
        settings.sample_rate,
        use_cache=use_cache,
        progress=speech_progress,
        extra_texts=extra_texts,
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
