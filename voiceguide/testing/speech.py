"""A speech engine that hums: the :class:`~voiceguide.ports.SpeechEngine` and
:class:`~voiceguide.ports.Synthesizer` ports without espeak-ng, for
``installed(speech=...)``.

    speech = FakeSpeech()
    with installed(speech=speech):
        CliRunner().invoke(cli, ["export", "neck", "--no-cache"])
    assert speech.spoken == [...]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from voiceguide.errors import VoiceNotFound
from voiceguide.ports import Recording
from voiceguide.speech.voices import VoiceInfo, VoiceSettings, voices_for

FAKE_PITCH = 110.0
"""Frequency (Hz) of the hum a :class:`FakeSynthesizer` "speaks"."""

FAKE_LEVEL = 0.1
"""Peak level of the hum."""

FAKE_VOICES = (
    VoiceInfo("fake/en", "Fake English", ("en-gb", "en")),
    VoiceInfo("fake/uk", "Fake Ukrainian", ("uk",)),
)
"""The voices a :class:`FakeSpeech` has."""

FAKE_RATE = 22_050
"""The fake engine's own rate (espeak's), so clips are resampled as real ones are."""


class FakeSynthesizer:
    """A :class:`~voiceguide.ports.Synthesizer` that hums instead of speaking.

    Each recording is a low sine burst at the fake's own ``sample_rate``,
    ``words * 60 / words_per_minute`` seconds long (so the same text always gives the
    same samples), that fades in and out; blank text gives an empty recording. Every
    text asked for is appended to :attr:`spoken`, in order (pass a list to share one).
    """

    def __init__(
        self,
        words_per_minute: int = 150,
        sample_rate: int = FAKE_RATE,
        spoken: list[str] | None = None,
        voice: str | None = None,
    ) -> None:
        if words_per_minute <= 0:
            raise ValueError(f"words per minute must be positive, got {words_per_minute!r}")
        if sample_rate <= 0:
            raise ValueError(f"sample rate must be positive, got {sample_rate!r}")
        self.words_per_minute = words_per_minute
        self.sample_rate = sample_rate
        self.spoken: list[str] = [] if spoken is None else spoken
        self.voice = voice
        self.warmed: list[str] = []
        self.closed = False

    @property
    def key(self) -> str:
        return f"fake voice={self.voice} wpm={self.words_per_minute} samples={self.sample_rate}Hz"

    def duration(self, text: str) -> float:
        """How long the recording of ``text`` is, in seconds."""
        return len(text.split()) * 60.0 / self.words_per_minute

    def synthesize(self, texts: Iterable[str]) -> Iterator[tuple[str, Recording]]:
        """Each text's hum; a ``voice`` id none of :data:`FAKE_VOICES` has fails as the
        real engine does (:class:`~voiceguide.errors.VoiceNotFound`, on first use)."""
        if self.voice is not None and self.voice not in {v.id for v in FAKE_VOICES}:
            raise VoiceNotFound(f"no installed speech voice has the id {self.voice!r}")
        for text in texts:
            self.spoken.append(text)
            yield text, self.hum(text)

    def hum(self, text: str) -> Recording:
        """The recording of ``text`` (without noting it as spoken)."""
        import numpy as np

        length = round(self.duration(text) * self.sample_rate)
        t = np.arange(length, dtype=np.float64) / self.sample_rate
        samples = FAKE_LEVEL * np.sin(2.0 * math.pi * FAKE_PITCH * t)
        fade = min(round(0.01 * self.sample_rate), length // 2)
        if fade > 0:
            ramp = 0.5 * (1.0 - np.cos(math.pi * np.arange(fade) / fade))
            samples[:fade] *= ramp
            samples[length - fade :] *= ramp[::-1]
        return Recording(samples.astype(np.float32), self.sample_rate)

    def warm_up(self, texts: list[str]) -> None:
        """Nothing to start: notes the texts in :attr:`warmed`."""
        self.warmed.extend(texts)

    def close(self) -> None:
        self.closed = True


class FakeSpeech:
    """A :class:`~voiceguide.ports.SpeechEngine` of :class:`FakeSynthesizer`\\ s, for
    ``installed(speech=...)``: notes the voice settings each was opened for in
    :attr:`opened_for`, and every text any of them was asked for in one :attr:`spoken`.
    Each fake speaks at the voice's rate (words a minute). Its voices are
    :data:`FAKE_VOICES`."""

    def __init__(self, sample_rate: int = FAKE_RATE) -> None:
        self.sample_rate = sample_rate
        self.opened_for: list[VoiceSettings] = []
        self.spoken: list[str] = []
        self.opened: list[FakeSynthesizer] = []

    def open(self, settings: VoiceSettings) -> FakeSynthesizer:
        self.opened_for.append(settings)
        synthesizer = FakeSynthesizer(settings.rate, self.sample_rate, self.spoken, settings.voice)
        self.opened.append(synthesizer)
        return synthesizer

    def key(self, settings: VoiceSettings) -> str:
        return FakeSynthesizer(settings.rate, self.sample_rate, voice=settings.voice).key

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        return list(FAKE_VOICES) if language is None else voices_for(FAKE_VOICES, language)
