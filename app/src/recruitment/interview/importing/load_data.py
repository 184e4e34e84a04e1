"""Write a file's rows into MySQL/MariaDB through ``LOAD DATA LOCAL INFILE``.

A helper thread validates the rows and writes them as tab-separated chunk files of
``chunk_rows`` rows, while this thread (which owns the connection) loads each chunk: straight
into the candidate table while its phones are all new, else into a staging table, from
which it checks the phones against the earlier chunks' and updates, counts and inserts
(statements in ``mariadb_sql``). At most two chunks wait, so memory does
not grow with the file. One transaction per file: if any row turns out invalid, everything
done for the file is rolled back.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import threading
import time

from django.db import DatabaseError, IntegrityError, connections, transaction

from ..models import Candidate
from . import phones
from .decoding import TextLines
from .mariadb_sql import Statements
from .options import UPSERT, ImportOptions
from .report import FileReport
from .validation import FileRows

LOCAL_INFILE_CLIENT_HELP = (
    "LOAD DATA LOCAL INFILE was refused on the CLIENT side (MySQL error 2068). "
    "Enable it in the Django database settings: DATABASES['default']['OPTIONS']"
    "['local_infile'] = True (PyMySQL's local_infile=True), which the production settings set "
    "from the environment variable DJANGO_DB_LOCAL_INFILE=true."
)
LOCAL_INFILE_SERVER_HELP = (
    "LOAD DATA LOCAL INFILE was refused on the SERVER side (MySQL error 1148/3948/4166). "
    "Set local_infile=1 in the [mariadbd] (or [mysqld]) section of the MariaDB server "
    "configuration and restart it (or run SET GLOBAL local_infile=1 as an administrator)."
)
QUEUED_CHUNKS = 2


class LocalInfileRefused(Exception):
    """LOAD DATA LOCAL INFILE is disabled; the message says which side to change."""


class _RollBack(Exception):
    """Leave the file's transaction without committing (invalid rows were found)."""


def check_local_infile(connection) -> None:
    """Fail early, naming the setting to change, when either side refuses local infile."""
    from pymysql.constants import CLIENT

    connection.ensure_connection()
    client_flag = getattr(connection.connection, "client_flag", 0)
    options = connection.settings_dict.get("OPTIONS", {})
    if not options.get("local_infile") or not client_flag & CLIENT.LOCAL_FILES:
        raise LocalInfileRefused(LOCAL_INFILE_CLIENT_HELP)
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@GLOBAL.local_infile")
        (server_enabled,) = cursor.fetchone()
    if not int(server_enabled):
        raise LocalInfileRefused(LOCAL_INFILE_SERVER_HELP)


def load_data(connection, cursor, sql: str, path: str, params: tuple = ()) -> int:
    """Run a LOAD DATA LOCAL INFILE statement, translating a refusal into LocalInfileRefused."""
    from pymysql.constants import CLIENT

    try:
        return cursor.execute(sql, [path, *params])
    except DatabaseError as exc:
        code = exc.args[0] if exc.args else None
        if code == 2068:
            raise LocalInfileRefused(LOCAL_INFILE_CLIENT_HELP) from exc
        # 1148 (MySQL/MariaDB), 3948 (MySQL 8), 4166 (MariaDB 10.6+): refused; the client
        # flag tells whether this connection even offered local infile.
        if code in (1148, 3948, 4166):
            client_flag = getattr(connection.connection, "client_flag", 0)
            if not client_flag & CLIENT.LOCAL_FILES:
                raise LocalInfileRefused(LOCAL_INFILE_CLIENT_HELP) from exc
            raise LocalInfileRefused(LOCAL_INFILE_SERVER_HELP) from exc
        raise


def _put(out: queue.Queue, item, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            out.put(item, timeout=0.2)
            return True
        except queue.Full:
            continue
    return False


class LoadDataWriter:
    def __init__(self, using: str, options: ImportOptions):
        self.using = using
        self.options = options
        self.connection = connections[using]

    def check(self) -> None:
        check_local_infile(self.connection)

    def write(self, rows: FileRows, report: FileReport) -> None:
        self.check()
        directory = tempfile.mkdtemp(prefix="recruitment-import-")
        # Items: (chunk path, row count), then the file's fields once known; None ends.
        chunks: queue.Queue = queue.Queue(maxsize=QUEUED_CHUNKS)
        stop = threading.Event()
        producer = threading.Thread(
            target=self._produce_chunks,
            args=(rows, report, directory, chunks, stop),
            name="import-validate",
            daemon=True,
        )
        started = time.monotonic()
        producer.start()
        try:
            with transaction.atomic(using=self.using):
                self._consume_chunks(chunks, report)
                if report.failure is not None:
                    raise report.failure
                if report.error_count:
                    raise _RollBack
            report.imported = True
        except _RollBack:
            pass
        finally:
            stop.set()
            while producer.is_alive():  # unblock the producer if we stopped early
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.05)
            producer.join()
            shutil.rmtree(directory, ignore_errors=True)
            report.timings["total"] = time.monotonic() - started

    def _produce_chunks(self, rows: FileRows, report, directory: str, out, stop) -> None:
        """Validate rows and write them as LOAD DATA input files (helper thread, no database).

        Format: ``line_no`` then the file's fields, tab separated, backslash escaped. Valid
        fields hold no control characters (so no tab or newline): only backslashes need
        escaping. The first item queued is the file's fields (once the header is read).
        """
        chunk_rows = self.options.chunk_rows
        buffer: list[str] = []
        index = 0
        announced = False

        def flush() -> bool:
            nonlocal index, buffer
            index += 1
            path = os.path.join(directory, f"chunk-{index:05d}.tsv")
            with open(path, "wb") as handle:
                handle.write("".join(buffer).encode("utf-8"))
            count = len(buffer)
            buffer = []
            rows.seen_phones.clear()  # from now on the seen-phones table holds them
            return _put(out, (path, count), stop)

        try:
            for line, values in rows:
                if not announced:
                    announced = _put(out, rows.layout.fields, stop)
                if stop.is_set():
                    return
                joined = "\t".join(values)
                if "\\" in joined:
                    joined = "\t".join(v.replace("\\", "\\\\") for v in values)
                buffer.append(f"{line}\t{joined}\n")
                if len(buffer) >= chunk_rows and not flush():
                    return
            if buffer:
                flush()
        except BaseException as exc:  # handed to the consumer thread
            report.failure = exc
        finally:
            _put(out, None, stop)

    def _consume_chunks(self, chunks: queue.Queue, report: FileReport) -> None:
        """Each chunk goes straight into the candidate table while all its phones are new
        (``load_new``, the common case of a file of new candidates); once a chunk meets a
        stored phone it is rolled back to its savepoint, and it and the rest of the file go
        through the staging table (duplicate check, update or count, insert)."""
        connection = self.connection
        timings = report.timings
        for phase in ("wait", "load_new", "load_staging", "phones", "write"):
            timings[phase] = 0.0
        started = time.monotonic()
        fields = chunks.get()
        timings["wait"] += time.monotonic() - started
        if fields is None:
            return  # no valid row at all
        sql = Statements(connection, fields, overwrite_empty=self.options.overwrite_empty)
        compare = sql.update_changed() if self.options.mode == UPSERT else sql.count_changed()
        load_new, insert = sql.load_new(), sql.insert_new()
        loaded = 0
        fast = True
        earlier_in_file: list[tuple[int, str]] = []
        with connection.cursor() as cursor:
            qn = connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX(`id`), 0) FROM {qn(Candidate._meta.db_table)}")
            (max_id_before,) = cursor.fetchone()
            cursor.execute(sql.drop_staging())
            cursor.execute(sql.create_staging())
            phones.create_seen_table(connection, cursor)
            try:
                while True:
                    started = time.monotonic()
                    item = chunks.get()
                    timings["wait"] += time.monotonic() - started
                    if item is None:
                        break
                    path, count = item
                    if fast and not report.error_count:
                        started = time.monotonic()
                        cursor.execute("SAVEPOINT import_chunk")
                        done = load_data(connection, cursor, load_new.text, path, load_new.params)
                        timings["load_new"] += time.monotonic() - started
                        if done == count:
                            cursor.execute("RELEASE SAVEPOINT import_chunk")
                            os.unlink(path)
                            loaded += done
                            report.inserted += done
                            continue
                        cursor.execute("ROLLBACK TO SAVEPOINT import_chunk")
                        fast = False  # the file meets stored phones: stage from here on
                    started = time.monotonic()
                    done = load_data(connection, cursor, sql.load_data(), path)
                    os.unlink(path)
                    loaded += done
                    if done != count:
                        raise DatabaseError(
                            f"LOAD DATA loaded {done} rows of {path}, expected {count}"
                        )
                    timings["load_staging"] += time.monotonic() - started
                    started = time.monotonic()
                    self._check_phones(cursor, sql, report, max_id_before, earlier_in_file)
                    timings["phones"] += time.monotonic() - started
                    if not report.error_count:  # else the file will be rolled back
                        started = time.monotonic()
                        self._write_chunk(cursor, insert, compare, count, report)
                        timings["write"] += time.monotonic() - started
                    cursor.execute(sql.empty_staging())
            finally:
                cursor.execute(sql.drop_staging())
                phones.drop_seen_table(connection, cursor)
        if earlier_in_file:
            self._report_first_lines(earlier_in_file, report)
        if not report.error_count and report.failure is None and loaded != report.rows:
            raise DatabaseError(f"LOAD DATA loaded {loaded} rows, expected {report.rows}")

    def _check_phones(self, cursor, sql, report, max_id_before, earlier_in_file) -> None:
        """Report the staged phones that an earlier chunk of the file had: those of staged
        chunks are in the seen-phones table (one statement when none repeats), those of
        chunks loaded straight in are candidates with an id above ``max_id_before``."""
        reported = set()
        try:
            cursor.execute(sql.record_phones())
        except IntegrityError:  # the failed statement changed nothing (InnoDB)
            cursor.execute(sql.duplicates())
            for line, phone, first in cursor.fetchall():
                reported.add(line)
                report.error(line, f"duplicate phone {phone} (also on line {first})")
            cursor.execute(sql.record_new_phones())
        if max_id_before is not None:
            cursor.execute(sql.created_by_this_file(), [max_id_before])
            earlier_in_file.extend(row for row in cursor.fetchall() if row[0] not in reported)

    def _report_first_lines(self, duplicates: list[tuple[int, str]], report) -> None:
        """Read the file again (rare: only when it repeats a phone) for the line on which
        each repeated phone first appears."""
        wanted = {phone for _line, phone in duplicates}
        first: dict[str, int] = {}
        with open(report.path, "rb") as handle:
            rows = FileRows(
                TextLines(handle),
                FileReport(path=report.path),
                delimiter=self.options.delimiter,
                layout=self.options.layout,
            )
            for count, (line, values) in enumerate(rows):
                phone = values[rows.layout.index("phone")]
                if phone in wanted and phone not in first:
                    first[phone] = line
                if count % self.options.chunk_rows == 0:
                    rows.seen_phones.clear()
        for line, phone in duplicates:
            report.error(line, f"duplicate phone {phone} (also on line {first.get(phone, '?')})")

    def _write_chunk(self, cursor, insert, compare, count: int, report: FileReport) -> None:
        if self.options.mode == UPSERT:
            # With CLIENT_FOUND_ROWS (set by Django) the count is of matched rows: the
            # WHERE clause matches only the rows that change.
            changed = cursor.execute(compare.text, compare.params)
            report.updated += changed
        else:
            cursor.execute(compare.text, compare.params)
            (changed,) = cursor.fetchone()
            report.skipped += changed
        inserted = cursor.execute(insert.text, insert.params)
        report.inserted += inserted
        report.unchanged += count - inserted - changed
