"""A rolling upgrade whose controller is killed while its canary is drained: the next run stops,
naming the stale lock and the drained host, and playbooks/recover.yml shows what the dead run left,
then, given its run id, breaks its lock and puts the host back, with 0 failed requests under load
throughout (the host in trouble is drained, so no client request reaches it).
Precondition: both web hosts serve one release, and the deploy lock is free."""

import json
import os
import re
import signal
import subprocess
import time

from cluster import (
    INVENTORY,
    RELOAD_READ_ERRORS,
    REPO,
    Load,
    host,
    playbook,
    release_copy,
    versions,
)

UPSTREAM = "/etc/nginx/conf.d/upstream-django_backends.conf"
LOCK = "/var/lib/djstack-deploy.lock"
AUDIT = "/var/log/djstack-deploys.log"


def is_down(lb, address) -> bool:
    text = lb.file(UPSTREAM).content_string
    return re.search(rf"^\s*server {re.escape(address)}:\d+\s[^;]*\sdown;$", text, re.M) is not None


def drained_and_reloaded(lb, address) -> bool:
    """The upstream marks address down, and the drain's test-and-reload has finished (its backup
    of the upstream file is gone)."""
    backups = lb.run("ls /etc/nginx/conf.d/ | grep -c '~$'").stdout.strip()
    return is_down(lb, address) and backups == "0"


def said(result) -> str:
    return " ".join((result.stdout + result.stderr).split())


def test_a_killed_upgrade_is_named_then_recovered(session, tmp_path):
    before = versions()
    lb, db = host("cl-lb1"), host("cl-db1")
    address = host("cl-web1").ansible.get_variables()["private_ip"]
    source = release_copy(tmp_path, "1.0.4")
    vault = REPO / "inventories/local/group_vars/all/vault.yml"
    load = Load(*session)
    with (tmp_path / "killed-run.log").open("w") as log:
        run = subprocess.Popen(
            ["ansible-playbook", "-i", INVENTORY, str(REPO / "playbooks/rolling_upgrade.yml"),
             "-e", f"@{vault}", "-e", f"django_app_source_path={source}"],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 900
        while not drained_and_reloaded(lb, address):
            assert run.poll() is None, (tmp_path / "killed-run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the upgrade never drained cl-web1"
            time.sleep(0.5)
        # The controller dies: its ansible-playbook and everything it started.
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    owner = json.loads(db.file(f"{LOCK}/owner.json").content_string)
    assert owner["playbook"] == "playbooks/rolling_upgrade.yml"

    # The next run stops before any change, naming the stale lock and the host it left drained.
    result = playbook("rolling_upgrade.yml", "-e", f"django_app_source_path={source}")
    out = said(result)
    assert result.returncode != 0
    assert f"Another run holds the deploy lock {LOCK}" in out, out[-3000:]
    assert f"(run {owner['run_id']})" in out and "it drained cl-web1" in out, out[-3000:]

    # Without the run id, recover.yml shows what the dead run left and changes nothing.
    result = playbook("recover.yml")
    out = said(result)
    assert result.returncode == 0, out[-3000:]
    assert "cl-web1: serves " in out and "; drained by the lock holder;" in out, out[-3000:]
    assert "cl-web2: serves " in out and "; not drained by the lock holder;" in out, out[-3000:]
    assert f"-e rollout_break_run_id={owner['run_id']}" in out, out[-3000:]
    assert is_down(lb, address) and db.file(LOCK).exists

    # With it, the lock is broken and the drained host, ready, is back.
    result = playbook("recover.yml", "-e", f"rollout_break_run_id={owner['run_id']}")
    out = said(result)
    assert result.returncode == 0, out[-3000:]
    assert f"Recovered from run {owner['run_id']}: put back cl-web1; every host it drained" in out
    total, failed, reads = load.stop("killed upgrade and recovery")
    assert not is_down(lb, address)
    assert not db.file(LOCK).exists
    assert versions() == before
    audit = db.file(AUDIT).content_string
    assert f"break run={owner['run_id']}" in audit
    assert f"recover run={owner['run_id']} put_back=cl-web1 still_drained=none" in audit
    assert total > 0 and failed == 0 and reads <= RELOAD_READ_ERRORS, (total, failed, reads)
