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
    def duplicates(self) -> str:
        """``(line, phone, first line)`` of the chunk's phones that an earlier chunk had."""
        return (
            f"SELECT s.`line_no`, s.`phone`, p.`line_no` FROM {self.staging} s "
            f"JOIN {self.seen} p ON p.`phone` = s.`phone` ORDER BY s.`line_no`"
        )

    def record_phones(self) -> str:
        """IGNORE: a phone an earlier chunk had (reported by ``duplicates``) stays once."""
        return (
            f"INSERT IGNORE INTO {self.seen} (`phone`, `line_no`) "
            f"SELECT `phone`, `line_no` FROM {self.staging}"
        )

    # -- values --------------------------------------------------------------------------
    def _value(self, name: str) -> str:
        if name == KEY_FIELD or name == "name":
            return f"s.{self.qn(name)}"  # required: never empty
        value = f"NULLIF(s.{self.qn(name)}, '')"
        if name in SCORE_FIELDS:
            field = Candidate._meta.get_field(name)
            value = f"CAST({value} AS DECIMAL({field.max_digits},{field.decimal_places}))"
        return value

    def _empty(self, name: str) -> Sql:
        default = empty_value(name)
        return Sql("NULL") if default is None else Sql("%s", (default,))

    def _inserted(self, name: str) -> Sql:
        value = self._value(name)
        if value.startswith("s."):
            return Sql(value)
        return _join("", [Sql(f"COALESCE({value}, "), self._empty(name), Sql(")")])

    def _updated(self, name: str) -> Sql:
        value = self._value(name)
        if value.startswith("s."):
            return Sql(value)
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

    # -- writing -------------------------------------------------------------------------
    def insert_new(self, *, anti_join: bool) -> Sql:
        """Insert the chunk's new phones. Without ``anti_join`` every row is taken as new
        (the table had no candidate when the file started, and the file's phones are
        distinct)."""
        qn = self.qn
        columns = list(self.fields)
        values = [self._inserted(name) for name in self.fields]
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
        source = f"{self.staging} s"
        if anti_join:
            source += f" LEFT JOIN {self.target} t ON t.`phone` = s.`phone` WHERE t.`id` IS NULL"
        select = _join(", ", values)
        return Sql(
            f"INSERT INTO {self.target} ({', '.join(qn(c) for c in columns)}) "
            f"SELECT {select.text} FROM {source}",
            select.params,
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
