"""Speech: voices (:mod:`.voices`), the pyttsx3 synthesizer (:mod:`.pyttsx3`) on engines
in worker processes (:mod:`.process` starts them, :mod:`.worker` is their side), and the
clip cache in front of it (:mod:`.cache`), with :func:`.cache.recordings`, the one way
the pipeline gets its recordings."""
