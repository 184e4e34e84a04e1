"""manage.py import_candidates PATH... : bulk import candidates from CSV files."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from recruitment.interview.importer import Importer, LocalInfileRefused, expand_paths


class Command(BaseCommand):
    help = (
        "Import candidates from CSV files, directories (every *.csv below) or glob patterns. "
        "UTF-8 or GBK. A file with any invalid row imports nothing; other files are unaffected. "
        "Re-importing the same data changes nothing (upsert on the phone number)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report, write nothing."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=getattr(settings, "RECRUITMENT_IMPORT_BATCH_SIZE", 5000),
            help="Rows per bulk_create batch (non-MySQL databases).",
        )

    def handle(self, *args, **options):
        paths = expand_paths(options["paths"])
        if not paths:
            raise CommandError("No CSV files found in: " + " ".join(options["paths"]))
        importer = Importer(using=options["database"], batch_size=options["batch_size"])
        dry_run = options["dry_run"]
        failed = []
        totals = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
        started = time.monotonic()
        for path in paths:
            file_started = time.monotonic()
            try:
                report = importer.import_file(path, dry_run=dry_run)
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
                        f"{path}: {report.error_count} invalid row(s); nothing imported "
                        "from this file."
                    )
                )
                continue
            totals["rows"] += report.rows
            if dry_run:
                self.stdout.write(
                    f"{path}: {report.rows} valid row(s) ({report.encoding}); dry run, "
                    "nothing written."
                )
                continue
            for key in ("created", "updated", "unchanged"):
                totals[key] += getattr(report, key)
            self.stdout.write(
                f"{path}: {report.rows} row(s) ({report.encoding}): {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged in {elapsed:.2f}s"
            )
            if options["verbosity"] >= 2 and report.timings:
                self.stdout.write(
                    "  "
                    + ", ".join(
                        f"{name} {seconds:.2f}s" for name, seconds in report.timings.items()
                    )
                )
        self.stdout.write(
            "Total: {rows} row(s), {created} created, {updated} updated, {unchanged} unchanged "
            "in {seconds:.2f}s.".format(seconds=time.monotonic() - started, **totals)
        )
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(paths)} file(s) had invalid rows and were not imported: "
                + ", ".join(report.path for report in failed)
            )
