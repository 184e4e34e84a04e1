"""playbooks/import_data.yml: CSV files from the controller into the candidates table with LOAD DATA
LOCAL INFILE, local_infile on the database server only while it runs, nothing from a bad file."""

import importlib.util
import re

from cluster import host, playbook
from conftest import REPO

# The rows the bench imports, from the same generator.
_spec = importlib.util.spec_from_file_location(
    "bench_import", REPO / "bench/import_vs_load_data.py"
)
bench_import = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_import)

ROWS = 100_000


def db(sql):
    result = host("cl-db1").run(f'mariadb -N -e "{sql}"')
    assert result.rc == 0, result.stderr
    return result.stdout.strip()


def candidates():
    return int(db("SELECT COUNT(*) FROM recruitment.interview_candidate"))


def test_import_loads_generated_files_and_switches_local_infile_off(tmp_path):
    folder = tmp_path / "good"
    folder.mkdir()
    bench_import.generate(folder, ROWS, 4)
    before = candidates()
    result = playbook("import_data.yml", "-e", f"import_src={folder}")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    print(f"\n[import] {ROWS} rows: " + " ".join(
        line.strip() for line in result.stdout.splitlines() if "Total:" in line
    ))  # fmt: skip
    assert candidates() == before + ROWS
    assert db("SELECT @@GLOBAL.local_infile") == "0"
    # The shipped files are gone from the app host.
    assert host("cl-web1").run("ls -d /srv/recruitment/shared/import-*").rc != 0
    # The import held the deploy lock, start to end, and released it.
    db1 = host("cl-db1")
    with db1.sudo():
        audit = db1.file("/var/log/djstack-deploys.log").content_string
        assert not db1.file("/var/lib/djstack-deploy.lock").exists
    runs = re.findall(r" start playbooks/import_data\.yml run=(\S+) ", audit)
    assert runs and f" end playbooks/import_data.yml run={runs[-1]} " in audit, audit[-1000:]


def test_import_refuses_a_bad_file_without_a_partial_import(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-good.csv").write_text(
        bench_import.HEADER
        + "新人甲,13900000001,a1@example.com,北京,后端工程师,男,清华大学,本科,80.5,90\n",
        encoding="utf-8",
    )
    (folder / "b-bad.csv").write_text(
        bench_import.HEADER
        + "新人乙,13900000002,a2@example.com,北京,后端工程师,男,清华大学,本科,80.5,90\n"
        + "新人丙,not-a-phone,a3@example.com,北京,后端工程师,男,清华大学,本科,80.5,90\n",
        encoding="utf-8",
    )
    before = candidates()
    result = playbook("import_data.yml", "-e", f"import_src={folder}/*.csv")
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Nothing was imported" in out and "b-bad.csv" in out, out[-4000:]
    assert candidates() == before, "a file was partly or wholly imported"
    assert db("SELECT @@GLOBAL.local_infile") == "0"
