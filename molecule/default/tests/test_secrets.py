"""Vaulted secrets stay secret: never in a -vvv run's output; at rest only in 0600 files."""

import os
import subprocess

from conftest import REPO


def test_vault_files_are_encrypted_under_their_environment_id():
    vaults = sorted(REPO.glob("inventories/*/group_vars/all/vault.yml"))
    # The scenario converged with the local environment's vault: an empty glob is a failure.
    assert REPO / "inventories/local/group_vars/all/vault.yml" in vaults, vaults
    for vault in vaults:
        env = vault.parts[-4]
        head = vault.read_text().splitlines()[0]
        assert head == f"$ANSIBLE_VAULT;1.2;AES256;{env}", (vault, head)
        assert oct(vault.stat().st_mode & 0o777) == "0o600", vault


def test_vault_values_never_appear_in_verbose_output(vault):
    """Converge the whole stack again at -vvv and grep its output for every vault value."""
    result = subprocess.run(
        [
            "ansible-playbook",
            "-vvv",
            "-i",
            os.environ["MOLECULE_INVENTORY_FILE"],
            str(REPO / "molecule/default/converge.yml"),
            "--limit",
            "debian12",
        ],
        capture_output=True,
        text=True,
        cwd=REPO / "molecule/default",
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "ESTABLISH" in output or "<debian12>" in output, "not a -vvv run"
    leaked = [name for name, value in vault.items() if str(value) in output]
    assert not leaked, f"vault values printed in -vvv output: {leaked}"
