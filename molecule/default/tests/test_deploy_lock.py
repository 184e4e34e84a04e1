"""The deploy lock names its holder: a run that finds it held stops before any change, saying which
playbook and run hold it, who started it from which controller, since when and how long ago."""

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


def test_a_held_lock_stops_a_run_naming_its_holder(lock_host):
    record = json.dumps(DEAD_RUN)
    with lock_host.sudo():
        assert lock_host.run(f"mkdir {LOCK}").rc == 0, f"{LOCK} already held"
        try:
            assert lock_host.run(f"printf '%s' '{record}' > {LOCK}/owner.json").rc == 0
            result = subprocess.run(
                ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"],
                 str(REPO / "playbooks/rollback.yml")],
                capture_output=True, text=True, cwd=REPO, timeout=300,
            )  # fmt: skip
            out = re.sub(r"\s+", " ", result.stdout + result.stderr)
            assert result.returncode != 0, out[-3000:]
            for value in DEAD_RUN.values():
                assert value in out, (value, out[-3000:])
            assert re.search(r"\(\d+ min ago\)", out), out[-3000:]
            # Stopped at the lock: no other task changed anything, the lock and its record stay.
            recap = re.findall(r"changed=(\d+)", out)
            assert recap and set(recap) == {"0"}, out[-3000:]
            assert json.loads(lock_host.file(f"{LOCK}/owner.json").content_string) == DEAD_RUN
        finally:
            lock_host.run(f"rm -rf {LOCK}")
