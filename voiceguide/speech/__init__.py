"""Speech: voices, the pyttsx3 engine in a worker process, the clip cache."""
