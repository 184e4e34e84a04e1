"""The phones of the file being imported, in a temporary table of the file's transaction.

Its primary key finds a phone that repeats across batches (``FileRows`` finds one within a
batch), so the importer's memory does not grow with the file.
"""

from __future__ import annotations

from .columns import max_length

SEEN_TABLE = "import_seen_phones"


def create_seen_table(connection, cursor) -> None:
    qn = connection.ops.quote_name
    engine = ""
    if connection.vendor == "mysql":
        # InnoDB: an Aria or MyISAM key is 6 to 20 times slower to fill and probe here.
        engine = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
    drop_seen_table(connection, cursor)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {qn(SEEN_TABLE)} ({qn('phone')} VARCHAR({max_length('phone')})"
        f" NOT NULL PRIMARY KEY, {qn('line_no')} INTEGER NOT NULL){engine}"
    )


def drop_seen_table(connection, cursor) -> None:
    # MySQL commits the transaction on a DROP TABLE without TEMPORARY.
    temporary = " TEMPORARY" if connection.vendor == "mysql" else ""
    cursor.execute(f"DROP{temporary} TABLE IF EXISTS {connection.ops.quote_name(SEEN_TABLE)}")


def record_batch(connection, cursor, batch: list[tuple[int, str]]) -> list[tuple[int, str, int]]:
    """Add a batch's ``(line, phone)`` pairs; return ``(line, phone, first line)`` for each
    phone already recorded by an earlier batch (those are not added again)."""
    qn = connection.ops.quote_name
    table = qn(SEEN_TABLE)
    first_lines = {}
    step = max(1, (connection.features.max_query_params or 999) - 1)
    for start in range(0, len(batch), step):
        phones = [phone for _line, phone in batch[start : start + step]]
        cursor.execute(
            f"SELECT {qn('phone')}, {qn('line_no')} FROM {table} WHERE {qn('phone')} IN "
            f"({', '.join(['%s'] * len(phones))})",
            phones,
        )
        first_lines.update(cursor.fetchall())
    cursor.executemany(
        f"INSERT INTO {table} ({qn('phone')}, {qn('line_no')}) VALUES (%s, %s)",
        [(phone, line) for line, phone in batch if phone not in first_lines],
    )
    return [(line, phone, first_lines[phone]) for line, phone in batch if phone in first_lines]
