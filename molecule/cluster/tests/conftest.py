"""Shared helpers for the default scenario's testinfra tests."""

import base64
import os
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
FILES = Path(__file__).resolve().parent / "files"
APP = "recruitment"
# Every host trusts the stack's CA (roles/nginx installs it), so curl verifies TLS without -k.
CURL = "curl --silent --show-error --max-time 20"


def service_diagnostics(host, unit: str) -> str:
    """The unit's status and recent journal, printed when a service assertion fails."""
    status = host.run(f"systemctl --no-pager status {unit}").stdout
    journal = host.run(f"journalctl --no-pager -n 40 -u {unit}").stdout
    return f"\n--- systemctl status {unit}\n{status}\n--- journalctl -u {unit}\n{journal}"


def in_group(host, group: str) -> bool:
    return group in host.ansible.get_variables().get("group_names", [])


@pytest.fixture
def assert_running(host):
    def check(unit: str, enabled: bool = True) -> None:
        svc = host.service(unit)
        assert svc.is_running, f"{unit} is not running" + service_diagnostics(host, unit)
        if enabled:
            assert svc.is_enabled, f"{unit} is not enabled" + service_diagnostics(host, unit)

    return check


@pytest.fixture(scope="session")
def vault():
    """The local environment's secrets, decrypted on the controller like the converge does."""
    path = REPO / "inventories/local/group_vars/all/vault.yml"
    out = subprocess.run(
        ["ansible-vault", "view", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
    ).stdout
    return yaml.safe_load(out)


@pytest.fixture
def web(host):
    if not in_group(host, "webservers"):
        pytest.skip("not a web host")
    return host


@pytest.fixture
def seeded(web, vault):
    """The demo data, created through the app's own idempotent seed_demo command."""
    result = web.run(
        f"sudo -u {APP} /srv/{APP}/bin/manage seed_demo --password {vault['vault_demo_password']}"
    )
    assert result.rc == 0, result.stdout + result.stderr
    return web


def run_script(host, name: str, *args: str):
    """Run a file from tests/files with the host's python3 (hosts have only the stdlib)."""
    code = base64.b64encode((FILES / name).read_bytes()).decode()
    quoted = " ".join(f"'{a}'" for a in args)
    return host.run(f"echo {code} | base64 -d > /tmp/{name} && python3 /tmp/{name} {quoted}")
