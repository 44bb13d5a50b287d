"""Audio: clips, cue sounds, loudness and the renderer that mixes the timeline."""
