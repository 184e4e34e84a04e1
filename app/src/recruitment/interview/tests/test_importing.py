"""The importer's parts without a database: decoding, columns, validation, paths."""

import io
import os
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from recruitment.interview.importing import ColumnsError, expand_paths, parse_columns_option
from recruitment.interview.importing.columns import layout_from_header
from recruitment.interview.importing.decoding import TextLines, UndecodableFile
from recruitment.interview.importing.report import FileReport
from recruitment.interview.importing.validation import FileRows

HEADER = "姓名,手机号码,邮箱,城市,应聘职位,性别,学历,综合能力测评成绩,笔试成绩\n"


def rows(text, encoding="utf-8", block_size=1 << 20, **options):
    """The valid rows of ``text`` (encoded, then read back as a file would be)."""
    report = FileReport(path="x.csv")
    data = text if isinstance(text, bytes) else text.encode(encoding)
    lines = TextLines(io.BytesIO(data), block_size=block_size)
    file_rows = FileRows(lines, report, **options)
    valid = [
        (line, dict(zip(file_rows.layout.fields, values, strict=True)))
        for line, values in file_rows
    ]
    report.encoding = lines.encoding
    return valid, report


class CountingReader(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


class DecodingTests(SimpleTestCase):
    def test_utf8_with_bom(self):
        _, report = rows("\ufeffname,phone\nLi,13800000001\n")
        self.assertEqual(report.encoding, "utf-8")
        self.assertEqual(report.fields, ("name", "phone"))

    def test_gbk(self):
        valid, report = rows("姓名,手机\n张三,13800000001\n", encoding="gbk")
        self.assertEqual(report.encoding, "gbk")
        self.assertEqual(valid[0][1]["name"], "张三")

    def test_lines_come_before_the_file_is_read_whole(self):
        """Streaming: the first line is decoded after one block, not after the whole file."""
        data = b"name,phone\n" + b"Li,13800000001\n" * 10_000
        handle = CountingReader(data)
        first = next(iter(TextLines(handle, block_size=4096)))
        self.assertEqual(first, "name,phone\n")
        self.assertLess(handle.read_bytes, 2 * 4096)
        self.assertEqual(len(data), 11 + 15 * 10_000)

    def test_blocks_are_cut_after_a_newline_only(self):
        """A multi-byte character across a block boundary decodes (UTF-8 and GBK)."""
        text = "name,phone,city\n" + "".join(f"张{i},1380000{i:04d},北京市\n" for i in range(300))
        for encoding in ("utf-8", "gbk"):
            valid, report = rows(text, encoding=encoding, block_size=7)
            self.assertEqual(report.error_count, 0, report.errors)
            self.assertEqual(len(valid), 300)
            self.assertEqual(valid[-1][1]["city"], "北京市")

    def test_latin1_is_an_error_with_its_line(self):
        text = "name,phone,city\nLi,13800000001,Paris\nJosé,13800000002,Lyon\n"
        valid, report = rows(text, encoding="latin-1")
        self.assertEqual(report.error_count, 1)
        self.assertIn("x.csv:3: the file is neither UTF-8 nor GBK", report.errors[0])
        self.assertIn("byte 0xe9", report.errors[0])
        self.assertEqual(valid, [])

    def test_utf16_is_an_error(self):
        for encoding, name in (("utf-16", "UTF-16"), ("utf-16-le", "")):
            _, report = rows("name,phone\nLi,13800000001\n", encoding=encoding)
            self.assertEqual(report.error_count, 1, encoding)
            self.assertTrue(report.errors[0].startswith("x.csv:1: "), report.errors[0])
            self.assertIn(name or "looks like UTF-16", report.errors[0])

    def test_bad_byte_in_a_later_block_names_its_line(self):
        good = "".join(f"李{i},1380000{i:04d}\n" for i in range(200))
        data = ("name,phone\n" + good).encode() + b"Jos\xe9,13900000000\nLi,13900000001\n"
        valid, report = rows(data, block_size=256)
        self.assertEqual(report.error_count, 1)
        self.assertIn("x.csv:202: byte 0xe9 is not UTF-8", report.errors[0])
        self.assertGreater(len(valid), 0)  # the writer discards them: error_count is set

    def test_undecodable_counts_whole_lines_before_the_bad_byte(self):
        with self.assertRaises(UndecodableFile) as ctx:
            list(TextLines(io.BytesIO(b"a\nb\r\nc\rd\xff\n")))
        self.assertEqual(ctx.exception.lines_before, 3)


class ColumnsTests(SimpleTestCase):
    def test_header_gives_only_the_fields_present(self):
        layout, message = layout_from_header(["phone", "备注", "姓名"])
        self.assertIsNone(message)
        self.assertEqual(layout.fields, ("name", "phone"))
        self.assertEqual(layout.positions, (2, 0))
        self.assertEqual(layout.ncols, 3)

    def test_header_naming_a_field_twice(self):
        _, message = layout_from_header(["name", "phone", "手机"])
        self.assertIn("columns 2 and 3 are both phone", message)

    def test_columns_option(self):
        layout = parse_columns_option("姓名, phone,-,city")
        self.assertEqual(layout.fields, ("name", "phone", "city"))
        self.assertEqual(layout.positions, (0, 1, 3))
        self.assertEqual(layout.ncols, 4)

    def test_columns_option_errors_name_the_entry(self):
        with self.assertRaisesMessage(ColumnsError, "entry 3 'citty' is not an importable"):
            parse_columns_option("name,phone,citty")
        with self.assertRaisesMessage(ColumnsError, "must include phone"):
            parse_columns_option("name,city")
        with self.assertRaisesMessage(ColumnsError, "names city twice (entries 3 and 4)"):
            parse_columns_option("name,phone,city,城市")


class ValidationTests(SimpleTestCase):
    def test_valid_rows(self):
        valid, report = rows(HEADER + "张三,13800000001,a@b.cn,北京,后端,男,本科,88.5,\n")
        self.assertEqual(report.error_count, 0)
        line, fields = valid[0]
        self.assertEqual(line, 2)
        self.assertEqual(
            fields,
            {
                "name": "张三",
                "phone": "13800000001",
                "email": "a@b.cn",
                "city": "北京",
                "apply_position": "后端",
                "gender": "male",
                "degree": "bachelor",
                "test_score_of_general_ability": "88.5",
                "paper_score": "",
            },
        )

    def test_empty_cells_stay_empty(self):
        """An empty gender or degree is not turned into a value: the writer decides."""
        valid, _ = rows("name,phone,gender,degree\nLi,13800000001,,\n")
        self.assertEqual(valid[0][1]["gender"], "")
        self.assertEqual(valid[0][1]["degree"], "")

    def test_fast_and_detailed_paths_agree(self):
        """Rows the one-regex fast path rejects are re-checked field by field."""
        text = (
            HEADER
            + " 张三 ,13800000001,A@B.CN,北京,后端, 男 ,本科,099,\n"  # spaces, odd score
            + "李四,138 0000 0002,,上海,,female,Master,100.0,0\n"
        )
        valid, report = rows(text)
        self.assertEqual(report.error_count, 0, report.errors)
        self.assertEqual(valid[0][1]["name"], "张三")
        self.assertEqual(valid[0][1]["gender"], "male")
        self.assertEqual(valid[0][1]["test_score_of_general_ability"], "099")
        self.assertEqual(valid[1][1]["phone"], "13800000002")
        self.assertEqual(valid[1][1]["degree"], "master")

    def test_english_headers_and_missing_optional_columns(self):
        valid, report = rows("name,phone\nLi,13800000001\n")
        self.assertEqual(report.error_count, 0)
        self.assertEqual(valid, [(2, {"name": "Li", "phone": "13800000001"})])

    def test_missing_required_column(self):
        _, report = rows("name,email\nLi,a@b.cn\n")
        self.assertIn("x.csv:1: missing required column(s): phone", report.errors[0])

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
        self.assertEqual(valid[0][1]["name"], "Li, Lei")
        self.assertEqual(valid[0][1]["city"], "C:\\\\path")

    def test_semicolons_without_header(self):
        valid, report = rows(
            "张三;13800000001;北京\n李四;13800000002;上海\n",
            delimiter=";",
            layout=parse_columns_option("name,phone,city"),
        )
        self.assertEqual(report.error_count, 0, report.errors)
        self.assertEqual(valid[0], (1, {"name": "张三", "phone": "13800000001", "city": "北京"}))
        self.assertEqual(valid[1][0], 2)

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
