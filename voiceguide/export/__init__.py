"""Exporting a guide: encoders, chapters, tags and subtitle sidecars."""
