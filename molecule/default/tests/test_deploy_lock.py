"""The deploy lock names its holder: a run that finds it held stops before any change, saying which
playbook and run hold it, who started it from which controller, since when and how long ago."""

import contextlib
import json
import os
import re
import subprocess

import pytest
from conftest import REPO

LOCK = "/var/lib/djstack-deploy.lock"
# What a run killed with its controller leaves: the lock and its record (roles/rollout lock.yml).
DEAD_RUN = {
    "playbook": "playbooks/rolling_upgrade.yml",
    "run_id": "20261201T101500Z-0badc0de",
    "user": "alice",
    "controller": "laptop-alice",
    "started": "2026-12-01T10:15:00Z",
}


@pytest.fixture
def lock_host(host):
    """The host that holds the lock: the first database host (stack_db_host)."""
    variables = host.ansible.get_variables()
    if variables["inventory_hostname"] != variables["groups"]["dbservers"][0]:
        pytest.skip("the deploy lock lives on the first database host")
    return host


@contextlib.contextmanager
def a_dead_runs_lock(lock_host):
    """The lock and record a killed run leaves, removed again after the test."""
    record = json.dumps(DEAD_RUN)
    with lock_host.sudo():
        assert lock_host.run(f"mkdir {LOCK}").rc == 0, f"{LOCK} already held"
        try:
            assert lock_host.run(f"printf '%s' '{record}' > {LOCK}/owner.json").rc == 0
            yield
        finally:
            lock_host.run(f"rm -rf {LOCK}")


def run(playbook, *extra):
    vault = REPO / "inventories/local/group_vars/all/vault.yml"
    result = subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], str(REPO / playbook),
         "-e", f"@{vault}", *extra],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    return result, re.sub(r"\s+", " ", result.stdout + result.stderr)


@pytest.mark.parametrize(
    ("playbook", "extra"),
    [
        ("playbooks/rollback.yml", []),
        ("site.yml", []),
        # A management command that writes is a change of the fleet too.
        ("playbooks/manage.yml", ["-e", "manage_command=seed_demo"]),
    ],
)
def test_a_held_lock_stops_a_run_naming_its_holder(lock_host, playbook, extra):
    with a_dead_runs_lock(lock_host):
        result, out = run(playbook, *extra)
        assert result.returncode != 0, out[-3000:]
        for value in DEAD_RUN.values():
            assert value in out, (value, out[-3000:])
        assert re.search(r"\(\d+ min ago\)", out), out[-3000:]
        assert "playbooks/unlock.yml -e rollout_break_run_id=" in out, out[-3000:]
        # Stopped at the lock: no other task changed anything, the lock and its record stay.
        recap = re.findall(r"changed=(\d+)", out)
        assert recap and set(recap) == {"0"}, out[-3000:]
        assert json.loads(lock_host.file(f"{LOCK}/owner.json").content_string) == DEAD_RUN


def test_a_read_only_management_command_runs_under_a_held_lock(lock_host):
    with a_dead_runs_lock(lock_host):
        result, out = run("playbooks/manage.yml", "-e", "manage_command=showmigrations")
        assert result.returncode == 0, out[-3000:]
        assert "[X] 0001_initial" in out, out[-3000:]
        assert json.loads(lock_host.file(f"{LOCK}/owner.json").content_string) == DEAD_RUN


def test_unlock_breaks_only_the_named_runs_lock(lock_host):
    audit = lock_host.ansible.get_variables()["stack_deploy_log"]
    with a_dead_runs_lock(lock_host):
        result, out = run("playbooks/unlock.yml", "-e", "rollout_break_run_id=20261201T000000Z-0")
        assert result.returncode != 0, out[-3000:]
        assert "not by run 20261201T000000Z-0. Nothing changed." in out, out[-3000:]
        assert lock_host.file(LOCK).is_directory
        result, out = run(
            "playbooks/unlock.yml", "-e", f"rollout_break_run_id={DEAD_RUN['run_id']}"
        )
        assert result.returncode == 0, out[-3000:]
        assert not lock_host.file(LOCK).exists
        with lock_host.sudo():
            last = lock_host.check_output(f"tail -n 1 {audit}")
        assert f" break run={DEAD_RUN['run_id']} " in last, last


def test_the_converge_took_and_released_the_lock(lock_host):
    """site.yml takes the lock like every change of the fleet: the converge and the idempotence run
    each left a start and an end line with one run id, and the lock is free."""
    audit = lock_host.ansible.get_variables()["stack_deploy_log"]
    with lock_host.sudo():
        log = lock_host.file(audit).content_string
    starts = re.findall(r" start site\.yml run=(\S+) ", log)
    ends = re.findall(r" end site\.yml run=(\S+) ", log)
    assert len(starts) >= 2 and set(starts) <= set(ends), log[-3000:]
    assert not lock_host.file(LOCK).exists
