"""Backups and restore, by the real playbooks run from the controller, and the backup timer.

The backup location is a temporary folder on the controller (mysql_backup_destination_dir), so
each test starts from an empty one. The scenario keeps 3 dumps per database on the host, 4 at the
backup location, and lets the timer's backup wait 10 s for the deploy lock (molecule.yml).
"""

import json
import os
import re
import shlex
import subprocess
import time

import pytest
from conftest import APP, REPO, service_diagnostics

LOCK = "/var/lib/djstack-deploy.lock"
AUDIT = "/var/log/djstack-deploys.molecule.log"  # molecule.yml overrides stack_deploy_log
HOST_DIR = "/var/backups/mysql"
SCRIPT = "/usr/local/sbin/djstack-mysql-backup"
UNIT = "djstack-mysql-backup"
SCRATCH = f"{APP}_restore"


@pytest.fixture(autouse=True)
def only_dbservers(host):
    if "dbservers" not in host.ansible.get_variables()["group_names"]:
        pytest.skip("not in group dbservers")


def name_of(host) -> str:
    return host.ansible.get_variables()["inventory_hostname"]


def playbook(host, name: str, *extra: str) -> tuple[int, str]:
    # Both scenario hosts are database hosts: restore.yml runs on the first unless told.
    extra = (*extra, "-e", f"restore_host={name_of(host)}") if name == "restore.yml" else extra
    result = subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"],
         str(REPO / "playbooks" / name), "--limit", name_of(host), *extra],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    # The callback wraps long messages: one space between words, so phrases can be searched.
    return result.returncode, re.sub(r"\s+", " ", result.stdout + result.stderr)


def changed(out: str) -> int:
    recap = re.search(r"changed=(\d+)", out.split("PLAY RECAP")[-1])
    assert recap, out[-3000:]
    return int(recap[1])


def sql(host, query: str) -> list[list[str]]:
    with host.sudo():
        result = host.run(f"mariadb -N -B -e {shlex.quote(query)}")
    assert result.rc == 0, f"{query}\n{result.stderr}"
    return [line.split("\t") for line in result.stdout.splitlines()]


def table_stats(host, db: str) -> dict[str, tuple[str, str]]:
    """Row count and CHECKSUM TABLE of every base table of db, in one client call."""
    tables = [
        row[0]
        for row in sql(
            host,
            "SELECT TABLE_NAME FROM information_schema.TABLES"
            f" WHERE TABLE_SCHEMA = '{db}' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        )
    ]
    if not tables:
        return {}
    queries = [
        f"SELECT COUNT(*) FROM `{db}`.`{t}`; CHECKSUM TABLE `{db}`.`{t}` EXTENDED" for t in tables
    ]
    rows = sql(host, "; ".join(queries))
    assert len(rows) == 2 * len(tables), rows
    return {t: (rows[2 * i][0], rows[2 * i + 1][1]) for i, t in enumerate(tables)}


def host_dumps(host) -> list[str]:
    with host.sudo():
        out = host.run(f"find {HOST_DIR} -maxdepth 1 -name '{APP}-*.sql.gz' -printf '%f\\n'")
    return sorted(out.stdout.split())


def test_timer_is_scheduled_and_runs_the_script(host):
    timer = host.service(f"{UNIT}.timer")
    assert timer.is_enabled and timer.is_running, service_diagnostics(host, f"{UNIT}.timer")
    next_run = host.check_output(f"systemctl show {UNIT}.timer -p NextElapseUSecRealtime --value")
    assert next_run.strip() not in ("", "n/a", "0"), next_run
    exec_start = host.check_output(f"systemctl show {UNIT}.service -p ExecStart --value")
    assert SCRIPT in exec_start and "--wait 10" in exec_start, exec_start
    with host.sudo():
        folder = host.file(HOST_DIR)
        assert (folder.user, folder.group, folder.mode) == ("root", "root", 0o700)
        script = host.file(SCRIPT).content_string
    # The script connects as root through the socket: no password anywhere.
    assert "--password" not in script and "MYSQL_PWD" not in script and "-p" not in script.split()


def test_backup_then_restore_into_scratch_is_identical(seeded, tmp_path):
    host = seeded
    rc, out = playbook(host, "backup.yml", "-e", f"mysql_backup_destination_dir={tmp_path}")
    assert rc == 0, out[-3000:]
    copies = tmp_path / name_of(host)
    assert oct(copies.stat().st_mode & 0o777) == "0o700"
    dumps = sorted(copies.glob(f"{APP}-*.sql.gz"))
    assert dumps, list(copies.iterdir())
    assert all(oct(d.stat().st_mode & 0o777) == "0o600" for d in dumps)
    assert not host.file(LOCK).exists, "the backup left the deploy lock behind"

    rc, out = playbook(host, "restore.yml", "-e", f"mysql_backup_destination_dir={tmp_path}")
    assert rc == 0, out[-3000:]
    assert f"into {SCRATCH} on" in out and dumps[-1].name in out, out[-3000:]
    try:
        source, restored = table_stats(host, APP), table_stats(host, SCRATCH)
        assert len(source) > 10 and sum(int(count) for count, _ in source.values()) > 0, source
        assert restored == source
        # The comparison can fail: one row less in the copy changes its count and checksum.
        sql(host, f"DELETE FROM `{SCRATCH}`.django_migrations ORDER BY id DESC LIMIT 1")
        changed_copy = table_stats(host, SCRATCH)["django_migrations"]
        assert changed_copy[0] != source["django_migrations"][0]
        assert changed_copy[1] != source["django_migrations"][1]
    finally:
        sql(host, f"DROP DATABASE IF EXISTS `{SCRATCH}`")


def test_backups_wait_for_the_deploy_lock(host, tmp_path):
    before = host_dumps(host)
    with host.sudo():
        assert host.run(f"mkdir {LOCK}").rc == 0, f"{LOCK} already held"
        try:
            rc, out = playbook(host, "backup.yml", "-e", f"mysql_backup_destination_dir={tmp_path}")
            assert rc != 0
            assert f"the deploy lock {LOCK} is held" in out, out[-3000:]
            # The timer's service waits 10 s for the lock, then fails with no dump.
            timed = host.run(f"systemctl start {UNIT}.service")
            assert timed.rc != 0
            journal = host.run(f"journalctl --no-pager -n 20 -u {UNIT}.service").stdout
            assert "is held" in journal, journal
            assert host_dumps(host) == before
            # Neither removed the lock it did not take.
            assert host.file(LOCK).is_directory
            # Released while the service waits, the backup goes ahead.
            host.run(f"systemctl reset-failed {UNIT}.service")
            refused = host.check_output(f"systemctl show {UNIT}.service -p InvocationID --value")
            assert host.run(f"systemctl start --no-block {UNIT}.service").rc == 0
            # The script says when it starts waiting for the lock: poll this start's own journal
            # (a new invocation id; the refused start above said the same) for that line.
            said = host.run(
                "for i in $(seq 100); do"
                f" inv=$(systemctl show {UNIT}.service -p InvocationID --value);"
                f' [ -n "$inv" ] && [ "$inv" != "{refused.strip()}" ]'
                ' && journalctl --no-pager _SYSTEMD_INVOCATION_ID="$inv"'
                " | grep -q 'waiting up to .* for the deploy lock' && exit 0;"
                " sleep 0.1; done; exit 1"
            )
            assert said.rc == 0, service_diagnostics(host, f"{UNIT}.service")
            waiting = host.run(f"systemctl show {UNIT}.service -p ActiveState --value").stdout
            assert waiting.strip() == "activating", waiting
            assert host_dumps(host) == before
        finally:
            host.run(f"rmdir {LOCK}")
        for _ in range(30):
            state = host.run(f"systemctl show {UNIT}.service -p ActiveState --value").stdout
            if state.strip() in ("inactive", "failed"):
                break
            time.sleep(1)
        assert state.strip() == "inactive", service_diagnostics(host, f"{UNIT}.service")
        audit = host.file(AUDIT).content_string
    assert host_dumps(host) != before
    assert not host.file(LOCK).exists
    assert re.search(r" end backup by .* status=0\n$", audit), audit[-500:]


def test_retention_on_the_host_and_at_the_backup_location(host, tmp_path):
    with host.sudo():
        # Back to back: the names are to the millisecond, so no dump replaces another.
        for _ in range(4):
            assert host.run(SCRIPT).rc == 0
    dumps = host_dumps(host)
    assert len(dumps) == 3, dumps
    for _ in range(3):
        rc, out = playbook(host, "backup.yml", "-e", f"mysql_backup_destination_dir={tmp_path}")
        assert rc == 0, out[-3000:]
    copies = sorted(p.name for p in (tmp_path / name_of(host)).glob(f"{APP}-*.sql.gz"))
    # The 4 newest copies; the host's 3 are among them, so the next run copies nothing again.
    assert len(copies) == 4, copies
    assert set(host_dumps(host)) <= set(copies)


def test_live_restore_needs_confirmation(host, tmp_path):
    rc, out = playbook(
        host,
        "restore.yml",
        "-e",
        json.dumps({"mysql_restore_into": "live", "mysql_backup_destination_dir": str(tmp_path)}),
    )
    assert rc != 0
    assert f"Confirm with -e mysql_restore_confirm={APP}" in out, out[-3000:]
    assert changed(out) == 0
    assert not host.file(LOCK).exists


def test_live_restore_replaces_the_data_after_dumping_it(seeded, tmp_path):
    host = seeded
    rc, out = playbook(host, "backup.yml", "-e", f"mysql_backup_destination_dir={tmp_path}")
    assert rc == 0, out[-3000:]
    at_backup = table_stats(host, APP)
    probe = f"restore-probe-{time.time_ns()}"
    sql(host, f"INSERT INTO `{APP}`.auth_group (name) VALUES ('{probe}')")
    assert table_stats(host, APP) != at_backup
    rc, out = playbook(
        host,
        "restore.yml",
        "-e",
        json.dumps(
            {
                "mysql_restore_into": "live",
                "mysql_restore_confirm": APP,
                "mysql_backup_destination_dir": str(tmp_path),
            }
        ),
    )
    assert rc == 0, out[-3000:]
    assert table_stats(host, APP) == at_backup
    assert sql(host, f"SELECT id FROM `{APP}`.auth_group WHERE name = '{probe}'") == []
    # The live data as it was before the restore, probe included, was dumped first.
    pre = [d for d in host_dumps(host) if d.endswith("-pre-restore.sql.gz")]
    assert pre, host_dumps(host)
    with host.sudo():
        assert host.run(f"zgrep -q {probe} {HOST_DIR}/{pre[-1]}").rc == 0
        audit = host.file(AUDIT).content_string
    assert not host.file(LOCK).exists
    # One run id on the start's line and on the end's: the lock's record carried it.
    started = re.findall(r" start playbooks/restore\.yml run=(\S+) by ", audit)
    assert started and f" end playbooks/restore.yml run={started[-1]} " in audit, audit[-800:]
    # The app serves from the restored database.
    ready = host.run(
        "curl -s -o /dev/null -w '%{http_code}' -H 'Host: localhost' http://127.0.0.1/readyz"
    )
    assert ready.stdout == "200", ready.stdout


@pytest.mark.parametrize(
    ("playbook_name", "extra", "named"),
    [
        ("restore.yml", {"mysql_restore_into": "sideways"}, "mysql_restore_into"),
        ("restore.yml", {"mysql_restore_scratch_database": APP}, "mysql_restore_scratch_database"),
        ("backup.yml", {"mysql_backup_destination_keep": 1}, "mysql_backup_destination_keep"),
        ("backup.yml", {"mysql_backup_now_lock_wait": "soon"}, "mysql_backup_now_lock_wait"),
    ],
)
def test_bad_input_fails_naming_the_variable(host, tmp_path, playbook_name, extra, named):
    before = host_dumps(host)
    extra = {**extra, "mysql_backup_destination_dir": str(tmp_path)}
    rc, out = playbook(host, playbook_name, "-e", json.dumps(extra))
    assert rc != 0
    assert named in out, out[-3000:]
    assert changed(out) == 0
    assert host_dumps(host) == before and not host.file(LOCK).exists
