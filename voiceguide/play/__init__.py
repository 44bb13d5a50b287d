"""Live playback: the player, the session loop, devices and the terminal."""
