"""Bulk import of candidates from CSV files.

Rows are validated in plain Python first; a file with any bad row imports nothing and the
other files are unaffected (each file has its own transaction).

- MySQL/MariaDB: the validated rows are written to temporary tab-separated chunk files (by a
  helper thread, so validation overlaps the database work), each loaded with
  ``LOAD DATA LOCAL INFILE`` into a temporary staging table, then upserted on the natural key
  (phone) with ``INSERT ... SELECT ... ON DUPLICATE KEY UPDATE``, all in one transaction per
  file. Unchanged rows are skipped and keep their ``modified`` timestamp, so importing the
  same file twice changes nothing.
- Other databases (SQLite): batched ``bulk_create`` that inserts new phones and updates only
  rows whose values changed.
"""

from __future__ import annotations

import csv
import io
import operator
import os
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from .models import BASIC_FIELDS, Candidate

# The CSV columns are the candidate's basic fields, in the model's order.
IMPORT_FIELDS = BASIC_FIELDS
SCORE_FIELDS = ["test_score_of_general_ability", "paper_score"]
TEXT_FIELDS = [f for f in IMPORT_FIELDS if f not in SCORE_FIELDS]
REQUIRED_COLUMNS = ["name", "phone"]

# Accepted column headers: the field name or the Chinese header of the course's spreadsheets.
HEADER_ALIASES = {
    "name": ["name", "姓名"],
    "phone": ["phone", "手机号码", "手机号", "手机", "电话"],
    "email": ["email", "邮箱", "电子邮箱"],
    "city": ["city", "城市"],
    "apply_position": ["apply_position", "应聘职位", "职位"],
    "born_address": ["born_address", "生源地"],
    "gender": ["gender", "性别"],
    "bachelor_school": ["bachelor_school", "本科学校"],
    "master_school": ["master_school", "研究生学校", "硕士学校"],
    "doctor_school": ["doctor_school", "博士学校"],
    "major": ["major", "专业"],
    "degree": ["degree", "学历"],
    "test_score_of_general_ability": ["test_score_of_general_ability", "综合能力测评成绩"],
    "paper_score": ["paper_score", "笔试成绩"],
}
GENDERS = {
    "": "unspecified",
    "male": "male",
    "m": "male",
    "男": "male",
    "female": "female",
    "f": "female",
    "女": "female",
    "unspecified": "unspecified",
    "未知": "unspecified",
}
DEGREES = {
    "": "",
    "bachelor": "bachelor",
    "本科": "bachelor",
    "学士": "bachelor",
    "master": "master",
    "硕士": "master",
    "研究生": "master",
    "doctor": "doctor",
    "博士": "doctor",
    "other": "other",
    "其他": "other",
}
PHONE_RE = re.compile(r"\+?[0-9][0-9-]{5,30}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SCORE_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9])?")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
MAX_ERRORS_PER_FILE = 50
NULL = "\\N"  # NULL in LOAD DATA input

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


class _RollBack(Exception):
    """Leave the file's transaction without committing (invalid rows were found)."""


INFO_RE = re.compile(rb"Records:\s*(\d+)\s+Duplicates:\s*(\d+)")


def _insert_info(cursor) -> tuple[int, int]:
    """Records and Duplicates from the server's info string after INSERT ... SELECT."""
    raw = getattr(cursor, "cursor", cursor)
    result = getattr(raw, "_result", None)
    message = getattr(result, "message", b"") or b""
    match = INFO_RE.search(message)
    if not match:
        raise DatabaseError(f"unexpected INSERT ... SELECT info: {message!r}")
    return int(match.group(1)), int(match.group(2))


class LocalInfileRefused(Exception):
    """LOAD DATA LOCAL INFILE is disabled; the message says which side to change."""


@dataclass
class FileReport:
    path: str
    encoding: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    imported: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    failure: BaseException | None = None

    def error(self, line: int | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_PER_FILE:
            where = f"{self.path}:{line}" if line is not None else self.path
            self.errors.append(f"{where}: {message}")


def _max_lengths() -> dict[str, int]:
    return {name: Candidate._meta.get_field(name).max_length for name in TEXT_FIELDS}


def expand_paths(args: Iterable[str]) -> list[Path]:
    """Files, directories (every *.csv below, sorted) and glob patterns, without duplicates."""
    import glob

    found: list[Path] = []
    for arg in args:
        if any(ch in arg for ch in "*?["):
            matches = [Path(p) for p in sorted(glob.glob(arg, recursive=True))]
        else:
            matches = [Path(arg)]
        for path in matches:
            if path.is_dir():
                found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() == ".csv"))
            else:
                found.append(path)
    unique: list[Path] = []
    seen = set()
    for path in found:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then GBK (decoded as its superset GB18030)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gbk"


def _column_positions(header: list[str], report: FileReport) -> list[int | None] | None:
    normalized = [h.strip().lstrip("\ufeff").lower() for h in header]
    positions: list[int | None] = []
    for name in IMPORT_FIELDS:
        position = None
        for alias in HEADER_ALIASES[name]:
            if alias.lower() in normalized:
                position = normalized.index(alias.lower())
                break
        positions.append(position)
    missing = [name for name, pos in zip(IMPORT_FIELDS, positions, strict=True) if pos is None]
    missing_required = [name for name in REQUIRED_COLUMNS if name in missing]
    if missing_required:
        report.error(1, f"missing required column(s): {', '.join(missing_required)}")
        return None
    return positions


def _fast_row_pattern(max_lengths: dict[str, int]) -> re.Pattern:
    """One regex for a whole common-case row (fields joined by tabs, in IMPORT_FIELDS order).

    A match implies the row passes every check of the detailed path below (which stays the
    authority: rows that do not match are checked field by field, for a precise message).
    """

    def text(name: str, required: bool = False) -> str:
        n = max_lengths[name]
        edge = r"[^\s\x00-\x1f\x7f]"
        inner = rf"{edge}(?:[^\x00-\x1f\x7f]{{0,{n - 2}}}{edge})?"
        return f"({inner})" if required else f"((?:{inner})?)"

    email_char = r"[^@\s\x00-\x1f\x7f]"
    score = r"((?:100(?:\.0)?|[0-9]{1,2}(?:\.[0-9])?)?)"
    parts = {
        "name": text("name", required=True),
        "phone": r"(\+?[0-9][0-9-]{5,30})",
        "email": rf"((?=[^\t]{{0,{max_lengths['email']}}}(?:\t|$))"
        rf"(?:{email_char}+@{email_char}+\.{email_char}+)?)",
        "gender": r"([^\t]{0,16})",
        "degree": r"([^\t]{0,16})",
        "test_score_of_general_ability": score,
        "paper_score": score,
    }
    return re.compile("\t".join(parts.get(name) or text(name) for name in IMPORT_FIELDS), re.DOTALL)


def _detailed_problems(values, scores_raw, text_limits, seen_phones, line) -> list[str]:
    """Check one row field by field; normalizes ``values`` in place. Returns the problems."""
    problems = []
    i_gender = TEXT_FIELDS.index("gender")
    i_degree = TEXT_FIELDS.index("degree")
    if CONTROL_RE.search("".join(values)):
        problems.append("control characters (tab, newline...) are not allowed")
    for i, name, limit in text_limits:
        if len(values[i]) > limit:
            problems.append(f"{name} is longer than {limit} characters")
    if not values[0]:
        problems.append("name is required")
    phone = values[1].replace(" ", "")
    values[1] = phone
    if not phone:
        problems.append("phone is required")
    elif not PHONE_RE.fullmatch(phone):
        problems.append(f"invalid phone {phone!r}")
    elif phone in seen_phones:
        problems.append(f"duplicate phone {phone} (also on line {seen_phones[phone]})")
    else:
        seen_phones[phone] = line
    email = values[2]
    if email and not EMAIL_RE.fullmatch(email):
        problems.append(f"invalid email {email!r}")
    gender = GENDERS.get(values[i_gender].lower())
    if gender is None:
        problems.append(f"invalid gender {values[i_gender]!r}")
    else:
        values[i_gender] = gender
    degree = DEGREES.get(values[i_degree].lower())
    if degree is None:
        problems.append(f"invalid degree {values[i_degree]!r}")
    else:
        values[i_degree] = degree
    for index, (raw, name) in enumerate(zip(scores_raw, SCORE_FIELDS, strict=True)):
        if not raw:
            scores_raw[index] = None
        elif not (SCORE_RE.fullmatch(raw) and float(raw) <= 100):
            problems.append(f"invalid {name} {raw!r} (0 to 100, one decimal)")
    return problems


def iter_valid_rows(text: str, report: FileReport):
    """Yield ``(line, fields)`` for each valid row; record errors in ``report``.

    ``fields`` follows IMPORT_FIELDS: stripped strings, gender and degree normalized, ``None``
    for an empty score. Callers must discard what they received if ``report.error_count`` is
    non-zero at the end (every row is still checked, so that all errors are reported).
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        report.error(None, "the file is empty (no header row)")
        return
    except csv.Error as exc:
        report.error(1, f"malformed CSV: {exc}")
        return
    positions = _column_positions(header, report)
    if positions is None:
        return
    ncols = len(header)
    max_lengths = _max_lengths()
    text_limits = [(i, name, max_lengths[name]) for i, name in enumerate(TEXT_FIELDS)]
    n_text = len(TEXT_FIELDS)
    i_gender = IMPORT_FIELDS.index("gender")
    i_degree = IMPORT_FIELDS.index("degree")
    i_score1 = IMPORT_FIELDS.index("test_score_of_general_ability")
    i_score2 = IMPORT_FIELDS.index("paper_score")
    # Missing optional columns read an empty string appended to each row.
    pad = any(p is None for p in positions)
    pick = operator.itemgetter(*(ncols if p is None else p for p in positions))
    fast_match = _fast_row_pattern(max_lengths).fullmatch
    genders, degrees = GENDERS, DEGREES
    seen_phones: dict[str, int] = {}
    error = report.error
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            error(reader.line_num, f"malformed CSV: {exc}")
            break
        line = reader.line_num
        if len(row) != ncols:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            rows += 1
            error(line, f"expected {ncols} columns, found {len(row)}")
            continue
        rows += 1
        if pad:
            row.append("")
        picked = pick(row)
        # Fast path: the whole row in one regex match, then two dictionary look-ups.
        if fast_match("\t".join(picked)):
            fields = list(picked)
            gender = genders.get(fields[i_gender])
            degree = degrees.get(fields[i_degree])
            phone = fields[1]
            if gender is not None and degree is not None and phone not in seen_phones:
                seen_phones[phone] = line
                fields[i_gender] = gender
                fields[i_degree] = degree
                if not fields[i_score1]:
                    fields[i_score1] = None
                if not fields[i_score2]:
                    fields[i_score2] = None
                yield line, fields
                continue
        # Detailed path: field by field, with a message for each problem.
        values = [v.strip() for v in picked[:n_text]]
        scores = [v.strip() for v in picked[n_text:]]
        problems = _detailed_problems(values, scores, text_limits, seen_phones, line)
        if problems:
            error(line, "; ".join(problems))
            continue
        yield line, values + scores
    report.rows = rows


class Importer:
    def __init__(self, using: str = "default", batch_size: int = 5000, chunk_rows: int = 50_000):
        self.using = using
        self.batch_size = batch_size
        self.chunk_rows = chunk_rows
        self.connection = connections[using]

    # -- entry point ---------------------------------------------------------------------------
    def import_file(self, path: Path, *, dry_run: bool = False) -> FileReport:
        report = FileReport(path=str(path))
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.error(None, f"cannot read: {exc.strerror or exc}")
            return report
        text, report.encoding = decode(data)
        del data
        if self.connection.vendor == "mysql" and not dry_run:
            self._import_mysql(text, report)
        else:
            self._import_generic(text, report, dry_run=dry_run)
        return report

    # -- MySQL / MariaDB: LOAD DATA LOCAL INFILE + INSERT ... SELECT ... ON DUPLICATE KEY -----
    def check_local_infile(self) -> None:
        """Fail early, naming the setting to change, when either side refuses local infile."""
        from pymysql.constants import CLIENT

        self.connection.ensure_connection()
        raw = self.connection.connection
        client_flag = getattr(raw, "client_flag", 0)
        options = self.connection.settings_dict.get("OPTIONS", {})
        if not options.get("local_infile") or not client_flag & CLIENT.LOCAL_FILES:
            raise LocalInfileRefused(LOCAL_INFILE_CLIENT_HELP)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT @@GLOBAL.local_infile")
            (server_enabled,) = cursor.fetchone()
        if not int(server_enabled):
            raise LocalInfileRefused(LOCAL_INFILE_SERVER_HELP)

    def _produce_chunks(self, text: str, report: FileReport, directory: str, out, stop) -> None:
        """Validate rows and write them as LOAD DATA input files of ``chunk_rows`` rows each.

        Runs in a helper thread (pure Python, no database), so validation overlaps the
        database work on the previous chunk. Format: tab separated, backslash escaped,
        ``\\N`` for NULL; valid fields hold no control characters (so no tab or newline),
        and only backslashes need escaping. ``None`` is queued last.
        """
        n_text = len(TEXT_FIELDS)
        buffer: list[str] = []
        index = 0

        def flush() -> bool:
            nonlocal index, buffer
            index += 1
            path = os.path.join(directory, f"chunk-{index:05d}.tsv")
            with open(path, "wb") as handle:
                handle.write("".join(buffer).encode("utf-8"))
            buffer = []
            while not stop.is_set():
                try:
                    out.put(path, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            for line, fields in iter_valid_rows(text, report):
                if stop.is_set():
                    return
                if report.error_count:
                    continue  # keep validating to report every bad row; write nothing more
                texts = fields[:n_text]
                joined = "\t".join(texts)
                if "\\" in joined:
                    joined = "\t".join(f.replace("\\", "\\\\") for f in texts)
                score1, score2 = fields[n_text:]
                buffer.append(
                    f"{line}\t{joined}\t{NULL if score1 is None else score1}"
                    f"\t{NULL if score2 is None else score2}\n"
                )
                if len(buffer) >= self.chunk_rows and not flush():
                    return
            if buffer and not report.error_count:
                flush()
        except BaseException as exc:  # handed to the consumer thread
            report.failure = exc
        finally:
            while True:
                try:
                    out.put(None, timeout=0.2)
                    break
                except queue.Full:
                    if stop.is_set():
                        break

    def _staging_ddl(self, table: str) -> str:
        qn = self.connection.ops.quote_name
        columns = ["`line_no` INT UNSIGNED NOT NULL"]
        for name in IMPORT_FIELDS:
            if name in SCORE_FIELDS:
                columns.append(f"{qn(name)} DECIMAL(4,1) NULL")
            else:
                length = Candidate._meta.get_field(name).max_length
                columns.append(f"{qn(name)} VARCHAR({length}) NOT NULL")
        engine = " ENGINE=Aria TRANSACTIONAL=0" if self.connection.mysql_is_mariadb else ""
        return (
            f"CREATE TEMPORARY TABLE {qn(table)} ({', '.join(columns)})"
            f"{engine} DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
        )

    def _upsert_sql(self, staging: str, *, skip_unchanged: bool) -> tuple[str, list]:
        """INSERT ... SELECT ... ON DUPLICATE KEY UPDATE from the staging table.

        With ``skip_unchanged`` the SELECT leaves out rows identical to the stored ones (a
        join on the unique phone index), so a re-import writes nothing; for an empty table
        the join is skipped.
        """
        qn = self.connection.ops.quote_name
        target = qn(Candidate._meta.db_table)
        extra_columns, extra_params = [], []
        for model_field in Candidate._meta.concrete_fields:
            name = model_field.attname
            if model_field.primary_key or name in IMPORT_FIELDS or model_field.null:
                continue
            if name in ("created", "modified"):
                continue
            extra_columns.append(model_field.column)
            extra_params.append(
                model_field.get_db_prep_save(model_field.get_default(), self.connection)
            )
        insert_columns = [*IMPORT_FIELDS, *extra_columns, "created", "modified"]
        select_values = (
            [f"s.{qn(name)}" for name in IMPORT_FIELDS]
            + ["%s"] * len(extra_columns)
            + ["UTC_TIMESTAMP(6)", "UTC_TIMESTAMP(6)"]
        )
        updatable = [name for name in IMPORT_FIELDS if name != "phone"]
        # BINARY: a case-only change (e.g. in an email) counts as a change despite the collation.
        unchanged = " AND ".join(
            f"BINARY {target}.{qn(n)} <=> BINARY VALUES({qn(n)})" for n in updatable
        )
        # `modified` is assigned first, while the other columns still hold their old values.
        assignments = [
            f"{target}.`modified` = IF({unchanged}, {target}.`modified`, UTC_TIMESTAMP(6))"
        ]
        assignments += [f"{target}.{qn(n)} = VALUES({qn(n)})" for n in updatable]
        source = f"{qn(staging)} s"
        if skip_unchanged:
            same = " AND ".join(f"BINARY t.{qn(n)} <=> BINARY s.{qn(n)}" for n in updatable)
            source += (
                f" LEFT JOIN {target} t ON t.`phone` = s.`phone`"
                f" WHERE t.`id` IS NULL OR NOT ({same})"
            )
        sql = (
            f"INSERT INTO {target} ({', '.join(qn(c) for c in insert_columns)}) "
            f"SELECT {', '.join(select_values)} FROM {source} "
            f"ON DUPLICATE KEY UPDATE {', '.join(assignments)}"
        )
        return sql, extra_params

    def _load_data_sql(self, staging: str) -> str:
        qn = self.connection.ops.quote_name
        columns = ", ".join(["`line_no`", *(qn(n) for n in IMPORT_FIELDS)])
        return (
            f"LOAD DATA LOCAL INFILE %s INTO TABLE {qn(staging)} CHARACTER SET utf8mb4 "
            "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
            f"LINES TERMINATED BY '\\n' ({columns})"
        )

    def load_into_staging(self, cursor, staging: str, tsv_path: str) -> int:
        """Run LOAD DATA LOCAL INFILE, translating a refusal into LocalInfileRefused."""
        from pymysql.constants import CLIENT

        try:
            return cursor.execute(self._load_data_sql(staging), [tsv_path])
        except DatabaseError as exc:
            code = exc.args[0] if exc.args else None
            if code == 2068:
                raise LocalInfileRefused(LOCAL_INFILE_CLIENT_HELP) from exc
            # 1148 (MySQL/MariaDB), 3948 (MySQL 8), 4166 (MariaDB 10.6+): refused; the client
            # flag tells whether this connection even offered local infile.
            if code in (1148, 3948, 4166):
                client_flag = getattr(self.connection.connection, "client_flag", 0)
                if not client_flag & CLIENT.LOCAL_FILES:
                    raise LocalInfileRefused(LOCAL_INFILE_CLIENT_HELP) from exc
                raise LocalInfileRefused(LOCAL_INFILE_SERVER_HELP) from exc
            raise

    def _import_mysql(self, text: str, report: FileReport) -> None:
        """Pipeline: a helper thread validates and writes chunk files while this thread (which
        owns the connection) loads each chunk into staging and upserts it. One transaction
        per file: if any row turns out invalid, everything done for the file is rolled back.
        """
        self.check_local_infile()
        directory = tempfile.mkdtemp(prefix="recruitment-import-")
        chunks: queue.Queue = queue.Queue(maxsize=2)
        stop = threading.Event()
        producer = threading.Thread(
            target=self._produce_chunks,
            args=(text, report, directory, chunks, stop),
            name="import-validate",
            daemon=True,
        )
        del text
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
            while True:  # unblock the producer if we stopped early
                try:
                    path = chunks.get_nowait()
                except queue.Empty:
                    if not producer.is_alive():
                        break
                    time.sleep(0.05)
                    continue
                if path is None:
                    continue
            producer.join()
            shutil.rmtree(directory, ignore_errors=True)
            report.timings["total"] = time.monotonic() - started

    def _consume_chunks(self, chunks, report: FileReport) -> None:
        qn = self.connection.ops.quote_name
        staging = "import_candidate_staging"
        target = qn(Candidate._meta.db_table)
        loaded = inserted = duplicates = affected = 0
        timings = report.timings
        timings["load_data"] = timings["upsert"] = timings["wait"] = 0.0
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {target} LIMIT 1")
            skip_unchanged = cursor.fetchone() is not None
            sql, params = self._upsert_sql(staging, skip_unchanged=skip_unchanged)
            cursor.execute(f"DROP TEMPORARY TABLE IF EXISTS {qn(staging)}")
            cursor.execute(self._staging_ddl(staging))
            try:
                while True:
                    started = time.monotonic()
                    path = chunks.get()
                    timings["wait"] += time.monotonic() - started
                    if path is None:
                        break
                    if report.error_count:
                        os.unlink(path)  # the file will be rolled back: skip the work
                        continue
                    started = time.monotonic()
                    loaded += self.load_into_staging(cursor, staging, path)
                    os.unlink(path)
                    timings["load_data"] += time.monotonic() - started
                    started = time.monotonic()
                    affected += cursor.execute(sql, params)
                    records, dups = _insert_info(cursor)
                    inserted += records
                    duplicates += dups
                    cursor.execute(f"DELETE FROM {qn(staging)}")
                    timings["upsert"] += time.monotonic() - started
            finally:
                cursor.execute(f"DROP TEMPORARY TABLE IF EXISTS {qn(staging)}")
        if report.error_count or report.failure is not None:
            return
        if loaded != report.rows:
            raise DatabaseError(f"LOAD DATA loaded {loaded} rows, expected {report.rows}")
        # "Records" counts the rows the SELECT produced, "Duplicates" those that hit an
        # existing phone; rows left out by skip_unchanged are unchanged.
        report.created = inserted - duplicates
        # With CLIENT_FOUND_ROWS (set by Django) an updated row counts 2, unchanged 1.
        report.updated = affected - inserted
        report.unchanged = report.rows - report.created - report.updated

    # -- everything else (SQLite): batched bulk_create ----------------------------------------
    def _import_generic(self, text: str, report: FileReport, *, dry_run: bool) -> None:
        rows = []
        for _line, fields in iter_valid_rows(text, report):
            if not report.error_count:
                row = dict(zip(IMPORT_FIELDS, fields, strict=True))
                for name in SCORE_FIELDS:
                    if row[name] is not None:
                        row[name] = Decimal(row[name])
                rows.append(row)
        if report.error_count or dry_run:
            return
        max_params = self.connection.features.max_query_params or 999
        batch = max(1, min(self.batch_size, max_params - 10))
        updatable = [name for name in IMPORT_FIELDS if name != "phone"]
        with transaction.atomic(using=self.using):
            for start in range(0, len(rows), batch):
                chunk = rows[start : start + batch]
                existing = {
                    values[0]: values[1:]
                    for values in Candidate.all_objects.using(self.using)
                    .filter(phone__in=[r["phone"] for r in chunk])
                    .values_list("phone", *updatable)
                }
                now = timezone.now()
                new, changed = [], []
                for row in chunk:
                    old = existing.get(row["phone"])
                    if old is None:
                        new.append(Candidate(**row))
                    elif tuple(old) != tuple(row[name] for name in updatable):
                        changed.append(Candidate(**row, modified=now))
                    else:
                        report.unchanged += 1
                if new:
                    Candidate.all_objects.using(self.using).bulk_create(new, batch_size=batch)
                    report.created += len(new)
                if changed:
                    Candidate.all_objects.using(self.using).bulk_create(
                        changed,
                        batch_size=batch,
                        update_conflicts=True,
                        unique_fields=["phone"],
                        update_fields=[*updatable, "modified"],
                    )
                    report.updated += len(changed)
        report.imported = True
