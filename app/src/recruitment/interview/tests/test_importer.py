import os
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from recruitment.interview.importer import FileReport, decode, expand_paths, iter_valid_rows

HEADER = "姓名,手机号码,邮箱,城市,应聘职位,性别,学历,综合能力测评成绩,笔试成绩\n"


def rows(text):
    report = FileReport(path="x.csv")
    return list(iter_valid_rows(text, report)), report


class DecodeTests(SimpleTestCase):
    def test_utf8_with_bom(self):
        text, encoding = decode("\ufeff姓名".encode())
        self.assertEqual((text, encoding), ("姓名", "utf-8"))

    def test_gbk(self):
        text, encoding = decode("姓名,手机".encode("gbk"))
        self.assertEqual((text, encoding), ("姓名,手机", "gbk"))


class ValidationTests(SimpleTestCase):
    def test_valid_rows(self):
        valid, report = rows(HEADER + "张三,13800000001,a@b.cn,北京,后端,男,本科,88.5,\n")
        self.assertEqual(report.error_count, 0)
        line, fields = valid[0]
        self.assertEqual(line, 2)
        self.assertEqual(fields[:4], ["张三", "13800000001", "a@b.cn", "北京"])
        self.assertEqual(fields[6], "male")
        self.assertEqual(fields[11], "bachelor")
        self.assertEqual(fields[12:], ["88.5", None])

    def test_fast_and_detailed_paths_agree(self):
        """Rows the one-regex fast path rejects are re-checked field by field."""
        text = (
            HEADER
            + " 张三 ,13800000001,A@B.CN,北京,后端, 男 ,本科,099,\n"  # spaces, odd score
            + "李四,138 0000 0002,,上海,,female,Master,100.0,0\n"
        )
        valid, report = rows(text)
        self.assertEqual(report.error_count, 0, report.errors)
        self.assertEqual(valid[0][1][0], "张三")
        self.assertEqual(valid[0][1][6], "male")
        self.assertEqual(valid[0][1][12], "099")
        self.assertEqual(valid[1][1][1], "13800000002")
        self.assertEqual(valid[1][1][11], "master")

    def test_english_headers_and_missing_optional_columns(self):
        valid, report = rows("name,phone\nLi,13800000001\n")
        self.assertEqual(report.error_count, 0)
        self.assertEqual(len(valid), 1)

    def test_missing_required_column(self):
        _, report = rows("name,email\nLi,a@b.cn\n")
        self.assertIn("missing required column(s): phone", report.errors[0])

    def test_errors_carry_file_and_line(self):
        text = (
            HEADER
            + "张三,13800000001,a@b.cn,北京,后端,男,本科,,\n"
            + ",not-a-phone,bad-email,北京,后端,X,小学,101,\n"
            + "李四,13800000001,,,,,,,\n"
            + "王五,13800000009\n"
        )
        _, report = rows(text)
        self.assertEqual(report.error_count, 3)
        self.assertTrue(report.errors[0].startswith("x.csv:3: "))
        for fragment in (
            "name is required",
            "invalid phone",
            "invalid email",
            "invalid gender",
            "invalid degree",
            "invalid test_score_of_general_ability",
        ):
            self.assertIn(fragment, report.errors[0])
        self.assertIn("x.csv:4: duplicate phone 13800000001 (also on line 2)", report.errors[1])
        self.assertIn("x.csv:5: expected 9 columns, found 2", report.errors[2])

    def test_too_long_and_control_characters(self):
        text = "name,phone,city\n" + "A" * 200 + ",13800000001,x\nB,13800000002,a\tb\n"
        _, report = rows(text)
        self.assertIn("name is longer than 135 characters", report.errors[0])
        self.assertIn("control characters", report.errors[1])

    def test_quoted_fields_with_commas_and_backslashes(self):
        valid, report = rows('name,phone,city\n"Li, Lei",13800000001,"C:\\\\path"\n')
        self.assertEqual(report.error_count, 0)
        self.assertEqual(valid[0][1][0], "Li, Lei")
        self.assertEqual(valid[0][1][3], "C:\\\\path")

    def test_empty_file(self):
        _, report = rows("")
        self.assertIn("empty", report.errors[0])


class ExpandPathsTests(SimpleTestCase):
    def test_files_directories_and_globs(self):
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            (base / "sub").mkdir()
            for name in ("a.csv", "b.csv", "sub/c.csv", "notes.txt"):
                (base / name).write_text("name,phone\n")
            by_dir = expand_paths([tmp])
            self.assertEqual([p.name for p in by_dir], ["a.csv", "b.csv", "c.csv"])
            by_glob = expand_paths([os.path.join(tmp, "*.csv")])
            self.assertEqual([p.name for p in by_glob], ["a.csv", "b.csv"])
            mixed = expand_paths([str(base / "a.csv"), tmp])
            self.assertEqual(len(mixed), 3)
