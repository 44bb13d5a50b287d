"""The one path from a routine to what every command shows, plays or writes.

routine -> adapt (a session of its course, a painful side) -> one compile (estimated or
measured speech lengths) -> render. :func:`estimate` serves previews and checks,
:func:`measure` the exact preview, :func:`prepare` the player and the exporter, which
share the renderer it returns. No command compiles a variant twice.
"""

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

from voiceguide.adapt import Variant, adapt
from voiceguide.audio.settings import DEFAULT_SAMPLE_RATE
from voiceguide.compiler import DEFAULT_RATE, spoken_texts
from voiceguide.errors import Diagnostic
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
    from voiceguide.audio.level import Level
    from voiceguide.audio.render import ClipOracle, Renderer
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.load.routine import Routine
    from voiceguide.ports import Progress

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

    @property
    def loudness_note(self) -> str | None:
        """What to tell when the guide stays under its loudness target (see
        Level.shortfall), else None."""
        from voiceguide.audio.level import LIMITER_MAKEUP_DB

        settings, shortfall = self.renderer.settings, self.renderer.level.shortfall
        if settings.loudness is None or shortfall < 0.1:
            return None
        reached = settings.loudness - shortfall
        return (
            f"the guide is {reached:.1f} LUFS, {shortfall:.1f} LU under the "
            f"{settings.loudness:g} LUFS asked for: louder, its peaks would be limited by more "
            f"than {LIMITER_MAKEUP_DB:g} dB under the {settings.true_peak:g} dBTP ceiling"
        )


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` found in one routine: every diagnostic, and a one-line summary
    (None when the routine cannot be used)."""

    diagnostics: list[Diagnostic]
    warnings: int
    summary: str | None


def check_routine(reference: str) -> CheckReport:
    """Load and compile ``reference``, collecting every problem instead of raising."""
    from voiceguide.durations import format_length
    from voiceguide.errors import Position, RoutineError, Severity, VoiceguideError
    from voiceguide.load import load_routine

    try:
        script = estimate(load_routine(reference), Variant())
    except RoutineError as exc:
        return CheckReport(list(exc.diagnostics), 0, None)
    except VoiceguideError as exc:
        return CheckReport([Diagnostic(Severity.ERROR, str(exc), Position(reference))], 0, None)
    warnings = list(script.warnings)
    stages = len({s.stage_number for s in script.stages})
    summary = (
        f"{script.title!r}, {stages} stage{'s' * (stages != 1)}, "
        f"{format_length(script.duration)}" + (f", {len(warnings)} warning(s)" if warnings else "")
    )
    return CheckReport(warnings, len(warnings), summary)


def estimate(routine: Routine, variant: Variant, *, rate: int | None = None) -> Script:
    """The variant's timeline with speech lengths estimated from the speaking rate."""
    from voiceguide.compiler import EstimatedDurations, compile_routine

    adapted = adapt(routine, variant)
    return compile_routine(adapted, EstimatedDurations(rate or adapted.voice.rate or DEFAULT_RATE))


def measure(
    routine: Routine,
    variant: Variant,
    voice: VoiceOptions,
    sample_rate: int | None = None,
    *,
    use_cache: bool = True,
) -> Script:
    """The variant's timeline with the real lengths of its synthesized speech, as the
    audio made at ``sample_rate`` will have it."""
    adapted = adapt(routine, variant)
    rate = sample_rate or DEFAULT_SAMPLE_RATE
    start_engine_if_needed(adapted, voice, rate, use_cache=use_cache)
    script, _ = measured_script(adapted, voice, rate, use_cache=use_cache)
    return script


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

    def get(self, key: str) -> Level | None:
        """The level measured before, or None."""
        from voiceguide.audio.level import Level

        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return Level(float(data["gain"]), float(data.get("shortfall", 0.0)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, level: Level) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{os.getpid()}.tmp"
            temporary.write_text(
                json.dumps({"gain": level.gain, "shortfall": level.shortfall}), encoding="utf-8"
            )
            os.replace(temporary, self.folder / f"{key}.json")
        except OSError:
            pass  # a cache that cannot be written only costs time


def prepare(
    routine: Routine,
    variant: Variant,
    voice: VoiceOptions,
    settings: RenderSettings,
    *,
    use_cache: bool = True,
    speech_progress: Progress | None = None,
    level_progress: Progress | None = None,
    extra_texts: tuple[str, ...] = (),
    adapted: Routine | None = None,
) -> Guide:
    """Everything up to the first sample: the variant, its speech, one compile with the
    real lengths, and the loudness pass. ``adapted``: the variant, when the caller has
    made it already."""
    adapted = adapted or adapt(routine, variant)
    start_engine_if_needed(
        adapted, voice, settings.sample_rate, use_cache=use_cache, extra_texts=extra_texts
    )
    from voiceguide.audio.level import measure_level
    from voiceguide.audio.render import Renderer

    script, clips = measured_script(
        adapted,
        voice,
        settings.sample_rate,
        use_cache=use_cache,
        progress=speech_progress,
        extra_texts=extra_texts,
    )
    renderer = Renderer(script, clips, settings)
    levels = LevelCache()
    key = LevelCache.key(renderer, clips.synthesizer.key)
    level = levels.get(key) if use_cache else None
    if level is None:
        level = measure_level(renderer, level_progress)
        levels.put(key, level)
    return Guide(script, renderer.at_level(level), clips)
