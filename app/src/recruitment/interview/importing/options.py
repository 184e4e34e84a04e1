"""How an import treats stored candidates, and how it reads its files."""

from __future__ import annotations

from dataclasses import dataclass

from .columns import Layout

INSERT_ONLY = "insert-only"
UPSERT = "upsert"
MODES = (INSERT_ONLY, UPSERT)


@dataclass(frozen=True)
class ImportOptions:
    """``mode``: insert-only (the default) adds new phones and leaves every stored candidate
    alone, counting those the file would change as skipped; upsert also updates them.
    ``overwrite_empty``: an empty cell stores the field's empty value (by default an empty
    cell keeps the stored value). ``layout``: the columns of headerless files (``--columns``);
    None reads a header row. ``dry_run``: check and count everything, write nothing."""

    mode: str = INSERT_ONLY
    overwrite_empty: bool = False
    delimiter: str = ","
    layout: Layout | None = None
    dry_run: bool = False
    batch_size: int = 5000  # rows per ORM batch
    chunk_rows: int = 10_000  # rows per LOAD DATA chunk

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if len(self.delimiter) != 1:
            raise ValueError(f"the delimiter must be one character, not {self.delimiter!r}")
