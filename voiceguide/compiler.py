"""Compile a routine into a timed script.

:func:`compile_routine` is pure: it takes a routine and a duration oracle (how long a
given utterance or cue sound lasts) and returns a :class:`~voiceguide.model.script.Script`.
The oracle is an estimate from the speaking rate for quick previews, and the measured
length of the synthesized clips for play, export and ``preview --exact``.

Layout rules: segments tile the timeline; stage boundaries never move; speech never
overlaps speech.  Inside a stage part, speech is placed by priority: instructions first
(from the start, one after another), then the countdown and counted repetitions at
their exact times, then reminders and the next-up announcement in the gaps left.  What
does not fit is cut at the stage's end or left out, with a warning naming the stage.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from voiceguide.errors import Diagnostic
from voiceguide.estimate import DEFAULT_RATE, EstimatedDurations
from voiceguide.layout import SPEECH_GAP, Candidate, Layout, Part, ms
from voiceguide.model.routine import Cues, Routine
from voiceguide.model.script import Event, Script, Segment, Speech, SpeechRole, Tone
from voiceguide.sides import spoken_side
from voiceguide.stages import Instance, gap_between, instances_of
from voiceguide.words import labels_for

if TYPE_CHECKING:
    from voiceguide.ports import DurationOracle

TONE_GAP = 0.15
"""Silence between a cue sound and the speech that follows it."""
INTRO_LEAD = 0.5
SEGMENT_TAIL = 1.0
MIN_HALFWAY_PART = 30.0
MIN_COUNTDOWN_SPARE = 5.0


# --------------------------------------------------------------------------- compiling


def compile_routine(routine: Routine, oracle: DurationOracle | None = None) -> Script:
    """Lay the routine out on a timeline; deterministic for a given oracle."""
    oracle = oracle or EstimatedDurations(routine.voice.rate or DEFAULT_RATE)
    from voiceguide._gc import paused

    with paused():
        return _Compiler(routine, oracle).run()


class _Compiler:
    def __init__(self, routine: Routine, oracle: DurationOracle) -> None:
        self.routine = routine
        self.oracle = oracle
        self.phrases: Mapping[str, str] = routine.phrases
        self.labels = labels_for(routine.language)
        self.segments: list[Segment] = []
        self.events: list[Event] = []
        self.warnings: list[Diagnostic] = []
        self.time = 0.0

    def texts(self) -> list[str]:
        """Every text the layout will be offered, in order, each as it will be worded:
        the candidates of each stage part, built by the same code as :meth:`run` but
        placed nowhere (a template's ``{remaining}`` counts from the part's own bounds,
        so it needs no layout)."""
        texts = [text for text, _ in self.intro_texts()]
        for instance, following in _with_following(instances_of(self.routine)):
            count = instance.stage.count
            for i, part, length, announce in self.parts(instance, following):
                self.offer(instance, part, i, length, announce)
                texts.extend(c.text for c in part.candidates)
                texts.extend(str(k + 1) for k in range(count.reps if count else 0))
                self.time = part.end
        texts.extend(text for text, _ in self.outro_texts())
        return texts

    def run(self) -> Script:
        routine = self.routine
        self.intro()
        for number, (instance, following) in enumerate(
            _with_following(instances_of(routine)), start=1
        ):
            self.stage(instance, number, following)
            if following is not None:
                gap = gap_between(instance, following, routine.transition)
                if gap > 0:
                    self.transition(gap, instance.cues)
        self.outro()
        self.events.sort(key=lambda e: (e.time, isinstance(e, Speech)))
        seen: set[str] = set()
        warnings = []
        for warning in [*routine.warnings, *self.warnings]:
            if str(warning) not in seen:
                seen.add(str(warning))
                warnings.append(warning)
        return Script(
            title=routine.title,
            language=routine.language,
            duration=self.time,
            segments=tuple(self.segments),
            events=tuple(self.events),
            voice=routine.voice,
            description=routine.description,
            author=routine.author,
            position_text=routine.position_text,
            preparation=routine.preparation,
            safety=routine.safety,
            warnings=tuple(warnings),
        )

    # -- helpers

    def tone(self, cues: Cues, cue: str, time: float, segment: int) -> float:
        """Add the cue's sound at ``time``; return its length (0 when the cue is silent)."""
        sound = cues.sounds.get(cue)
        if not sound:
            return 0.0
        length = ms(self.oracle.sound(sound))
        self.events.append(Tone(ms(time), length, cue, sound, segment))
        return length

    def chain(self, texts: list[tuple[str, SpeechRole]], start: float, segment: int) -> float:
        """Speak ``texts`` one after another from ``start``; return where the last ends."""
        time = start
        for text, role in texts:
            length = ms(self.oracle.speech(text))
            self.events.append(Speech(ms(time), length, text, role, segment))
            time += length + SPEECH_GAP
        return time - SPEECH_GAP if texts else start

    def add_segment(self, kind: str, name: str, length: float, **extra: object) -> Segment:
        segment = Segment(
            index=len(self.segments),
            kind=kind,  # type: ignore[arg-type]
            name=name,
            start=self.time,
            end=ms(self.time + length),
            **extra,  # type: ignore[arg-type]
        )
        self.segments.append(segment)
        self.time = segment.end
        return segment

    # -- segments

    def intro(self) -> None:
        index = len(self.segments)
        end = self.chain(self.intro_texts(), self.time + INTRO_LEAD, index)
        self.add_segment("intro", self.labels["intro"], end + SEGMENT_TAIL - self.time)

    def intro_texts(self) -> list[tuple[str, SpeechRole]]:
        routine = self.routine
        texts: list[tuple[str, SpeechRole]] = [(_sentence(routine.title), "intro")]
        safety = routine.safety
        for items, phrase in (
            (safety.contraindications, self.phrases["contraindications"]),
            (safety.stop_if, self.phrases["stop_if"]),
        ):
            if items and phrase:
                texts.append((f"{phrase} {_sentence(_spoken_list(items))}", "intro"))
        if routine.position_text:
            texts.append((routine.position_text, "intro"))
        texts.extend((text, "intro") for text in routine.preparation)
        return texts

    def outro(self) -> None:
        index = len(self.segments)
        tone = self.tone(self.routine.cues, "finish", self.time, index)
        start = self.time + (tone + TONE_GAP if tone else INTRO_LEAD)
        end = self.chain(self.outro_texts(), start, index)
        self.add_segment(
            "outro", self.labels["outro"], max(end, self.time + tone) + SEGMENT_TAIL - self.time
        )

    def outro_texts(self) -> list[tuple[str, SpeechRole]]:
        texts: list[tuple[str, SpeechRole]] = []
        if self.phrases["finish"]:
            texts.append((self.phrases["finish"], "outro"))
        if self.routine.closing:
            texts.append((self.routine.closing, "outro"))
        return texts

    def transition(self, gap: float, cues: Cues) -> None:
        self.tone(cues, "end", self.time, len(self.segments))
        self.add_segment("transition", self.labels["transition"], gap)

    def stage(self, instance: Instance, number: int, following: Instance | None) -> None:
        stage = instance.stage
        for i, part, length, announce in self.parts(instance, following):
            self.part(instance, part, i, length, announce)
            self.add_segment(
                "stage",
                stage.name,
                part.end - part.start,
                side=part.values["side"] or None,
                technique=stage.technique,
                repetition=instance.repetition,
                stage_number=number,
            )

    def parts(
        self, instance: Instance, following: Instance | None
    ) -> Iterator[tuple[int, Part, float, bool]]:
        """The parts of a stage beginning now (one per side): each with its index, its
        length as written, and whether the next stage is announced in it. Each part
        begins at :attr:`time` as it is when the part is asked for."""
        stage_start = self.time
        lengths = instance.stage.part_durations()
        for i, length in enumerate(lengths):
            part = self.new_part(instance, i, stage_start, self.time, following)
            yield i, part, length, following is not None and part.last

    def new_part(
        self,
        instance: Instance,
        side_index: int,
        stage_start: float,
        time: float,
        following: Instance | None,
    ) -> Part:
        """Part ``side_index`` of a stage that began at ``stage_start``, beginning at
        ``time``: its bounds and template values."""
        stage = instance.stage
        sides: tuple[str | None, ...] = stage.sides or (None,)
        n, total = instance.repetition or (1, 1)
        last = side_index == len(sides) - 1
        pause = stage.switch_pause if side_index else 0.0
        length = stage.part_durations()[side_index]
        end = stage_start + stage.duration if last else time + pause + length
        part = Part(
            start=time,
            end=ms(end),
            values={
                "stage": stage.name,
                "next": following.stage.name if following else self.phrases["last_stage"],
                "side": spoken_side(sides[side_index] or "", self.routine.language),
                "n": str(n),
                "total": str(total),
            },
            language=self.routine.language,
        )
        part.last = last
        return part

    def part(
        self, instance: Instance, part: Part, side_index: int, length: float, announce_next: bool
    ) -> None:
        """Lay out one stage part (the whole stage, or one side of it)."""
        stage = instance.stage
        index = len(self.segments)
        label = stage.name + (f" ({part.values['side']})" if part.values["side"] else "")
        layout = Layout(part.start, part.end, self.oracle, label, stage.position, self.warnings)
        active, base = self.offer(instance, part, side_index, length, announce_next)
        layout.place([c for c in part.candidates if c.priority <= 1], index)
        count = stage.count
        if count:
            spoken_end = max(
                (s.end for s in layout.placed if s.role != "countdown"), default=active
            )
            after_words = spoken_end + SPEECH_GAP * 2
            first = base + count.start if count.start is not None else after_words
            reps = count.reps
            if count.fit:
                first = max(first, after_words)
                reps = self.fitting_reps(layout, part, first, count.every, count.reps)
            for k in range(reps):
                part.add(first + k * count.every, str(k + 1), "count", 2, anchored=True)
        layout.place([c for c in part.candidates if c.priority >= 2], index)
        self.events.extend(layout.placed)

    def fitting_reps(
        self, layout: Layout, part: Part, first: float, every: float, most: int
    ) -> int:
        """How many counted repetitions from ``first``, ``every`` seconds apart, fit
        whole before the part's closing words (its countdown and the next stage's
        announcement) and leave room for everything else the part says: at least one, at
        most ``most``."""
        closing = [c.desired for c in part.candidates if c.role in {"countdown", "next"}]
        limit = min(closing, default=part.end) - SPEECH_GAP
        reps = 1
        while reps < most and first + reps * every + self.oracle.speech(str(reps + 1)) <= limit:
            reps += 1
        while reps > 1 and not self.all_said(layout, part, first, every, reps):
            reps -= 1
        return reps

    def all_said(self, layout: Layout, part: Part, first: float, every: float, reps: int) -> bool:
        """Whether, with ``reps`` counted repetitions, the rest of the part is said with
        nothing left out (tried on a copy of ``layout``)."""
        trial = Layout(layout.start, layout.end, self.oracle, layout.label, None, [])
        trial.placed = list(layout.placed)
        counts = [
            Candidate(first + k * every, str(k + 1), "count", 2, True, k, part) for k in range(reps)
        ]
        trial.place([*counts, *(c for c in part.candidates if c.priority >= 2)], -1)
        return not trial.warnings

    def offer(
        self, instance: Instance, part: Part, side_index: int, length: float, announce_next: bool
    ) -> tuple[float, float]:
        """Add the part's cue sounds and its speech candidates (all but the counted
        repetitions, which start where the instructions end); return where the
        instructions begin and where offsets written in the routine count from."""
        stage, cues = instance.stage, instance.cues
        index = len(self.segments)
        tone = self.tone(cues, "switch" if side_index else "start", part.start, index)
        lead = tone + TONE_GAP if tone else 0.0
        opening = self.phrases["switch"] if side_index else self.phrases["stage_start"]
        part.add(part.start + lead, opening, "switch" if side_index else "announce", 0)
        pause = stage.switch_pause if side_index else 0.0
        base = part.start + pause  # offsets written in the routine count from here
        active = part.start + max(pause, lead)  # instructions begin here
        written = stage.sides[side_index] if stage.sides else ""
        note = stage.side_notes.get(written, "")
        if note:
            part.add(part.start + lead, note, "instruction", 0)
        say, remind = stage.texts_for(written)
        for text in say:
            part.add(active, text, "instruction", 0)
        closing = part.end  # where the part's closing words begin
        if cues.next_up and announce_next:
            closing = max(part.end - cues.next_up, active)
        if cues.countdown and length >= cues.countdown + MIN_COUNTDOWN_SPARE:
            closing = min(closing, part.end - cues.countdown)
            for k in range(cues.countdown, 0, -1):
                self.tone(cues, "countdown", part.end - k, index)
                part.add(part.end - k, str(k), "countdown", 1, anchored=True)
        if cues.halfway and length >= MIN_HALFWAY_PART:
            middle = active + (part.end - active) / 2
            self.tone(cues, "halfway", middle, index)
            part.add(middle, self.phrases["halfway"], "reminder", 3)
        for reminder in remind:
            if reminder.at is not None:
                part.add(max(base + reminder.at, active), reminder.text, "reminder", 3)
            elif reminder.every:  # each one that fits before the closing words
                at = base + reminder.every
                room = self.oracle.speech(reminder.text) + SPEECH_GAP
                while at + room <= closing:
                    part.add(at, reminder.text, "reminder", 3, optional=True)
                    at += reminder.every
        if cues.next_up and announce_next:
            part.add(max(part.end - cues.next_up, active), self.phrases["next_up"], "next", 4)
        return active, base


def _spoken_list(items: tuple[str, ...]) -> str:
    """Items said one after another, with a clear pause between two when an item has a
    comma of its own."""
    return ("; " if any("," in item for item in items) else ", ").join(items)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in {".", "!", "?", "…"} else text + "."


def _with_following(instances: list[Instance]) -> Iterator[tuple[Instance, Instance | None]]:
    """Each stage with the one after it (None after the last)."""
    return zip(instances, [*instances[1:], None], strict=True)


def spoken_texts(routine: Routine, oracle: DurationOracle | None = None) -> list[str]:
    """Every text a compile of ``routine`` may say, each once, from a walk of its stages
    that lays nothing out (so the speech can be synthesized before the one compile that
    uses its real lengths). ``oracle`` gives the cue sounds' lengths, which decide where
    instructions begin; a text the walk words otherwise than the compile does (a
    ``{remaining}`` on the edge of a second) is only made later, never wrong. Texts the
    layout then leaves out for want of room (with a warning) are listed too."""
    oracle = oracle or EstimatedDurations(routine.voice.rate or DEFAULT_RATE)
    return list(dict.fromkeys(t for t in _Compiler(routine, oracle).texts() if t.strip()))


__all__ = ["compile_routine", "spoken_texts"]
