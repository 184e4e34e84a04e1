"""Which candidate fields a CSV file holds, and in which of its columns.

The importable fields are the model's ``BASIC_FIELDS``, in that order. A file names its
columns in a header row (the field name or the Chinese header of the course's
spreadsheets) or, headerless, through ``--columns``. Only the fields a file holds are
written; every other field of a stored candidate is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..models import BASIC_FIELDS, Candidate

IMPORT_FIELDS = BASIC_FIELDS
SCORE_FIELDS = ["test_score_of_general_ability", "paper_score"]
REQUIRED_FIELDS = ["name", "phone"]
KEY_FIELD = "phone"
SKIP_COLUMN = "-"  # in --columns: a column of the file that is not imported

# Accepted names: the field name or the Chinese header of the course's spreadsheets.
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
_FIELD_BY_ALIAS = {
    alias.lower(): name for name in IMPORT_FIELDS for alias in HEADER_ALIASES.get(name, [name])
}


class ColumnsError(ValueError):
    """``--columns`` names something that is not an importable field."""


def field_for(name: str) -> str | None:
    """The field a column name (field name or alias, any case) stands for, or None."""
    return _FIELD_BY_ALIAS.get(name.strip().lstrip("\ufeff").lower())


@cache
def max_length(name: str) -> int:
    return Candidate._meta.get_field(name).max_length


@cache
def empty_value(name: str):
    """What an empty cell means for a field: the model field's default ('' , NULL...)."""
    return Candidate._meta.get_field(name).get_default()


@dataclass(frozen=True)
class Layout:
    """The fields a file holds (in IMPORT_FIELDS order) and the column of each."""

    fields: tuple[str, ...]
    positions: tuple[int, ...]
    ncols: int

    def index(self, name: str) -> int:
        return self.fields.index(name)


def _layout(found: dict[str, int], ncols: int) -> Layout:
    fields = tuple(name for name in IMPORT_FIELDS if name in found)
    return Layout(fields, tuple(found[name] for name in fields), ncols)


def layout_from_header(header: list[str]) -> tuple[Layout | None, str | None]:
    """The layout a header row gives, or an error message. Unknown columns are ignored;
    a field named twice is an error (which column would win?)."""
    found: dict[str, int] = {}
    for position, column in enumerate(header):
        name = field_for(column)
        if name is None:
            continue
        if name in found:
            return None, (
                f"columns {found[name] + 1} and {position + 1} are both {name} "
                f"({header[found[name]].strip()!r}, {column.strip()!r})"
            )
        found[name] = position
    missing = [name for name in REQUIRED_FIELDS if name not in found]
    if missing:
        return None, f"missing required column(s): {', '.join(missing)}"
    return _layout(found, len(header)), None


def parse_columns_option(value: str) -> Layout:
    """``--columns name,phone,-,city``: the columns of a headerless file, in order
    (``-`` skips a column). Raises ColumnsError naming the bad entry."""
    found: dict[str, int] = {}
    entries = [entry.strip() for entry in value.split(",")]
    for position, entry in enumerate(entries):
        if entry == SKIP_COLUMN:
            continue
        name = field_for(entry)
        if name is None:
            raise ColumnsError(
                f"--columns entry {position + 1} {entry!r} is not an importable field; "
                f"use one of {', '.join(IMPORT_FIELDS)}, or '{SKIP_COLUMN}' to skip a column"
            )
        if name in found:
            raise ColumnsError(
                f"--columns names {name} twice (entries {found[name] + 1} and {position + 1})"
            )
        found[name] = position
    missing = [name for name in REQUIRED_FIELDS if name not in found]
    if missing:
        raise ColumnsError(f"--columns must include {', '.join(missing)}")
    return _layout(found, len(entries))
