"""The one path from a routine to what every command shows, plays or writes.

routine -> adapt (a session of its course, a painful side) -> one compile -> render.

- :func:`timeline`: the timeline as well as it is known without speaking: with the
  lengths of the speech in the clip cache when all of it is there, else estimated from
  the speaking rate (previews, ``check``, ``routines``); :func:`estimate`: always
  estimated;
- :func:`measure`: the timeline with the real lengths of the synthesized speech
  (``preview --exact``);
- :func:`prepare`: that, plus the renderer at its loudness, which the player and the
  exporter share.

The texts to synthesize come from a walk of the stages (:func:`spoken_texts`), so each
variant is compiled exactly once. The speech engine is a defaulted parameter: None means
the one installed by :func:`voiceguide.testing.installed`, else pyttsx3.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from voiceguide.adapt import Variant, adapt
from voiceguide.audio.rates import DEFAULT_SAMPLE_RATE
from voiceguide.compiler import compile_routine, spoken_texts
from voiceguide.errors import OptionError, VoiceNotFound
from voiceguide.estimate import DEFAULT_RATE, EstimatedDurations

if TYPE_CHECKING:  # numpy comes with these: imported where they are used
    from voiceguide.audio.render import Renderer
    from voiceguide.audio.settings import RenderSettings
    from voiceguide.audio.store import ClipStore
    from voiceguide.model.routine import Routine
    from voiceguide.model.script import Script
    from voiceguide.ports import Progress, Synthesizer
    from voiceguide.speech.cache import ClipCache
    from voiceguide.speech.lengths import CachedDurations
    from voiceguide.speech.voices import VoiceSettings


class VoiceOptions(NamedTuple):
    """Voice choices from the command line; ``None`` keeps the routine's own."""

    voice: str | None = None
    rate: int | None = None
    volume: float | None = None

    def settings_for(self, routine: Routine) -> VoiceSettings:
        from voiceguide.speech.voices import VoiceSettings

        return VoiceSettings(
            voice=self.voice or routine.voice.id,
            language=routine.language,
            rate=self.rate or routine.voice.rate or DEFAULT_RATE,
            volume=self.volume if self.volume is not None else (routine.voice.volume or 1.0),
        )


class Guide(NamedTuple):
    """A variant ready to be heard: its renderer, at its loudness."""

    renderer: Renderer

    @property
    def script(self) -> Script:
        """The timeline."""
        return self.renderer.script

    @property
    def clips(self) -> ClipStore:
        """The speech and cue sounds it mixes from."""
        return self.renderer.clips

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


def estimate(routine: Routine, variant: Variant, *, rate: int | None = None) -> Script:
    """The variant's timeline with speech lengths estimated from the speaking rate."""
    return _estimated(adapt(routine, variant), rate)


def timeline(
    routine: Routine,
    variant: Variant,
    voice: VoiceOptions | None = None,
    *,
    use_cache: bool = True,
    lengths: CachedDurations | None = None,
    adapted: Routine | None = None,
) -> Script:
    """The variant's timeline as well as it is known without speaking: with the real
    lengths of its speech when every text of it is in the clip cache (the timeline play
    and export will have), else estimated from the speaking rate (``script.estimated``).
    ``lengths``: the cached lengths to use (see :func:`cached_lengths`), and
    ``adapted``: the variant, when the caller has them already (it looks at several
    variants of the routine)."""
    voice = voice or VoiceOptions()
    adapted = adapted or adapt(routine, variant)
    if use_cache:
        from voiceguide.speech.lengths import NotCached

        lengths = lengths or cached_lengths(adapted, voice)
        if not lengths.empty and lengths.knows(spoken_texts(adapted)):
            try:
                return compile_routine(adapted, lengths)
            except NotCached:  # a text the walk worded otherwise: not made yet
                pass
    return _estimated(adapted, voice.rate)


def cached_lengths(routine: Routine, voice: VoiceOptions | None = None) -> CachedDurations:
    """The lengths of ``routine``'s speech in the clip cache, as the speech engine would
    speak it with ``voice`` (the engine is not started), at the sample rate play and
    export use by default."""
    from voiceguide.speech.cache import ClipCache
    from voiceguide.speech.keys import recordings_key
    from voiceguide.speech.lengths import CachedDurations

    key = recordings_key((voice or VoiceOptions()).settings_for(routine))
    return CachedDurations(ClipCache(), key, DEFAULT_SAMPLE_RATE)


def _estimated(adapted: Routine, rate: int | None) -> Script:
    from voiceguide.model.record import replace

    oracle = EstimatedDurations(rate or adapted.voice.rate or DEFAULT_RATE)
    return replace(compile_routine(adapted, oracle), estimated=True)


def measure(
    routine: Routine,
    variant: Variant,
    voice: VoiceOptions,
    sample_rate: int | None = None,
    *,
    use_cache: bool = True,
    synthesizer: Synthesizer | None = None,
    warn: Callable[[str], None] | None = None,
) -> Script:
    """The variant's timeline with the real lengths of its synthesized speech, as the
    audio made at ``sample_rate`` will have it. ``warn`` is told of damaged clips in the
    cache (made again)."""
    adapted = adapt(routine, variant)
    rate = sample_rate or DEFAULT_SAMPLE_RATE
    script, _ = _speak(
        adapted, voice, rate, use_cache=use_cache, synthesizer=synthesizer, warn=warn
    )
    return script


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
    synthesizer: Synthesizer | None = None,
    meanwhile: Callable[[], object] | None = None,
    warn: Callable[[str], None] | None = None,
    clip_cache: ClipCache | None = None,
) -> Guide:
    """Everything up to the first sample: the variant, its speech, one compile with the
    real lengths, and the loudness pass (measured once, then kept in the level cache).
    ``adapted``: the variant, when the caller has made it already; ``extra_texts``:
    more to have ready (the player's "get ready" countdown); ``meanwhile``: work to do
    while the speech engine starts (the player finds its output device); ``warn``: told
    of damaged clips in the cache (made again); ``clip_cache``: the clips' cache, when
    not the one ``use_cache`` chooses (:func:`speak_all` filled it)."""
    adapted = adapted or adapt(routine, variant)
    script, clips = _speak(
        adapted,
        voice,
        settings.sample_rate,
        use_cache=use_cache,
        synthesizer=synthesizer,
        progress=speech_progress,
        extra_texts=extra_texts,
        meanwhile=meanwhile,
        warn=warn,
        cache=clip_cache,
    )
    from voiceguide.audio.level import LevelCache, measure_level
    from voiceguide.audio.render import Renderer
    from voiceguide.speech.cache import default_cache_folder

    renderer = Renderer(script, clips, settings)
    levels = LevelCache(default_cache_folder().parent / "levels")
    key = levels.key(renderer, clips.synthesizer.key)
    level = levels.get(key) if use_cache else None
    if level is None:
        level = measure_level(renderer, level_progress)
        levels.put(key, level)
    return Guide(renderer.at_level(level))


def _speak(
    adapted: Routine,
    voice: VoiceOptions,
    sample_rate: int,
    *,
    use_cache: bool,
    synthesizer: Synthesizer | None,
    progress: Progress | None = None,
    extra_texts: tuple[str, ...] = (),
    meanwhile: Callable[[], object] | None = None,
    warn: Callable[[str], None] | None = None,
    cache: ClipCache | None = None,
) -> tuple[Script, ClipStore]:
    """Every text the variant says, synthesized where the cache lacks it (in parallel),
    and the one compile with their real lengths, which are noted in the cache.
    ``meanwhile`` runs while the engine starts; ``warn`` is told how many cached clips
    were found damaged and made again."""
    settings = voice.settings_for(adapted)
    texts = [*spoken_texts(adapted), *extra_texts]
    cache = cache or _clip_cache(use_cache)
    with _opened(settings, synthesizer) as engine:
        missing = cache.missing(engine.key, texts)
        engine.warm_up(missing)
        if meanwhile is not None:
            meanwhile()
        from voiceguide.speech.cache import recordings

        try:
            made = recordings(engine, cache, texts, progress, missing)
            # The first recording sends the engines their first texts; numpy and the
            # rest are imported while they say them.
            first = next(made, None)
            from voiceguide.audio.store import ClipStore

            clips = ClipStore(engine, sample_rate, cache)
            for text, recording in itertools.chain([first] if first else [], made):
                clips.keep(text, recording)
        except VoiceNotFound as exc:
            if voice.voice is None:
                raise
            raise OptionError("--voice", f"{exc} (see 'voiceguide voices')") from None
        if cache.damaged and warn is not None:
            warn(_remade(cache))
        script = compile_routine(adapted, clips)
        said = {text: frames for text, frames in clips.frames.items() if text.strip()}
        cache.note_lengths(engine.key, sample_rate, said)  # see cached_lengths()
        return script, clips


def speak_all(
    routine: Routine,
    variants: list[Variant],
    voice: VoiceOptions,
    *,
    use_cache: bool = True,
    progress: Progress | None = None,
    cache: ClipCache | None = None,
) -> ClipCache:
    """One synthesis pass for several variants of ``routine`` (a course's sessions):
    every text any of them says, synthesized once where the cache lacks it, into the
    cache returned (``cache`` if given; else, without ``use_cache``, a temporary one that
    lasts as long as the object). Each variant's :func:`prepare` then finds all of its
    speech there."""
    from voiceguide.speech.cache import recordings

    adapted = [adapt(routine, variant) for variant in variants]
    texts = list(dict.fromkeys(text for each in adapted for text in spoken_texts(each)))
    cache = cache or _clip_cache(use_cache)
    with _opened(voice.settings_for(adapted[0]), None) as engine:
        missing = cache.missing(engine.key, texts)
        engine.warm_up(missing)
        try:
            for _ in recordings(engine, cache, missing, progress, missing):
                pass
        except VoiceNotFound as exc:
            if voice.voice is None:
                raise
            raise OptionError("--voice", f"{exc} (see 'voiceguide voices')") from None
    return cache


def _remade(cache: ClipCache) -> str:
    from voiceguide.errors import display_path

    clips = "clip was" if cache.damaged == 1 else "clips were"
    return (
        f"{cache.damaged} speech {clips} damaged in the cache {display_path(cache.folder)} "
        "and made again"
    )


@contextlib.contextmanager
def _opened(settings: VoiceSettings, synthesizer: Synthesizer | None) -> Iterator[Synthesizer]:
    """``synthesizer`` as given (its owner closes it), else one opened for ``settings``
    (the installed one, else pyttsx3) and closed at the end."""
    if synthesizer is not None:
        yield synthesizer
        return
    from voiceguide.speech import speech_engine

    made = speech_engine().open(settings)
    try:
        yield made
    finally:
        made.close()


def _clip_cache(use_cache: bool) -> ClipCache:
    """The clip cache; without ``use_cache``, a fresh one in a temporary folder (so
    everything is synthesized again, and the clips still wait on disk rather than in
    memory), removed once nothing holds it."""
    import shutil
    import tempfile
    import weakref
    from pathlib import Path

    from voiceguide.speech.cache import ClipCache

    if use_cache:
        return ClipCache()
    folder = Path(tempfile.mkdtemp(prefix="voiceguide-clips-"))
    cache = ClipCache(folder)
    weakref.finalize(cache, shutil.rmtree, folder, ignore_errors=True)
    return cache
