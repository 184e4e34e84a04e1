"""The lock (app/requirements.lock): releases install exactly its packages, checked by hash on the
controller and again on the host. A lock missing a package stops the build before any host changes;
a wheel changed after the controller fetched it stops the install, named, and the release serving
stays. Each test deploys a copy of the app at another version to debian12 without switching."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, app_copy

ROOT = "/srv/recruitment"


@pytest.fixture
def debian12(host):
    if host.ansible.get_variables()["inventory_hostname"] != "debian12":
        pytest.skip("one host is enough: the checks are the controller's and pip's")
    return host


def deploy_without_switch(src: Path, artifacts: Path) -> tuple[subprocess.CompletedProcess, str]:
    vault = REPO / "inventories/local/group_vars/all/vault.yml"
    extra = {
        "django_app_source_path": str(src),
        "django_app_artifact_dir": str(artifacts),
        "django_app_keep_serving_release": False,
        "django_app_switch": False,
    }
    result = subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"],
         str(REPO / "playbooks/app.yml"), "--limit", "debian12",
         "-e", f"@{vault}", "-e", json.dumps(extra)],
        capture_output=True, text=True, cwd=REPO, timeout=900,
    )  # fmt: skip
    return result, re.sub(r"\s+", " ", result.stdout + result.stderr)


def releases(host) -> set[str]:
    return set(host.check_output(f"ls {ROOT}/releases").split())


def test_a_lock_missing_a_package_stops_before_any_host_changes(debian12, tmp_path):
    src = app_copy(tmp_path, "1.0.8")
    lock = src / "requirements.lock"
    # sqlparse is Django's dependency, not the app's: only the hashed download can miss it.
    entries = re.split(r"(?m)^(?=\S)", lock.read_text())
    kept = [entry for entry in entries if not entry.startswith("sqlparse==")]
    assert len(kept) == len(entries) - 1, "app/requirements.lock no longer pins sqlparse"
    lock.write_text("".join(kept))
    before = releases(debian12)
    result, out = deploy_without_switch(src, tmp_path / "artifacts")
    assert result.returncode != 0, out[-3000:]
    assert "could not be assembled on the controller from the lock" in out, out[-3000:]
    assert "sqlparse" in out and "so no host changed" in out, out[-3000:]
    assert releases(debian12) == before


def test_a_tampered_wheel_stops_the_install_and_the_release_serving_stays(debian12, tmp_path):
    src, artifacts = app_copy(tmp_path, "1.0.9"), tmp_path / "artifacts"
    serving = debian12.file(f"{ROOT}/current").linked_to
    before = releases(debian12)
    # A first run fetches and checks the wheelhouse and installs the release (no switch).
    result, out = deploy_without_switch(src, artifacts)
    assert result.returncode == 0, out[-3000:]
    (new,) = releases(debian12) - before
    record = json.loads(debian12.file(f"{ROOT}/releases/{new}/release.json").content_string)
    assert record["lock"] == str(src / "requirements.lock") and len(record["lock_sha256"]) == 64
    # Then a wheel of the controller's wheelhouse changes, and the host gets the release anew.
    debian12.run_expect([0], f"rm -rf {ROOT}/releases/{new}")
    (wheel,) = (artifacts / "recruitment" / new).glob("*/sqlparse-*.whl")
    with wheel.open("ab") as tampered:
        tampered.write(b"\0")
    result, out = deploy_without_switch(src, artifacts)
    assert result.returncode != 0, out[-3000:]
    # The second run built the wheel again from the same source and lock: the same release id.
    assert f"Release {new} did not install on debian12" in out, out[-3000:]
    assert wheel.name in out and "do not match the hashes" in out.lower(), out[-3000:]
    assert releases(debian12) == before
    assert debian12.file(f"{ROOT}/current").linked_to == serving
