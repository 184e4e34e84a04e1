"""Write a file's rows through the ORM, in batches (SQLite and any database without the
LOAD DATA path; also every dry run).

Per batch: one query for the stored candidates with the batch's phones, then one
``bulk_create`` for the new ones and one ``bulk_update`` (by primary key) for those that
change, limited to the fields the file holds. Only one batch is in memory.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connections, transaction
from django.utils import timezone

from ..models import Candidate
from . import phones
from .columns import KEY_FIELD, SCORE_FIELDS, empty_value
from .options import UPSERT, ImportOptions
from .report import FileReport
from .validation import FileRows


class RollBack(Exception):
    """Leave the file's transaction without committing (invalid rows, or a dry run)."""


class OrmWriter:
    def __init__(self, using: str, options: ImportOptions):
        self.using = using
        self.options = options
        self.connection = connections[using]

    def write(self, rows: FileRows, report: FileReport) -> None:
        batch_size = self._batch_size()
        try:
            with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
                phones.create_seen_table(self.connection, cursor)
                try:
                    batch: list[tuple[int, list[str]]] = []
                    for item in rows:
                        batch.append(item)
                        if len(batch) >= batch_size:
                            self._write_batch(cursor, rows, batch, report)
                            batch = []
                    if batch:
                        self._write_batch(cursor, rows, batch, report)
                finally:
                    phones.drop_seen_table(self.connection, cursor)
                if report.error_count or self.options.dry_run:
                    raise RollBack
            report.imported = True
        except RollBack:
            pass

    def _batch_size(self) -> int:
        max_params = self.connection.features.max_query_params or 999
        return max(1, min(self.options.batch_size, max_params - 10))

    def _write_batch(self, cursor, rows: FileRows, batch, report: FileReport) -> None:
        fields = rows.layout.fields
        i_phone = fields.index(KEY_FIELD)
        rows.seen_phones.clear()  # the seen-phones table holds this batch's phones from now on
        for line, phone, first in phones.record_batch(
            self.connection, cursor, [(line, values[i_phone]) for line, values in batch]
        ):
            report.error(line, f"duplicate phone {phone} (also on line {first})")
        if report.error_count:
            return  # the file will be rolled back: only check the remaining rows
        self._store(fields, [values for _line, values in batch], report)

    def _store(self, fields: tuple[str, ...], batch: list[list[str]], report: FileReport):
        """Insert new phones; update (upsert mode) or count the stored candidates."""
        keep_empty = not self.options.overwrite_empty
        upsert = self.options.mode == UPSERT
        updatable = [name for name in fields if name != KEY_FIELD]
        positions = [fields.index(name) for name in updatable]
        i_phone = fields.index(KEY_FIELD)
        manager = Candidate.all_objects.using(self.using)
        stored = {
            values[0]: (values[1], values[2:])
            for values in manager.filter(
                phone__in=[values[i_phone] for values in batch]
            ).values_list(KEY_FIELD, "pk", *updatable)
        }
        now = timezone.now()
        new, changed = [], []
        for values in batch:
            row = {
                name: (Decimal(value) if name in SCORE_FIELDS else value)
                if value != ""
                else empty_value(name)
                for name, value in zip(fields, values, strict=True)
            }
            pk, old = stored.get(row[KEY_FIELD], (None, None))
            if old is None:
                new.append(Candidate(**row))
                continue
            if keep_empty:  # an empty cell keeps the stored value
                for i, position in enumerate(positions):
                    if values[position] == "":
                        row[updatable[i]] = old[i]
            if tuple(row[name] for name in updatable) == tuple(old):
                report.unchanged += 1
            elif upsert:
                changed.append(Candidate(pk=pk, **row, modified=now))
            else:
                report.skipped += 1
        if new:
            manager.bulk_create(new, batch_size=len(new))
            report.inserted += len(new)
        if changed:
            # By primary key: only the file's fields (and ``modified``) are written.
            manager.bulk_update(changed, [*updatable, "modified"], batch_size=len(changed))
            report.updated += len(changed)
