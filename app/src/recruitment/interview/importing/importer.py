"""One file, from its path to its report: read, decode, validate, write."""

from __future__ import annotations

from pathlib import Path

from django.db import connections

from .decoding import TextLines
from .load_data import LoadDataWriter
from .options import ImportOptions
from .orm import OrmWriter
from .report import FileReport
from .validation import FileRows


class Importer:
    """Imports files one at a time, each in its own transaction.

    MySQL/MariaDB use the LOAD DATA path (``load_data``), everything else and every dry run
    the ORM path (``orm``).
    """

    def __init__(self, using: str = "default", options: ImportOptions | None = None):
        self.using = using
        self.options = options or ImportOptions()
        connection = connections[using]
        if connection.vendor == "mysql" and not self.options.dry_run:
            self.writer = LoadDataWriter(using, self.options)
        else:
            self.writer = OrmWriter(using, self.options)

    def import_file(self, path: Path) -> FileReport:
        report = FileReport(path=str(path))
        try:
            handle = open(path, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            report.error(None, f"cannot read: {exc.strerror or exc}")
            return report
        with handle:
            lines = TextLines(handle)
            rows = FileRows(
                lines, report, delimiter=self.options.delimiter, layout=self.options.layout
            )
            self.writer.write(rows, report)
        report.encoding = lines.encoding
        return report
