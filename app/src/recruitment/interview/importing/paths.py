"""The files named on the command line."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path


def expand_paths(args: Iterable[str]) -> list[Path]:
    """Files, directories (every *.csv below, sorted) and glob patterns, without duplicates."""
    found: list[Path] = []
    for arg in args:
        if any(ch in arg for ch in "*?["):
            matches = [Path(p) for p in sorted(glob.glob(arg, recursive=True))]
        else:
            matches = [Path(arg)]
        for path in matches:
            if path.is_dir():
                found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() == ".csv"))
            else:
                found.append(path)
    unique: list[Path] = []
    seen = set()
    for path in found:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
