from io import StringIO

from django.core.management import call_command
from django.test import TestCase


class MigrationTests(TestCase):
    def test_no_missing_migrations(self):
        """makemigrations --check --dry-run exits non-zero when a model change lacks one."""
        out = StringIO()
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        except SystemExit as exc:  # pragma: no cover - only on failure
            self.fail(f"missing migrations:\n{out.getvalue()} (exit {exc.code})")
