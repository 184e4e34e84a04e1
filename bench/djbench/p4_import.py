"""P4: bulk import, through bench/import_vs_load_data.py (a throwaway MariaDB on the controller)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import BENCH, log, run


def measure(cfg: dict, workdir: Path) -> dict:
    out = workdir / "p4.json"
    rows, files, sample = cfg["p4_rows"], cfg["p4_files"], cfg["p4_orm_sample"]
    log(f"P4: {rows:,} rows in {files} files, ORM sample {sample:,}")
    result = run(
        [
            sys.executable,
            BENCH / "import_vs_load_data.py",
            "--rows",
            cfg["p4_rows"],
            "--files",
            cfg["p4_files"],
            "--orm-sample",
            cfg["p4_orm_sample"],
            "--json",
            out,
        ],
        timeout=3600,
    )
    print(result.stdout, end="", flush=True)
    return json.loads(out.read_text())
