"""Bulk import of candidates from CSV files (``manage.py import_candidates``).

Each file is read a block at a time (``decoding``), its columns mapped to candidate fields
(``columns``) and its rows checked in plain Python (``validation``); then written in one
transaction per file, so a file with any bad row imports nothing and the other files are
unaffected: through ``LOAD DATA LOCAL INFILE`` and a staging table on MySQL/MariaDB
(``load_data``, statements in ``mariadb_sql``), in ORM batches elsewhere (``orm``). Only the
fields a file holds are written; an empty cell keeps the stored value unless
``overwrite_empty``; insert-only (the default) never changes a stored candidate
(``options``). Memory does not grow with the file: duplicate phones across batches are
found by a temporary table's primary key (``phones``).
"""

from .columns import ColumnsError, Layout, parse_columns_option
from .importer import Importer
from .load_data import LocalInfileRefused
from .options import INSERT_ONLY, MODES, UPSERT, ImportOptions
from .paths import expand_paths
from .report import COUNTS, FileReport

__all__ = [
    "COUNTS",
    "INSERT_ONLY",
    "MODES",
    "UPSERT",
    "ColumnsError",
    "FileReport",
    "ImportOptions",
    "Importer",
    "Layout",
    "LocalInfileRefused",
    "expand_paths",
    "parse_columns_option",
]
