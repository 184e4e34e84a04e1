#!/usr/bin/env python
"""Compare ``import_candidates`` with a raw ``LOAD DATA`` by the mariadb client.

    python benchmarks/import_vs_load_data.py --rows 1000000

Starts a throwaway MariaDB (see recruitment.testing.mariadb) unless DATABASE_URL is set,
migrates it, generates a CSV, then for each round: empties the candidate table, times the
mariadb client loading the CSV straight into it, empties it again, times
``import_candidates`` (validation, staging table, upsert), and times a re-import.
Throughput ratio = raw time / import time (the goal is >= 0.8). Needs a quiet machine:
the import uses two cores (Python validation overlaps the database work).
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

APP_DIR = Path(__file__).resolve().parents[1]
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


def generate(path: Path, rows: int) -> None:
    cities = ["北京", "上海", "深圳", "杭州", "成都"]
    schools = ["清华大学", "北京大学", "浙江大学", "复旦大学", "中山大学"]
    degrees = ["本科", "硕士", "博士"]
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for i in range(rows):
            handle.write(
                f"候选人{i},1{i:010d},user{i}@example.com,{cities[i % 5]},后端工程师,"
                f"{'男' if i % 2 else '女'},{schools[i % 5]},{degrees[i % 3]},"
                f"{rng.randint(0, 99)}.5,{rng.randint(0, 100)}\n"
            )


def run(url: str, csv_path: Path, rounds: int) -> None:
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

    for number in range(1, rounds + 1):
        sql("TRUNCATE interview_candidate")
        started = time.monotonic()
        sql(RAW_LOAD.format(path=csv_path))
        raw = time.monotonic() - started
        count = sql("SELECT COUNT(*) FROM interview_candidate")
        sql("TRUNCATE interview_candidate")
        started = time.monotonic()
        out = subprocess.run(
            [*manage, "import_candidates", "-v2", str(csv_path)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        imported = time.monotonic() - started
        started = time.monotonic()
        subprocess.run(
            [*manage, "import_candidates", str(csv_path)],
            env=env,
            check=True,
            capture_output=True,
        )
        again = time.monotonic() - started
        print(f"round {number}: raw LOAD DATA {raw:.2f}s ({count} rows)")
        print(f"  import_candidates {imported:.2f}s, ratio {raw / imported:.2f}")
        print("  " + out.strip().splitlines()[1].strip())
        print(f"  re-import (nothing changes) {again:.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recruitment-bench-") as tmp:
        csv_path = Path(tmp) / "candidates.csv"
        generate(csv_path, args.rows)
        if os.environ.get("DATABASE_URL", "").startswith("mysql"):
            run(os.environ["DATABASE_URL"], csv_path, args.rounds)
            return
        from recruitment.testing.mariadb import temporary_mariadb

        with temporary_mariadb() as server:
            run(server.url, csv_path, args.rounds)


if __name__ == "__main__":
    main()
