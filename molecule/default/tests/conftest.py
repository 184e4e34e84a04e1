"""Shared helpers for the default scenario's testinfra tests."""

import base64
import os
import re
import shutil
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


def put_file(host, name: str, folder: str = "/tmp") -> str:
    """Copy a file from tests/files to folder on the host; return its path there."""
    code = base64.b64encode((FILES / name).read_bytes()).decode()
    path = f"{folder}/{name}"
    result = host.run(f"echo {code} | base64 -d > {path}")
    assert result.rc == 0, result.stderr
    return path


def run_script(host, name: str, *args: str):
    """Run a file from tests/files with the host's python3 (hosts have only the stdlib)."""
    quoted = " ".join(f"'{a}'" for a in args)
    return host.run(f"python3 {put_file(host, name)} {quoted}")


# A throwaway key authorized for both root and the deploy user while a test module runs, so a
# refused root login is refused by policy, not for want of a key; both files are restored after.
SSH_KEY_DIR = "/root/ssh-test"
SSH = (
    "ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
    " -o IdentitiesOnly=yes -o ConnectTimeout=10 -p 22"
)
SSH_KEY_NAMES = ("good", "bad1", "bad2")
SSH_AUTHORIZED = ["/root/.ssh/authorized_keys", "/home/deploy/.ssh/authorized_keys"]


@pytest.fixture(scope="module")
def key(host):
    """Path of a private key authorized for root and deploy while the module runs."""
    with host.sudo():
        setup = [
            f"rm -rf {SSH_KEY_DIR} && mkdir -m 0700 {SSH_KEY_DIR}",
            *(f"ssh-keygen -q -t ed25519 -N '' -f {SSH_KEY_DIR}/{n}" for n in SSH_KEY_NAMES),
            "install -d -m 0700 /root/.ssh",
        ]
        for path in SSH_AUTHORIZED:
            setup.append(f"if [ -e {path} ]; then cp -p {path} {path}.orig; fi")
            setup.append(f"cat {SSH_KEY_DIR}/good.pub >> {path}")
        setup.append("chown deploy:deploy /home/deploy/.ssh/authorized_keys")
        result = host.run(" && ".join(setup))
        assert result.rc == 0, result.stderr
    yield f"{SSH_KEY_DIR}/good"
    with host.sudo():
        for path in SSH_AUTHORIZED:
            host.run(f"if [ -e {path}.orig ]; then mv -f {path}.orig {path}; else rm -f {path}; fi")
        host.run(f"rm -rf {SSH_KEY_DIR}")


def ssh(host, args: str):
    """An SSH client on the host against its own sshd: the real login path, PAM included."""
    with host.sudo():
        return host.run(f"{SSH} {args}")


def app_copy(tmp_path: Path, version: str) -> Path:
    """A copy of app/ (its lock included) at another version, to deploy as a new release; the
    cluster's release_copy changes it further."""
    src = tmp_path / f"app-{version}"
    shutil.copytree(
        REPO / "app", src, ignore=shutil.ignore_patterns("build", "*.egg-info", "db.sqlite3")
    )
    pyproject = src / "pyproject.toml"
    pyproject.write_text(re.sub(r'^version = ".*"', f'version = "{version}"',
                                pyproject.read_text(), count=1, flags=re.M))  # fmt: skip
    return src
