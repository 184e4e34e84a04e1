"""manage.py import_candidates PATH... : bulk import candidates from CSV files."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from recruitment.interview.importing import (
    COUNTS,
    INSERT_ONLY,
    MODES,
    UPSERT,
    ColumnsError,
    Importer,
    ImportOptions,
    LocalInfileRefused,
    expand_paths,
    parse_columns_option,
)

DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}


def _delimiter(value: str) -> str:
    delimiter = DELIMITER_NAMES.get(value.lower(), value)
    if len(delimiter) != 1:
        raise CommandError(
            f"--delimiter {value!r}: give one character (e.g. ';') or one of "
            + ", ".join(DELIMITER_NAMES)
        )
    return delimiter


class Command(BaseCommand):
    help = (
        "Import candidates from CSV files, directories (every *.csv below) or glob patterns. "
        "UTF-8 or GBK. A file with any invalid row (or in another encoding) imports nothing; "
        "other files are unaffected. The natural key is the phone number. Only the columns a "
        "file holds are written, and an empty cell keeps the stored value. Default mode "
        f"{INSERT_ONLY}: stored candidates are never changed, so re-importing an older file "
        "cannot revert corrections made in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--mode",
            choices=MODES,
            default=INSERT_ONLY,
            help=(
                f"{INSERT_ONLY} (default): add new phones only; a stored candidate is left "
                "alone (counted unchanged, or skipped if the file holds other values), so "
                "re-importing an older file cannot revert corrections made in the admin. "
                f"{UPSERT}: also update stored candidates with the file's values."
            ),
        )
        parser.add_argument(
            "--overwrite-empty",
            action="store_true",
            help=(
                "An empty cell stores the field's empty value (in upsert mode). By default "
                "an empty cell never overwrites a stored value."
            ),
        )
        parser.add_argument(
            "--delimiter",
            default=",",
            help="Field separator: one character, or tab, semicolon, comma, pipe (default ,).",
        )
        parser.add_argument(
            "--columns",
            metavar="FIELD,FIELD,...",
            help=(
                "The files have no header row; their columns are these fields in this order "
                "(field names or the Chinese headers; '-' skips a column). Must include name "
                "and phone. Example: --columns name,phone,email,city"
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and count what would change; write nothing.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=getattr(settings, "RECRUITMENT_IMPORT_BATCH_SIZE", 5000),
            help="Rows per bulk_create batch (non-MySQL databases and dry runs).",
        )

    def handle(self, *args, **options):
        try:
            layout = parse_columns_option(options["columns"]) if options["columns"] else None
        except ColumnsError as exc:
            raise CommandError(str(exc)) from exc
        import_options = ImportOptions(
            mode=options["mode"],
            overwrite_empty=options["overwrite_empty"],
            delimiter=_delimiter(options["delimiter"]),
            layout=layout,
            dry_run=options["dry_run"],
            batch_size=options["batch_size"],
        )
        paths = expand_paths(options["paths"])
        if not paths:
            raise CommandError("No CSV files found in: " + " ".join(options["paths"]))
        importer = Importer(using=options["database"], options=import_options)
        failed = []
        totals = dict.fromkeys(("rows", *COUNTS), 0)
        started = time.monotonic()
        would = "would be " if import_options.dry_run else ""
        for path in paths:
            file_started = time.monotonic()
            try:
                report = importer.import_file(path)
            except LocalInfileRefused as exc:
                raise CommandError(str(exc)) from exc
            elapsed = time.monotonic() - file_started
            if report.error_count:
                failed.append(report)
                for message in report.errors:
                    self.stderr.write(message)
                hidden = report.error_count - len(report.errors)
                if hidden > 0:
                    self.stderr.write(f"{path}: ... and {hidden} more error(s)")
                self.stderr.write(
                    self.style.ERROR(
                        f"{path}: {report.error_count} error(s); nothing imported from this file."
                    )
                )
                continue
            totals["rows"] += report.rows
            for key in COUNTS:
                totals[key] += getattr(report, key)
            counts = ", ".join(f"{getattr(report, key)} {would}{key}" for key in COUNTS)
            self.stdout.write(
                f"{path}: {report.rows} row(s) ({report.encoding}; "
                f"{', '.join(report.fields)}): {counts} in {elapsed:.2f}s"
                + ("; dry run, nothing written." if import_options.dry_run else "")
            )
            if options["verbosity"] >= 2 and report.timings:
                self.stdout.write(
                    "  "
                    + ", ".join(
                        f"{name} {seconds:.2f}s" for name, seconds in report.timings.items()
                    )
                )
        counts = ", ".join(f"{totals[key]} {would}{key}" for key in COUNTS)
        self.stdout.write(
            f"Total: {totals['rows']} row(s), {counts} in {time.monotonic() - started:.2f}s."
        )
        if totals["skipped"]:
            self.stdout.write(
                f"{totals['skipped']} row(s) skipped: their phone is stored with other values "
                f"and --mode is {INSERT_ONLY}; --mode {UPSERT} updates them."
            )
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(paths)} file(s) had errors and were not imported: "
                + ", ".join(report.path for report in failed)
            )
