#!/usr/bin/env python
"""Django's command-line utility for administrative tasks (development: local settings)."""

import os
import sys
from pathlib import Path


def main() -> None:
    # Allow running from a clean clone even before `pip install -e .`.
    src = Path(__file__).resolve().parent / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitment.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
