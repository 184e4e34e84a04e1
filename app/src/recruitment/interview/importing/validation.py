"""Parse and check a file's rows in plain Python, before anything reaches the database.

Each valid row becomes a list of strings aligned with the file's ``Layout.fields``: stripped,
phone without spaces, gender and degree normalized to the model's choices, and ``""`` for an
empty cell (what an empty cell does to a stored candidate is the writer's business). Every
row is checked, so that all errors are reported, each as ``path:line: reason``.

Duplicate phones are found here within a batch only (``FileRows.seen_phones``, which the
writer clears when it hands a batch to the database); across batches the database's unique
index on the file's phones finds them, so memory does not grow with the file.
"""

from __future__ import annotations

import csv
import operator
import re
from collections.abc import Iterable, Iterator

from .columns import REQUIRED_FIELDS, SCORE_FIELDS, Layout, layout_from_header, max_length
from .decoding import UndecodableFile
from .report import FileReport

GENDERS = {
    "": "",
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
CHOICES = {"gender": GENDERS, "degree": DEGREES}
PHONE_RE = re.compile(r"\+?[0-9][0-9-]{5,30}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SCORE_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9])?")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _fast_row_pattern(fields: tuple[str, ...]) -> re.Pattern:
    """One regex for a whole common-case row (the fields joined by tabs).

    A match implies the row passes every check of ``_problems`` (which stays the authority:
    rows that do not match are checked field by field, for a precise message).
    """

    def text(name: str) -> str:
        n = max_length(name)
        edge = r"[^\s\x00-\x1f\x7f]"
        inner = rf"{edge}(?:[^\x00-\x1f\x7f]{{0,{n - 2}}}{edge})?"
        return f"{inner}" if name in REQUIRED_FIELDS else f"(?:{inner})?"

    email_char = r"[^@\s\x00-\x1f\x7f]"
    score = r"(?:100(?:\.0)?|[0-9]{1,2}(?:\.[0-9])?)?"
    special = {
        "phone": r"\+?[0-9][0-9-]{5,30}",
        "email": rf"(?=[^\t]{{0,{max_length('email')}}}(?:\t|$))"
        rf"(?:{email_char}+@{email_char}+\.{email_char}+)?",
        "gender": r"[^\t]{0,16}",
        "degree": r"[^\t]{0,16}",
        **dict.fromkeys(SCORE_FIELDS, score),
    }
    return re.compile("\t".join(special.get(name) or text(name) for name in fields), re.DOTALL)


def _problems(fields: tuple[str, ...], values: list[str], seen: dict[str, int], line: int):
    """Check one row field by field; normalizes ``values`` in place. Returns the problems."""
    problems = []
    if CONTROL_RE.search("".join(values)):
        problems.append("control characters (tab, newline...) are not allowed")
    for i, name in enumerate(fields):
        value = values[i]
        if name in SCORE_FIELDS:
            if value and not (SCORE_RE.fullmatch(value) and float(value) <= 100):
                problems.append(f"invalid {name} {value!r} (0 to 100, one decimal)")
            continue
        if len(value) > max_length(name):
            problems.append(f"{name} is longer than {max_length(name)} characters")
        if name in REQUIRED_FIELDS and not value:
            problems.append(f"{name} is required")
        elif name == "phone":
            phone = values[i] = value.replace(" ", "")
            if not PHONE_RE.fullmatch(phone):
                problems.append(f"invalid phone {phone!r}")
            elif phone in seen:
                problems.append(f"duplicate phone {phone} (also on line {seen[phone]})")
            else:
                seen[phone] = line
        elif name == "email":
            if value and not EMAIL_RE.fullmatch(value):
                problems.append(f"invalid email {value!r}")
        elif name in CHOICES:
            normalized = CHOICES[name].get(value.lower())
            if normalized is None:
                problems.append(f"invalid {name} {value!r}")
            else:
                values[i] = normalized
    return problems


class FileRows:
    """Iterate over ``(line, values)`` for each valid row of a file's text lines.

    ``layout`` is given for a headerless file (``--columns``); otherwise the header row
    gives it. Errors go to ``report``; a caller must discard what it received if
    ``report.error_count`` is non-zero at the end.
    """

    def __init__(
        self,
        lines: Iterable[str],
        report: FileReport,
        *,
        delimiter: str = ",",
        layout: Layout | None = None,
    ):
        self.report = report
        self.layout = layout
        self.seen_phones: dict[str, int] = {}
        self._reader = csv.reader(lines, delimiter=delimiter)
        if layout is not None:
            report.fields = layout.fields

    def _next(self):
        """The next CSV record, or None at the end or on an unreadable file (reported)."""
        reader = self._reader
        try:
            return next(reader)
        except StopIteration:
            return None
        except UndecodableFile as exc:
            self.report.error(reader.line_num + exc.lines_before + 1, exc.message)
        except csv.Error as exc:
            self.report.error(reader.line_num, f"malformed CSV: {exc}")
        except OSError as exc:
            self.report.error(None, f"cannot read: {exc.strerror or exc}")
        return None

    def _read_header(self) -> bool:
        header = self._next()
        if header is None:
            if not self.report.error_count:
                self.report.error(None, "the file is empty (no header row)")
            return False
        self.layout, message = layout_from_header(header)
        if message:
            self.report.error(1, message)
            return False
        self.report.fields = self.layout.fields
        return True

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        if self.layout is None and not self._read_header():
            return
        report, reader, layout = self.report, self._reader, self.layout
        fields, ncols = layout.fields, layout.ncols
        pick = operator.itemgetter(*layout.positions)
        fast_match = _fast_row_pattern(fields).fullmatch
        i_phone = fields.index("phone")
        choices = [(fields.index(name), table) for name, table in CHOICES.items() if name in fields]
        error = report.error
        rows = 0
        while (row := self._next()) is not None:
            line = reader.line_num
            if len(row) != ncols:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                rows += 1
                error(line, f"expected {ncols} columns, found {len(row)}")
                continue
            rows += 1
            picked = pick(row)
            seen = self.seen_phones
            # Fast path: the whole row in one regex match, then dictionary look-ups.
            if fast_match("\t".join(picked)):
                values = list(picked)
                phone = values[i_phone]
                if phone not in seen:
                    for i, table in choices:
                        normalized = table.get(values[i])
                        if normalized is None:
                            break
                        values[i] = normalized
                    else:
                        seen[phone] = line
                        yield line, values
                        continue
            # Detailed path: field by field, with a message for each problem.
            values = [v.strip() for v in picked]
            problems = _problems(fields, values, seen, line)
            if problems:
                error(line, "; ".join(problems))
                continue
            yield line, values
        report.rows = rows
