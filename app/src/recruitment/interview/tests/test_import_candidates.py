"""import_candidates against the real database: all-or-nothing per file, idempotent re-import.

On SQLite this exercises the bulk_create path; with --mariadb it exercises
LOAD DATA LOCAL INFILE + INSERT ... SELECT ... ON DUPLICATE KEY UPDATE.
"""

import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase

from recruitment.interview.models import Candidate

HEADER = "姓名,手机号码,邮箱,城市,应聘职位,性别,本科学校,学历,综合能力测评成绩,笔试成绩\n"


def snapshot():
    return list(
        Candidate.all_objects.order_by("phone").values_list(
            "id", "phone", "name", "email", "city", "degree", "paper_score", "created", "modified"
        )
    )


class ImportCandidatesTests(TransactionTestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, body, encoding="utf-8"):
        path = self.dir / name
        path.write_bytes((HEADER + body).encode(encoding))
        return path

    def run_import(self, *paths, **options):
        out, err = StringIO(), StringIO()
        call_command("import_candidates", *map(str, paths), stdout=out, stderr=err, **options)
        return out.getvalue(), err.getvalue()

    def test_import_and_idempotent_reimport(self):
        path = self.write(
            "a.csv",
            "张三,13800000001,zhang@example.com,北京,后端,男,北京大学,本科,90,85.5\n"
            "李四,13800000002,,上海,前端,女,复旦大学,硕士,,\n"
            'O\'Brien \\ "Jr",13800000003,ob@example.com,"Shen, zhen",SRE,,,,,\n',
        )
        out, _ = self.run_import(path)
        self.assertIn("3 created, 0 updated, 0 unchanged", out)
        first = snapshot()
        self.assertEqual(len(first), 3)
        obrien = Candidate.objects.get(phone="13800000003")
        self.assertEqual(obrien.name, 'O\'Brien \\ "Jr"')
        self.assertEqual(obrien.city, "Shen, zhen")
        self.assertEqual(str(Candidate.objects.get(phone="13800000001").paper_score), "85.5")
        self.assertIsNone(Candidate.objects.get(phone="13800000002").paper_score)

        out, _ = self.run_import(path)
        self.assertIn("0 created, 0 updated, 3 unchanged", out)
        self.assertEqual(first, snapshot())

    def test_update_changes_only_changed_rows(self):
        self.run_import(
            self.write("a.csv", "张三,13800000001,,北京,,,,,,\n李四,13800000002,,上海,,,,,,\n")
        )
        before = {row[1]: row for row in snapshot()}
        out, _ = self.run_import(
            self.write("b.csv", "张三,13800000001,,杭州,,,,,,\n李四,13800000002,,上海,,,,,,\n")
        )
        self.assertIn("0 created, 1 updated, 1 unchanged", out)
        after = {row[1]: row for row in snapshot()}
        self.assertEqual(after["13800000002"], before["13800000002"])
        self.assertEqual(after["13800000001"][4], "杭州")
        self.assertEqual(after["13800000001"][0], before["13800000001"][0])
        self.assertGreater(after["13800000001"][8], before["13800000001"][8])

    def test_bad_file_imports_nothing_other_files_unaffected(self):
        good = self.write("1-good.csv", "张三,13800000001,,北京,,,,,,\n")
        bad = self.write(
            "2-bad.csv",
            "王五,13800000005,,北京,,,,,,\n"  # valid row, but the file has a bad one
            "赵六,12345,,北京,,,,,,\n",
        )
        also_good = self.write("3-good.csv", "李四,13800000002,,上海,,,,,,\n")
        with self.assertRaisesMessage(CommandError, "1 of 3 file(s) had invalid rows"):
            self.run_import(self.dir)
        phones = set(Candidate.objects.values_list("phone", flat=True))
        self.assertEqual(phones, {"13800000001", "13800000002"})
        self.assertTrue(good.exists() and bad.exists() and also_good.exists())

    def test_error_report_names_file_and_line(self):
        bad = self.write("bad.csv", "张三,13800000001,,北京,,,,,,\n,13800000002,,,,,,,,\n")
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("import_candidates", str(bad), stdout=StringIO(), stderr=err)
        self.assertIn(f"{bad}:3: name is required", err.getvalue())
        self.assertFalse(Candidate.objects.exists())

    def test_gbk_file(self):
        path = self.write("gbk.csv", "张三,13800000001,,北京,,男,,本科,,\n", encoding="gbk")
        out, _ = self.run_import(path)
        self.assertIn("(gbk)", out)
        self.assertEqual(Candidate.objects.get().name, "张三")

    def test_glob_and_dry_run(self):
        self.write("a.csv", "张三,13800000001,,北京,,,,,,\n")
        self.write("b.csv", "李四,13800000002,,北京,,,,,,\n")
        out, _ = self.run_import(str(self.dir / "*.csv"), dry_run=True)
        self.assertIn("dry run", out)
        self.assertFalse(Candidate.objects.exists())
        out, _ = self.run_import(str(self.dir / "*.csv"))
        self.assertEqual(Candidate.objects.count(), 2)

    def test_large_file_in_batches(self):
        lines = "".join(f"候选人{i},139{i:08d},,北京,,,,,,{i % 100}\n" for i in range(3000))
        path = self.write("big.csv", lines)
        out, _ = self.run_import(path, batch_size=500)
        self.assertIn("3000 created", out)
        out, _ = self.run_import(path, batch_size=500)
        self.assertIn("3000 unchanged", out)
        self.assertEqual(Candidate.objects.count(), 3000)

    def test_no_files(self):
        with self.assertRaisesMessage(CommandError, "No CSV files found"):
            self.run_import(str(self.dir / "*.csv"))


@pytest.mark.mariadb
class LocalInfileRefusalTests(TransactionTestCase):
    """LOAD DATA LOCAL INFILE refused on either side gives a message naming the setting."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.path = Path(self._tmp.name) / "a.csv"
        self.path.write_text(HEADER + "张三,13800000001,,北京,,,,,,\n", encoding="utf-8")

    def tearDown(self):
        self._tmp.cleanup()

    def test_load_data_path_is_used(self):
        self.assertEqual(connection.vendor, "mysql")
        from recruitment.interview.importer import Importer

        importer = Importer()
        importer.check_local_infile()  # enabled on both sides in the test server
        out = StringIO()
        call_command("import_candidates", str(self.path), stdout=out, stderr=StringIO())
        self.assertIn("1 created", out.getvalue())

    def _client_local_infile(self, enabled):
        connection.close()
        connection.settings_dict["OPTIONS"]["local_infile"] = enabled

    def test_client_side_refusal(self):
        self._client_local_infile(False)
        try:
            with self.assertRaises(CommandError) as ctx:
                call_command("import_candidates", str(self.path), stdout=StringIO())
        finally:
            self._client_local_infile(True)
        message = str(ctx.exception)
        self.assertIn("CLIENT side", message)
        self.assertIn("DJANGO_DB_LOCAL_INFILE", message)
        self.assertIn("local_infile", message)
        self.assertFalse(Candidate.objects.exists())

    def test_client_refusal_from_the_server_error(self):
        """Bypass the pre-check: the driver/server error itself is translated."""
        from recruitment.interview.importer import Importer, LocalInfileRefused

        self._client_local_infile(False)
        try:
            importer = Importer()
            with connection.cursor() as cursor:
                cursor.execute("CREATE TEMPORARY TABLE t_refuse (line_no INT)")
                with self.assertRaises(LocalInfileRefused) as ctx:
                    importer.load_into_staging(cursor, "t_refuse", str(self.path))
        finally:
            self._client_local_infile(True)
        self.assertIn("CLIENT side", str(ctx.exception))

    def test_server_side_refusal(self):
        with connection.cursor() as cursor:
            cursor.execute("SET GLOBAL local_infile = 0")
        try:
            with self.assertRaises(CommandError) as ctx:
                call_command("import_candidates", str(self.path), stdout=StringIO())
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET GLOBAL local_infile = 1")
        message = str(ctx.exception)
        self.assertIn("SERVER side", message)
        self.assertIn("local_infile=1", message)
        self.assertFalse(Candidate.objects.exists())

    def test_server_refusal_from_the_server_error(self):
        from recruitment.interview.importer import Importer, LocalInfileRefused

        importer = Importer()
        with connection.cursor() as cursor:
            cursor.execute("SET GLOBAL local_infile = 0")
            try:
                cursor.execute("CREATE TEMPORARY TABLE t_refuse2 (line_no INT)")
                with self.assertRaises(LocalInfileRefused) as ctx:
                    importer.load_into_staging(cursor, "t_refuse2", str(self.path))
            finally:
                cursor.execute("SET GLOBAL local_infile = 1")
        self.assertIn("SERVER side", str(ctx.exception))
