#!/usr/bin/env python
"""Peak memory of ``import_candidates`` against the size of the file it imports.

    python bench/import_memory.py [--sizes-mb 100,1000] [--database mariadb,sqlite] [--json out]

Generates one CSV file per size (the rows of bench/import_vs_load_data.py: 10 columns, every
phone distinct, about 110 bytes a row), then for each database imports it into an empty
candidate table with ``manage.py import_candidates`` in a child process and reports the
child's peak resident set size (``ru_maxrss`` from ``os.wait4``, the kernel's VmHWM), its
wall time and the summary line. MariaDB is a throwaway server (recruitment.testing.mariadb,
as the app suite's) unless DATABASE_URL is set (LOAD DATA path); SQLite is a new database
file per size (ORM path). ``--app DIR`` runs another checkout's app/ (e.g. an older commit's,
from ``git archive``) for a before/after comparison. Goal: under 200 MB whatever the size.
Needs a quiet machine for the timings (not for the memory).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
APP_DIR = BENCH.parent / "app"
sys.path.insert(0, str(APP_DIR / "src"))

HEADER = "姓名,手机号码,邮箱,城市,应聘职位,性别,本科学校,学历,综合能力测评成绩,笔试成绩\n"
CITIES = ["北京", "上海", "深圳", "杭州", "成都"]
SCHOOLS = ["清华大学", "北京大学", "浙江大学", "复旦大学", "中山大学"]
DEGREES = ["本科", "硕士", "博士"]


def generate(path: Path, size_bytes: int) -> int:
    """Write rows until the file reaches ``size_bytes``; returns the row count."""
    rows = 0
    written = len(HEADER.encode())
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        while written < size_bytes:
            lines = []
            for i in range(rows, rows + 10_000):
                lines.append(
                    f"候选人{i},1{i:010d},user{i}@example.com,{CITIES[i % 5]},后端工程师,"
                    f"{'男' if i % 2 else '女'},{SCHOOLS[i % 5]},{DEGREES[i % 3]},"
                    f"{i % 100}.5,{i % 101}\n"
                )
            block = "".join(lines)
            handle.write(block)
            written += len(block.encode())
            rows += len(lines)
    return rows


def child_env(url: str, app: Path) -> dict:
    return dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="recruitment.settings.test",
        DJANGO_DB_LOCAL_INFILE="true",
        PYTHONPATH=str(app / "src"),
    )


def import_once(url: str, app: Path, csv_path: Path) -> dict:
    """Run ``manage.py import_candidates`` on one file; its peak RSS, wall time, summary."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "django", "import_candidates", str(csv_path)],
            env=child_env(url, app),
            stdout=out,
            stderr=err,
        )
        _pid, status, usage = os.wait4(child.pid, 0)  # reaped here, with its rusage
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
    if child.returncode:
        raise SystemExit(f"import_candidates failed on {csv_path}:\n{output}{errors}")
    summary = next(line for line in reversed(output.splitlines()) if line.startswith("Total:"))
    return {
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        "seconds": round(seconds, 1),
        "summary": summary,
    }


def migrate(url: str, app: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"], env=child_env(url, app), check=True
    )


def empty_table(url: str, app: Path) -> None:
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "connection.cursor().execute('TRUNCATE interview_candidate')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=child_env(url, app), check=True)


def run(args, files: list[tuple[int, Path, int]], tmp: Path) -> dict:
    results = []
    databases = args.database.split(",")
    if "sqlite" in databases:
        for size_mb, path, rows in files:
            url = f"sqlite:///{tmp}/sqlite-{size_mb}.sqlite3"
            migrate(url, args.app)
            result = import_once(url, args.app, path)
            result.update(database="sqlite", size_mb=size_mb, rows=rows)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
            os.unlink(f"{tmp}/sqlite-{size_mb}.sqlite3")

    def on_mariadb(url: str) -> None:
        migrate(url, args.app)
        for size_mb, path, rows in files:
            empty_table(url, args.app)
            result = import_once(url, args.app, path)
            result.update(database="mariadb", size_mb=size_mb, rows=rows)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)

    if "mariadb" in databases:
        if os.environ.get("DATABASE_URL", "").startswith("mysql"):
            on_mariadb(os.environ["DATABASE_URL"])
        else:
            from recruitment.testing.mariadb import temporary_mariadb

            with temporary_mariadb() as server:
                on_mariadb(server.url)
    return {"app": str(args.app), "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-mb", default="100,1000")
    parser.add_argument("--database", default="mariadb,sqlite", help="mariadb, sqlite or both")
    parser.add_argument("--app", type=Path, default=APP_DIR, help="the app/ directory to run")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    args.app = args.app.resolve()
    with tempfile.TemporaryDirectory(prefix="recruitment-bench-memory-") as tmp:
        files = []
        for size_mb in (int(s) for s in args.sizes_mb.split(",")):
            path = Path(tmp) / f"candidates-{size_mb}mb.csv"
            rows = generate(path, size_mb * 1_000_000)
            print(f"generated {path.name}: {path.stat().st_size / 1e6:.0f} MB, {rows} rows")
            files.append((size_mb, path, rows))
        out = run(args, files, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
