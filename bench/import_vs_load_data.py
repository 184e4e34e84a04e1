#!/usr/bin/env python
"""Compare ``import_candidates`` with a raw ``LOAD DATA`` by the mariadb client, and with a per-row
ORM ``create()`` loop (bench P4).

    python bench/import_vs_load_data.py --rows 1000000 --files 20 [--json out.json]

Starts a throwaway MariaDB (recruitment.testing.mariadb, the app suite's) unless DATABASE_URL is
set, migrates it, and generates the rows as ``--files`` CSV files in one folder. Then for each
round: empties the candidate table, times the mariadb client loading every file straight into it
(one connection, one ``LOAD DATA LOCAL INFILE`` per file: the limit), empties it again, times
``import_candidates`` on the folder (validation, staging table, upsert), and times a re-import
(nothing changes). Last, times a per-row ``Candidate.objects.create()`` loop, the way the course's
import command does it, on the first ``--orm-sample`` rows, and extrapolates linearly to all rows.
Throughput ratios: raw time / import time (goal >= 0.8), ORM time / import time (goal >= 20).
Needs a quiet machine: the import uses two cores (Python validation overlaps the database work).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

APP_DIR = Path(__file__).resolve().parents[1] / "app"
sys.path.insert(0, str(APP_DIR / "src"))

HEADER = "姓名,手机号码,邮箱,城市,应聘职位,性别,本科学校,学历,综合能力测评成绩,笔试成绩\n"
RAW_LOAD = (
    "LOAD DATA LOCAL INFILE '{path}' INTO TABLE interview_candidate CHARACTER SET utf8mb4 "
    "FIELDS TERMINATED BY ',' IGNORE 1 LINES "
    "(name, phone, email, city, apply_position, @g, bachelor_school, @d, "
    "test_score_of_general_ability, paper_score) "
    "SET gender = IF(@g = '男', 'male', 'female'), "
    "degree = CASE @d WHEN '本科' THEN 'bachelor' WHEN '硕士' THEN 'master' ELSE 'doctor' END, "
    "created = UTC_TIMESTAMP(6), modified = UTC_TIMESTAMP(6), born_address = '', "
    "master_school = '', doctor_school = '', major = '', first_advantage = '', "
    "first_disadvantage = '', first_result = '', first_remark = '', second_advantage = '', "
    "second_disadvantage = '', second_result = '', second_remark = '', hr_advantage = '', "
    "hr_disadvantage = '', hr_result = '', hr_remark = ''"
)
# The per-row loop of the course's import command: read the CSV, create() each row.
ORM_LOOP = """
import csv, sys, time
from recruitment.interview.importing.validation import DEGREES, GENDERS
from recruitment.interview.models import Candidate
limit = int(sys.argv[2])
started = time.monotonic()
n = 0
with open(sys.argv[1], encoding="utf-8", newline="") as handle:
    reader = csv.reader(handle)
    next(reader)
    for row in reader:
        if n >= limit:
            break
        name, phone, email, city, position, gender, school, degree, score1, score2 = row
        Candidate.objects.create(
            name=name, phone=phone, email=email, city=city, apply_position=position,
            gender=GENDERS[gender], bachelor_school=school, degree=DEGREES[degree],
            test_score_of_general_ability=score1, paper_score=score2,
        )
        n += 1
print(n, time.monotonic() - started)
"""


def generate(folder: Path, rows: int, files: int) -> list[Path]:
    cities = ["北京", "上海", "深圳", "杭州", "成都"]
    schools = ["清华大学", "北京大学", "浙江大学", "复旦大学", "中山大学"]
    degrees = ["本科", "硕士", "博士"]
    rng = random.Random(1)
    per_file = -(-rows // files)
    paths = []
    for number in range(files):
        first, last = number * per_file, min(rows, (number + 1) * per_file)
        if first >= last:
            break
        path = folder / f"candidates-{number:03d}.csv"
        with path.open("w", encoding="utf-8") as handle:
            handle.write(HEADER)
            for i in range(first, last):
                handle.write(
                    f"候选人{i},1{i:010d},user{i}@example.com,{cities[i % 5]},后端工程师,"
                    f"{'男' if i % 2 else '女'},{schools[i % 5]},{degrees[i % 3]},"
                    f"{rng.randint(0, 99)}.5,{rng.randint(0, 100)}\n"
                )
        paths.append(path)
    return paths


def run(url: str, paths: list[Path], rounds: int, orm_sample: int) -> dict:
    parts = urlsplit(url)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="recruitment.settings.test",
        DJANGO_DB_LOCAL_INFILE="true",
        PYTHONPATH=str(APP_DIR / "src"),
    )
    manage = [sys.executable, "-m", "django"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    client_env = dict(os.environ, MYSQL_PWD=parts.password or "")  # this process only
    client = [
        "mariadb",
        "--no-defaults",
        "--local-infile=1",
        f"--host={parts.hostname}",
        f"--port={parts.port or 3306}",
        f"--user={parts.username}",
        parts.path.lstrip("/"),
    ]

    def sql(statement: str) -> str:
        result = subprocess.run(
            [*client, "-N", "-e", statement],
            env=client_env,
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()

    rows = sum(1 for p in paths for _ in p.open(encoding="utf-8")) - len(paths)
    out = {"rows": rows, "files": len(paths), "rounds": []}
    for number in range(1, rounds + 1):
        sql("TRUNCATE interview_candidate")
        started = time.monotonic()
        sql("; ".join(RAW_LOAD.format(path=p) for p in paths))
        raw = time.monotonic() - started
        count = int(sql("SELECT COUNT(*) FROM interview_candidate"))
        sql("TRUNCATE interview_candidate")
        started = time.monotonic()
        result = subprocess.run(
            [*manage, "import_candidates", "-v2", str(paths[0].parent)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        imported = time.monotonic() - started
        imported_count = int(sql("SELECT COUNT(*) FROM interview_candidate"))
        started = time.monotonic()
        subprocess.run(
            [*manage, "import_candidates", str(paths[0].parent)],
            env=env,
            check=True,
            capture_output=True,
        )
        again = time.monotonic() - started
        print(f"round {number}: raw LOAD DATA {raw:.2f}s ({count} rows)")
        ratio = raw / imported
        print(f"  import_candidates {imported:.2f}s ({imported_count} rows), ratio {ratio:.2f}")
        print("  " + result.stdout.strip().splitlines()[-1].strip())
        print(f"  re-import (nothing changes) {again:.2f}s")
        out["rounds"].append(
            {
                "raw_s": raw,
                "raw_rows": count,
                "import_s": imported,
                "import_rows": imported_count,
                "reimport_s": again,
            }
        )
    if orm_sample:
        sql("TRUNCATE interview_candidate")
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup()\n" + ORM_LOOP,
                str(paths[0]),
                str(orm_sample),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        done, seconds = result.stdout.split()
        out["orm"] = {"sample_rows": int(done), "sample_s": float(seconds)}
        print(f"ORM create() loop: {done} rows in {float(seconds):.2f}s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--orm-sample", type=int, default=5000, help="0 skips the ORM loop")
    parser.add_argument("--json", type=Path, help="also write the timings here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recruitment-bench-") as tmp:
        folder = Path(tmp) / "csv"
        folder.mkdir()
        paths = generate(folder, args.rows, args.files)
        if os.environ.get("DATABASE_URL", "").startswith("mysql"):
            out = run(os.environ["DATABASE_URL"], paths, args.rounds, args.orm_sample)
        else:
            from recruitment.testing.mariadb import temporary_mariadb

            with temporary_mariadb() as server:
                out = run(server.url, paths, args.rounds, args.orm_sample)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
