"""The MySQL/MariaDB statements of the LOAD DATA path, for one file's fields and options.

A chunk of validated rows is loaded into a temporary staging table that has the file's
fields only, as strings ('' for an empty cell). From there, with ``t`` the candidate table
and ``s`` the staging table, for each field ``f`` the file holds:

- the file's value: ``NULLIF(s.f, '')`` (a score is cast to the model's DECIMAL);
- inserted: ``COALESCE(value, <the field's empty value>)``;
- updated: ``COALESCE(value, t.f)`` (an empty cell keeps the stored value), or with
  overwrite-empty ``COALESCE(value, <empty value>)``;
- unchanged when every field's new value ``<=>`` the stored one (``BINARY`` for text: a
  case-only change counts, despite the collation).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Candidate
from .columns import KEY_FIELD, SCORE_FIELDS, empty_value, max_length
from .phones import SEEN_TABLE

STAGING_TABLE = "import_candidate_staging"
SCORE_WIDTH = 8  # characters of a score in the staging table ("100.0")


@dataclass(frozen=True)
class Sql:
    text: str
    params: tuple = ()


def _join(separator: str, parts: list[Sql]) -> Sql:
    return Sql(separator.join(p.text for p in parts), tuple(x for p in parts for x in p.params))


class Statements:
    def __init__(self, connection, fields: tuple[str, ...], *, overwrite_empty: bool):
        self.connection = connection
        self.fields = fields
        self.overwrite_empty = overwrite_empty
        self.qn = connection.ops.quote_name
        self.target = self.qn(Candidate._meta.db_table)
        self.staging = self.qn(STAGING_TABLE)
        self.seen = self.qn(SEEN_TABLE)
        self.updatable = [name for name in fields if name != KEY_FIELD]

    # -- the staging table ---------------------------------------------------------------
    def create_staging(self) -> str:
        qn = self.qn
        columns = ["`line_no` INT UNSIGNED NOT NULL"]
        for name in self.fields:
            width = SCORE_WIDTH if name in SCORE_FIELDS else max_length(name)
            columns.append(f"{qn(name)} VARCHAR({width}) NOT NULL")
        engine = " ENGINE=Aria TRANSACTIONAL=0" if self.connection.mysql_is_mariadb else ""
        return (
            f"CREATE TEMPORARY TABLE {self.staging} ({', '.join(columns)})"
            f"{engine} DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
        )

    def drop_staging(self) -> str:
        return f"DROP TEMPORARY TABLE IF EXISTS {self.staging}"

    def empty_staging(self) -> str:
        return f"DELETE FROM {self.staging}"

    def load_data(self) -> str:
        """Input: tab separated, backslash escaped, one row a line, ``line_no`` first."""
        columns = ", ".join(["`line_no`", *(self.qn(n) for n in self.fields)])
        return (
            f"LOAD DATA LOCAL INFILE %s INTO TABLE {self.staging} CHARACTER SET utf8mb4 "
            "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
            f"LINES TERMINATED BY '\\n' ({columns})"
        )

    # -- duplicate phones across chunks --------------------------------------------------
    def record_phones(self) -> str:
        """Fails (duplicate key) if an earlier chunk had one of the chunk's phones."""
        return (
            f"INSERT INTO {self.seen} (`phone`, `line_no`) "
            f"SELECT `phone`, `line_no` FROM {self.staging}"
        )

    def duplicates(self) -> str:
        """``(line, phone, first line)`` of the chunk's phones that an earlier chunk had."""
        # STRAIGHT_JOIN: the chunk drives, each phone one look-up in the seen table's key
        # (the other way round scans the unindexed chunk once per phone seen).
        return (
            f"SELECT s.`line_no`, s.`phone`, p.`line_no` FROM {self.staging} s "
            f"STRAIGHT_JOIN {self.seen} p ON p.`phone` = s.`phone` ORDER BY s.`line_no`"
        )

    def record_new_phones(self) -> str:
        """After ``duplicates`` reported them: record the phones not seen before."""
        return self.record_phones().replace("INSERT INTO", "INSERT IGNORE INTO", 1)

    # -- values --------------------------------------------------------------------------
    def _value(self, name: str, source: str) -> str | None:
        """The file's value of a field, NULL for an empty cell; None for a required field
        (never empty). ``source`` is "s" (the staging table) or "@" (LOAD DATA variables)."""
        ref = f"@{name}" if source == "@" else f"s.{self.qn(name)}"
        if name == KEY_FIELD or name == "name":
            return None
        value = f"NULLIF({ref}, '')"
        if name in SCORE_FIELDS:
            field = Candidate._meta.get_field(name)
            value = f"CAST({value} AS DECIMAL({field.max_digits},{field.decimal_places}))"
        return value

    def _ref(self, name: str, source: str) -> Sql:
        return Sql(f"@{name}" if source == "@" else f"s.{self.qn(name)}")

    def _inserted(self, name: str, source: str = "s") -> Sql:
        value = self._value(name, source)
        if value is None:
            return self._ref(name, source)
        default = empty_value(name)
        empty = Sql("NULL") if default is None else Sql("%s", (default,))
        return _join("", [Sql(f"COALESCE({value}, "), empty, Sql(")")])

    def _updated(self, name: str) -> Sql:
        value = self._value(name, "s")
        if value is None:
            return self._ref(name, "s")
        if self.overwrite_empty:
            return self._inserted(name)
        return Sql(f"COALESCE({value}, t.{self.qn(name)})")

    def _unchanged(self) -> Sql:
        parts = []
        for name in self.updatable:
            new = self._updated(name)
            binary = "" if name in SCORE_FIELDS else "BINARY "
            parts.append(Sql(f"{binary}t.{self.qn(name)} <=> {binary}({new.text})", new.params))
        return _join(" AND ", parts) if parts else Sql("TRUE")

    def _new_row(self, source: str) -> tuple[list[str], list[Sql]]:
        """The columns of a new candidate and their values: the file's fields, every other
        NOT NULL column's default, ``created`` and ``modified``."""
        columns = list(self.fields)
        values = [self._inserted(name, source) for name in self.fields]
        for model_field in Candidate._meta.concrete_fields:
            name = model_field.attname
            if model_field.primary_key or name in self.fields or model_field.null:
                continue
            if getattr(model_field, "generated", False):
                continue  # computed by the database
            if name in ("created", "modified"):
                continue
            columns.append(model_field.column)
            default = model_field.get_db_prep_save(model_field.get_default(), self.connection)
            values.append(Sql("%s", (default,)))
        columns += ["created", "modified"]
        values += [Sql("UTC_TIMESTAMP(6)"), Sql("UTC_TIMESTAMP(6)")]
        return columns, values

    # -- writing -------------------------------------------------------------------------
    def load_new(self) -> Sql:
        """LOAD DATA a chunk straight into the candidate table (the fast path): right when
        every phone of the chunk is new. A row whose phone is stored is skipped (LOCAL
        implies IGNORE for duplicate keys), so fewer loaded rows than the chunk's tell the
        caller to roll the chunk back and take the staging path. Parameters: the file
        first, then ``params``."""
        columns, values = self._new_row("@")
        variables = ", ".join(["@line_no", *(f"@{name}" for name in self.fields)])
        sets = _join(
            ", ",
            [
                Sql(f"{self.qn(c)} = {v.text}", v.params)
                for c, v in zip(columns, values, strict=True)
            ],
        )
        return Sql(
            f"LOAD DATA LOCAL INFILE %s INTO TABLE {self.target} CHARACTER SET utf8mb4 "
            "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
            f"LINES TERMINATED BY '\\n' ({variables}) SET {sets.text}",
            sets.params,
        )

    def insert_new(self) -> Sql:
        """Insert the staged rows whose phone is not stored."""
        columns, values = self._new_row("s")
        select = _join(", ", values)
        return Sql(
            f"INSERT INTO {self.target} ({', '.join(self.qn(c) for c in columns)}) "
            f"SELECT {select.text} FROM {self.staging} s LEFT JOIN {self.target} t "
            f"ON t.`phone` = s.`phone` WHERE t.`id` IS NULL",
            select.params,
        )

    def created_by_this_file(self) -> str:
        """``(line, phone)`` of staged rows whose phone a row of this file already inserted
        (the candidate's id is above the largest id stored when the file started: %s). A
        candidate another session creates meanwhile with a phone of the file counts too:
        the file fails, and a second run sees that candidate as stored."""
        return (
            f"SELECT s.`line_no`, s.`phone` FROM {self.staging} s STRAIGHT_JOIN {self.target} t "
            f"ON t.`phone` = s.`phone` WHERE t.`id` > %s ORDER BY s.`line_no`"
        )

    def update_changed(self) -> Sql:
        """Update the stored candidates the chunk changes (``modified`` too); the others are
        not written. The affected-row count is the number updated."""
        assignments = [Sql("t.`modified` = UTC_TIMESTAMP(6)")]
        for name in self.updatable:
            new = self._updated(name)
            assignments.append(Sql(f"t.{self.qn(name)} = {new.text}", new.params))
        sets = _join(", ", assignments)
        unchanged = self._unchanged()
        return Sql(
            f"UPDATE {self.target} t JOIN {self.staging} s ON t.`phone` = s.`phone` "
            f"SET {sets.text} WHERE NOT ({unchanged.text})",
            sets.params + unchanged.params,
        )

    def count_changed(self) -> Sql:
        """How many stored candidates the chunk would change (skipped in insert-only mode)."""
        unchanged = self._unchanged()
        return Sql(
            f"SELECT COUNT(*) FROM {self.staging} s JOIN {self.target} t "
            f"ON t.`phone` = s.`phone` WHERE NOT ({unchanged.text})",
            unchanged.params,
        )
