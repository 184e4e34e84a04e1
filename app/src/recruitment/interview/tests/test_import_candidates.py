"""import_candidates against the real database: all-or-nothing per file, idempotent re-import,
only the file's columns written, insert-only and upsert modes, encodings, delimiters.

On SQLite this exercises the ORM (bulk_create) path; with --mariadb the same tests exercise
LOAD DATA LOCAL INFILE into a staging table, then UPDATE ... JOIN and INSERT ... SELECT.
"""

import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase

from recruitment.interview.importing import Importer, ImportOptions, LocalInfileRefused
from recruitment.interview.importing.load_data import check_local_infile, load_data
from recruitment.interview.importing.mariadb_sql import Statements
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
        self.assertIn("3 inserted, 0 updated, 0 unchanged, 0 skipped", out)
        first = snapshot()
        self.assertEqual(len(first), 3)
        obrien = Candidate.objects.get(phone="13800000003")
        self.assertEqual(obrien.name, 'O\'Brien \\ "Jr"')
        self.assertEqual(obrien.city, "Shen, zhen")
        self.assertEqual(str(Candidate.objects.get(phone="13800000001").paper_score), "85.5")
        self.assertIsNone(Candidate.objects.get(phone="13800000002").paper_score)

        for mode in ("insert-only", "upsert"):
            out, _ = self.run_import(path, mode=mode)
            self.assertIn("0 inserted, 0 updated, 3 unchanged, 0 skipped", out)
            self.assertEqual(first, snapshot())

    def test_update_changes_only_changed_rows(self):
        self.run_import(
            self.write("a.csv", "张三,13800000001,,北京,,,,,,\n李四,13800000002,,上海,,,,,,\n")
        )
        before = {row[1]: row for row in snapshot()}
        out, _ = self.run_import(
            self.write("b.csv", "张三,13800000001,,杭州,,,,,,\n李四,13800000002,,上海,,,,,,\n"),
            mode="upsert",
        )
        self.assertIn("0 inserted, 1 updated, 1 unchanged, 0 skipped", out)
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
        with self.assertRaisesMessage(CommandError, "1 of 3 file(s) had errors"):
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
        self.assertIn("(gbk; ", out)
        self.assertEqual(Candidate.objects.get().name, "张三")

    def test_glob_and_dry_run(self):
        self.write("a.csv", "张三,13800000001,,北京,,,,,,\n")
        self.write("b.csv", "李四,13800000002,,北京,,,,,,\n")
        out, _ = self.run_import(str(self.dir / "*.csv"), dry_run=True)
        self.assertIn("1 would be inserted, 0 would be updated", out)
        self.assertIn("dry run", out)
        self.assertFalse(Candidate.objects.exists())
        out, _ = self.run_import(str(self.dir / "*.csv"))
        self.assertEqual(Candidate.objects.count(), 2)

    def test_large_file_in_batches(self):
        lines = "".join(f"候选人{i},139{i:08d},,北京,,,,,,{i % 100}\n" for i in range(3000))
        path = self.write("big.csv", lines)
        out, _ = self.run_import(path, batch_size=500)
        self.assertIn("3000 inserted", out)
        out, _ = self.run_import(path, batch_size=500)
        self.assertIn("3000 unchanged", out)
        self.assertEqual(Candidate.objects.count(), 3000)

    def write_raw(self, name, text, encoding="utf-8"):
        path = self.dir / name
        path.write_bytes(text.encode(encoding))
        return path

    def full_candidate(self):
        self.run_import(
            self.write(
                "full.csv",
                "张三,13800000001,zhang@example.com,北京,后端,男,北京大学,本科,90,85.5\n",
            )
        )
        Candidate.all_objects.filter(phone="13800000001").update(first_remark="strong coder")
        return Candidate.all_objects.get(phone="13800000001")

    # -- only the file's columns are written; empty cells keep stored values -------------------
    def test_name_phone_file_leaves_every_other_field(self):
        """Issue: a name,phone file blanked every other basic field of stored candidates."""
        before = self.full_candidate()
        path = self.write_raw("np.csv", "name,phone\n张三丰,13800000001\n李四,13800000002\n")
        out, _ = self.run_import(path, mode="upsert")
        self.assertIn("1 inserted, 1 updated, 0 unchanged, 0 skipped", out)
        after = Candidate.all_objects.get(phone="13800000001")
        self.assertEqual(after.name, "张三丰")
        for name in (
            "email", "city", "apply_position", "gender", "bachelor_school", "degree",
            "test_score_of_general_ability", "paper_score", "first_remark", "created",
        ):  # fmt: skip
            self.assertEqual(getattr(after, name), getattr(before, name), name)
        self.assertGreater(after.modified, before.modified)
        new = Candidate.all_objects.get(phone="13800000002")
        self.assertEqual((new.gender, new.email, new.paper_score), ("unspecified", "", None))

    def test_empty_cells_keep_stored_values(self):
        before = self.full_candidate()
        out, _ = self.run_import(
            self.write("empty.csv", "张三,13800000001,,上海,,,,,,\n"), mode="upsert"
        )
        self.assertIn("1 updated", out)
        after = Candidate.all_objects.get(phone="13800000001")
        self.assertEqual(after.city, "上海")
        self.assertEqual(
            (after.email, after.gender, after.degree, after.paper_score),
            (before.email, before.gender, before.degree, before.paper_score),
        )
        out, _ = self.run_import(
            self.write("empty2.csv", "张三,13800000001,,,,,,,,\n"), mode="upsert"
        )
        self.assertIn("0 updated, 1 unchanged", out)  # empty cells change nothing

    def test_overwrite_empty(self):
        self.full_candidate()
        out, _ = self.run_import(
            self.write("empty.csv", "张三,13800000001,,上海,,,,,,\n"),
            mode="upsert",
            overwrite_empty=True,
        )
        self.assertIn("1 updated", out)
        after = Candidate.all_objects.get(phone="13800000001")
        self.assertEqual(
            (after.city, after.email, after.gender, after.degree, after.paper_score),
            ("上海", "", "unspecified", "", None),
        )
        self.assertEqual(after.first_remark, "strong coder")  # not an imported field

    # -- insert-only (default) and upsert -------------------------------------------------------
    def test_insert_only_default_keeps_admin_corrections(self):
        """Re-importing an older file must not revert a correction made in the admin."""
        old = self.write(
            "old.csv",
            "张三,13800000001,zhang@exmaple.com,北京,,,,,,\n李四,13800000002,,上海,,,,,,\n",
        )
        self.run_import(old)
        Candidate.objects.filter(phone="13800000001").update(email="zhang@example.com")
        corrected = snapshot()
        out, _ = self.run_import(old, self.write("new.csv", "王五,13800000003,,深圳,,,,,,\n"))
        self.assertIn("old.csv: 2 row(s) (utf-8;", out)
        self.assertIn("0 inserted, 0 updated, 1 unchanged, 1 skipped", out)
        self.assertIn("Total: 3 row(s), 1 inserted, 0 updated, 1 unchanged, 1 skipped", out)
        self.assertIn("--mode upsert updates them", out)
        self.assertEqual(snapshot()[:2], corrected)
        out, _ = self.run_import(old, mode="upsert")
        self.assertIn("0 inserted, 1 updated, 1 unchanged, 0 skipped", out)
        self.assertEqual(Candidate.objects.get(phone="13800000001").email, "zhang@exmaple.com")

    def test_case_only_change_counts(self):
        self.run_import(self.write("a.csv", "Li,13800000001,li@example.com,,,,,,,\n"))
        out, _ = self.run_import(
            self.write("b.csv", "Li,13800000001,LI@example.com,,,,,,,\n"), mode="upsert"
        )
        self.assertIn("1 updated", out)
        self.assertEqual(Candidate.objects.get().email, "LI@example.com")

    def test_help_states_the_default_mode(self):
        from recruitment.interview.management.commands.import_candidates import Command

        text = " ".join(
            Command().create_parser("manage.py", "import_candidates").format_help().split()
        )
        self.assertIn("insert-only (default)", text)
        self.assertIn("cannot revert corrections made in the admin", text)
        self.assertIn("--overwrite-empty", text)

    # -- encodings --------------------------------------------------------------------------------
    def test_latin1_and_utf16_files_are_errors_and_the_others_import(self):
        """Issue: an undecodable file raised UnicodeDecodeError; later files never ran."""
        self.write("1-good.csv", "张三,13800000001,,北京,,,,,,\n")
        latin1 = self.write_raw(
            "2-latin1.csv",
            "name,phone,city\nLi,13800000005,Paris\nJosé,13800000006,Orléans\n",
            encoding="latin-1",
        )
        utf16 = self.write_raw("3-utf16.csv", "name,phone\nLi,13800000007\n", "utf-16")
        self.write("4-good.csv", "李四,13800000002,,上海,,,,,,\n")
        out, err = StringIO(), StringIO()
        with self.assertRaisesMessage(CommandError, "2 of 4 file(s) had errors"):
            call_command("import_candidates", str(self.dir), stdout=out, stderr=err)
        self.assertIn(f"{latin1}:3: the file is neither UTF-8 nor GBK", err.getvalue())
        self.assertIn(f"{utf16}:1: the file is UTF-16 LE (byte order mark)", err.getvalue())
        self.assertIn("Total: 2 row(s), 2 inserted", out.getvalue())
        phones = set(Candidate.objects.values_list("phone", flat=True))
        self.assertEqual(phones, {"13800000001", "13800000002"})  # none of the bad files' rows

    def test_bad_byte_late_in_a_big_file_imports_nothing(self):
        """Past the first block (and past the first LOAD DATA chunks): all or nothing."""
        good = "".join(f"候选人{i},139{i:08d},,北京,,,,,,\n" for i in range(30_000))
        path = self.dir / "late.csv"
        path.write_bytes(
            (HEADER + good).encode() + "Jos\xe9,13800000009,,,,,,,,\n".encode("latin-1")
        )
        self.assertGreater(path.stat().st_size, 1 << 20)
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("import_candidates", str(path), stdout=StringIO(), stderr=err)
        self.assertIn(f"{path}:30002: byte 0xe9 is not UTF-8", err.getvalue())
        self.assertFalse(Candidate.all_objects.exists())

    # -- delimiters and headerless files ---------------------------------------------------------
    def test_semicolon_file_without_header(self):
        path = self.write_raw(
            "course.csv", "张三;13800000001;北京;男\n李四;13800000002;上海;女\n", encoding="gbk"
        )
        out, _ = self.run_import(path, delimiter=";", columns="name,phone,city,gender")
        self.assertIn("(gbk; name, phone, city, gender): 2 inserted", out)
        zhang = Candidate.objects.get(phone="13800000001")
        self.assertEqual((zhang.name, zhang.city, zhang.gender), ("张三", "北京", "male"))

    def test_bad_delimiter_and_columns_name_the_option(self):
        path = self.write("a.csv", "")
        with self.assertRaisesMessage(CommandError, "--delimiter ';;'"):
            self.run_import(path, delimiter=";;")
        with self.assertRaisesMessage(CommandError, "--columns entry 2 'fone'"):
            self.run_import(path, columns="name,fone")

    # -- duplicate phones found by the database across batches ----------------------------------
    def test_duplicate_phone_in_a_later_batch(self):
        lines = "".join(f"候选人{i},139{i:08d},,北京,,,,,,\n" for i in range(7))
        path = self.write("dup.csv", lines + "重复,13900000001,,北京,,,,,,\n")
        report = Importer(options=ImportOptions(batch_size=3, chunk_rows=3)).import_file(path)
        self.assertEqual(report.errors, [f"{path}:9: duplicate phone 13900000001 (also on line 3)"])
        self.assertFalse(report.imported)
        self.assertFalse(Candidate.all_objects.exists())

    def import_in_batches(self, path, size, **options):
        options = ImportOptions(batch_size=size, chunk_rows=size, **options)
        return Importer(options=options).import_file(path)

    def test_mixed_file_in_batches_counts_each_row_once(self):
        """New, changed and unchanged rows, with new-only batches before and after (on
        MariaDB: chunks straight into the table, then through the staging table)."""
        self.run_import(
            self.write("stored.csv", "甲,13800000001,,北京,,,,,,\n乙,13800000002,,上海,,,,,,\n")
        )
        path = self.write(
            "mixed.csv",
            "丙,13800000003,,,,,,,,\n丁,13800000004,,,,,,,,\n"
            "甲,13800000001,,杭州,,,,,,\n戊,13800000005,,,,,,,,\n"
            "乙,13800000002,,,,,,,,\n己,13800000006,,,,,,,,\n",
        )
        report = self.import_in_batches(path, 2, mode="upsert")
        self.assertEqual(report.errors, [])
        counts = (report.inserted, report.updated, report.unchanged, report.skipped)
        self.assertEqual(counts, (4, 1, 1, 0))
        self.assertEqual(Candidate.objects.get(phone="13800000001").city, "杭州")
        self.assertEqual(Candidate.objects.get(phone="13800000002").city, "上海")
        self.assertEqual(Candidate.objects.count(), 6)

    def test_duplicate_of_a_stored_phone_in_a_later_batch(self):
        self.run_import(self.write("stored.csv", "甲,13800000001,,北京,,,,,,\n"))
        path = self.write(
            "dup.csv",
            "乙,13800000002,,,,,,,,\n丙,13800000003,,,,,,,,\n"
            "甲,13800000001,,,,,,,,\n丁,13800000004,,,,,,,,\n"
            "戊,13800000005,,,,,,,,\n甲二,13800000001,,,,,,,,\n",
        )
        report = self.import_in_batches(path, 2, mode="upsert")
        self.assertEqual(report.errors, [f"{path}:7: duplicate phone 13800000001 (also on line 4)"])
        self.assertEqual(Candidate.all_objects.count(), 1)

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
        check_local_infile(connection)  # enabled on both sides in the test server
        out = StringIO()
        call_command("import_candidates", "-v2", str(self.path), stdout=out, stderr=StringIO())
        self.assertIn("1 inserted", out.getvalue())
        self.assertIn("load_new", out.getvalue())  # the phase timings of the LOAD DATA path

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
        self._client_local_infile(False)
        try:
            sql = Statements(connection, ("name", "phone"), overwrite_empty=False)
            with connection.cursor() as cursor:
                cursor.execute(sql.create_staging())
                with self.assertRaises(LocalInfileRefused) as ctx:
                    load_data(connection, cursor, sql.load_data(), str(self.path))
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
        sql = Statements(connection, ("name", "phone"), overwrite_empty=False)
        with connection.cursor() as cursor:
            cursor.execute("SET GLOBAL local_infile = 0")
            try:
                cursor.execute(sql.drop_staging())
                cursor.execute(sql.create_staging())
                with self.assertRaises(LocalInfileRefused) as ctx:
                    load_data(connection, cursor, sql.load_data(), str(self.path))
            finally:
                cursor.execute("SET GLOBAL local_infile = 1")
        self.assertIn("SERVER side", str(ctx.exception))
