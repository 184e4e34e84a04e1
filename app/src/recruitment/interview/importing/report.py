"""What happened to one file: its counts and its errors (``path:line: message``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

MAX_ERRORS_PER_FILE = 50
COUNTS = ("inserted", "updated", "unchanged", "skipped")


@dataclass
class FileReport:
    """``rows`` counts the data rows read (blank lines aside). Of the valid rows:
    ``inserted`` (new phone), ``updated`` (stored candidate changed), ``unchanged`` (the file
    holds what is stored) and ``skipped`` (insert-only mode: stored with other values)."""

    path: str
    encoding: str = ""
    fields: tuple[str, ...] = ()
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    imported: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    failure: BaseException | None = None
    # The LOAD DATA path reports from two threads (validation, and the database's checks).
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def error(self, line: int | None, message: str) -> None:
        where = f"{self.path}:{line}" if line is not None else self.path
        with self._lock:
            self.error_count += 1
            if len(self.errors) < MAX_ERRORS_PER_FILE:
                self.errors.append(f"{where}: {message}")
