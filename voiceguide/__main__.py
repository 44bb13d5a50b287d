"""``python -m voiceguide``."""

from voiceguide.cli import main

if __name__ == "__main__":
    main()
