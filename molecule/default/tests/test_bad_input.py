"""Bad input fails in the argument spec, names the variable, and changes nothing."""

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def run_playbook(playbook: str, *extra: str) -> subprocess.CompletedProcess:
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    return subprocess.run(
        ["ansible-playbook", "-i", inventory, str(REPO / playbook), "--limit", "debian12", *extra],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def recap(output: str) -> dict[str, int]:
    match = re.search(r"debian12\s*:\s*(.*)", output.split("PLAY RECAP")[-1])
    assert match, output
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(1))}


@pytest.mark.parametrize(
    ("extra_vars", "named"),
    [
        ('{"common_packages_extra": {"curl": true}}', "common_packages_extra"),
        ('{"common_unattended_upgrades": "maybe"}', "common_unattended_upgrades"),
        ('{"common_apt_cache_valid_time": "soon"}', "common_apt_cache_valid_time"),
    ],
)
def test_ill_typed_variable_fails_before_any_change(extra_vars, named):
    result = run_playbook("playbooks/common.yml", "-e", extra_vars)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "Validating arguments against arg spec" in out, out
    assert named in out, out
    counts = recap(out)
    assert counts["changed"] == 0 and counts["failed"] == 1, counts


def test_bad_value_fails_with_a_message_naming_the_variable():
    result = run_playbook(
        "playbooks/common.yml", "-e", "common_unattended_upgrades_reboot_time=25:99"
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "common_unattended_upgrades_reboot_time must be HH:MM" in out, out
    assert recap(out)["changed"] == 0


def test_wrong_vault_password_fails_naming_the_file(tmp_path):
    wrong = tmp_path / "wrong.vault-pass"
    wrong.write_text("not-the-password\n")
    result = subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"],
         str(REPO / "molecule/default/converge.yml"), "--limit", "debian12"],
        capture_output=True, text=True, cwd=REPO / "molecule/default", timeout=300,
        env={**os.environ, "ANSIBLE_VAULT_IDENTITY_LIST": f"local@{wrong}"},
    )  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Decryption failed" in out, out[-3000:]
    assert "inventories/local/group_vars/all/vault.yml" in out, out[-3000:]
    assert recap(out)["changed"] == 0, out[-3000:]


def test_missing_vault_stops_in_preflight():
    # The molecule inventory holds no vault: site.yml alone is a run without one.
    result = run_playbook("site.yml")
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "inventories/local/group_vars/all/vault.yml is missing or incomplete" in out, out[-3000:]
    assert "scripts/new-vault local" in out
    assert recap(out)["changed"] == 0
