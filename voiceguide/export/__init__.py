"""Exporting a guide: what goes where (:mod:`.jobs`), and the writer (:mod:`.writer`):
encoders, chapters, tags and subtitle sidecars."""

SUBTITLE_CHOICES = ("srt", "vtt", "both", "none")
"""What ``--subtitles`` takes: the sidecar files written beside the audio."""
