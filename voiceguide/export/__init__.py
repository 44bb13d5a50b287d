"""Exporting a guide: what goes where (:mod:`.jobs`), and the writer (:mod:`.writer`):
encoders, chapters, tags and subtitle sidecars."""

SUBTITLE_CHOICES = ("srt", "vtt", "both", "none")
SPLIT_FORMATS = ("mp3", "m4a", "flac", "wav", "ogg", "opus")
"""The formats ``export --split`` writes its files in."""
"""What ``--subtitles`` takes: the sidecar files written beside the audio."""
