"""playbooks/manage.yml prints no secret: commands whose output holds one are refused before they
run, and a secret a command needs reaches it on standard input, never in a process's argv."""

import os
import subprocess

from conftest import REPO

VAULT = REPO / "inventories/local/group_vars/all/vault.yml"
SEEN = "/tmp/manage-argv-seen"


def manage(host, command: str) -> subprocess.CompletedProcess:
    name = host.backend.get_hostname()
    return subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"],
         str(REPO / "playbooks/manage.yml"), "-e", f"@{VAULT}", "-e", f"manage_host={name}",
         "-e", f"manage_command={command}"],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip


def test_diffsettings_is_refused_and_prints_no_secret(web, vault):
    result = manage(web, "diffsettings")
    out = result.stdout + result.stderr
    assert result.returncode != 0, out[-3000:]
    assert "manage_command=diffsettings is refused" in out, out[-3000:]
    for name, value in vault.items():
        if isinstance(value, str) and len(value) >= 8:
            assert value not in out, f"{name} was printed"


def test_seed_demo_gets_the_password_on_stdin_not_in_argv(web, vault):
    # A watcher lists the argv of every seed_demo process while the playbook runs it.
    watcher = web.run(
        f"rm -f {SEEN}; nohup sh -c 'while :; do ps -eo args | grep [s]eed_demo >> {SEEN}; done'"
        " >/dev/null 2>&1 & echo $!"
    ).stdout.strip()
    try:
        result = manage(web, "seed_demo")
    finally:
        web.run(f"kill {watcher}")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    seen = web.file(SEEN).content_string
    assert "seed_demo --password-stdin" in seen, seen  # the watcher saw the command run
    assert vault["vault_demo_password"] not in seen
    assert vault["vault_demo_password"] not in result.stdout + result.stderr
