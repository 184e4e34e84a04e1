"""playbooks/rotate_secrets.yml under load: a new SECRET_KEY (the old one kept as a fallback) and a
new database password on the idle one of the app's two database users, rolled out host by host with
no failed request; a session from before the rotation still works after it.
Precondition: the converged cluster on the repository's local vault. The rotation writes its new
secrets to a copy of that vault; afterwards the cluster is put back on the repository's vault, so
the tests and the bench after this one find it as they would have before."""

import os
import shutil
import subprocess
import time
import urllib.error

import pytest
import yaml
from cluster import (
    INVENTORY,
    LB,
    RELOAD_READ_ERRORS,
    Load,
    browser_login,
    host,
    login,
    playbook,
)
from conftest import REPO

VAULT = REPO / "inventories/local/group_vars/all/vault.yml"


def decrypt(path):
    out = subprocess.run(
        ["ansible-vault", "view", str(path)], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    return yaml.safe_load(out)


def app_users():
    out = host("cl-db1").run(
        "mariadb -N -e \"SELECT DISTINCT user FROM mysql.user WHERE user LIKE 'recruitment%'\""
    )
    return sorted(out.stdout.split())


def login_past_the_rate_limit(vault, how):
    """Earlier tests spent the login path's rate limit (429); it refills at 30 per minute."""
    for _ in range(30):
        try:
            return how(vault)
        except urllib.error.HTTPError as error:
            if error.code != 429:
                raise
            time.sleep(2)
    raise AssertionError("the login path answered 429 for a minute")


@pytest.fixture
def back_on_the_repository_vault():
    """After the test: the app's database user and environment from the repository's vault again
    (the user the rotation dropped is created anew; the rotated one stays, unused)."""
    yield
    for name in ("database.yml", "app.yml"):
        result = playbook(name)
        assert result.returncode == 0, f"{name}: {result.stdout[-4000:]}"


def test_rotation_loses_no_request_and_no_session(vault, tmp_path, back_on_the_repository_vault):
    copy = tmp_path / "vault.yml"
    shutil.copy(VAULT, copy)
    # The load's own session, and a browser's: a session that a fallback key verifies is given a
    # new key (Django cycles it), which a browser stores and wrk does not.
    session = login_past_the_rate_limit(vault, login)
    browser = login_past_the_rate_limit(vault, browser_login)[0]
    load = Load(*session)
    result = subprocess.run(
        ["ansible-playbook", "-i", INVENTORY, str(REPO / "playbooks/rotate_secrets.yml"),
         "-e", f"rotate_vault_file={copy}"],
        capture_output=True, text=True, cwd=REPO, timeout=1800, env=os.environ,
    )  # fmt: skip
    total, failed, reads = load.stop("secret rotation")
    assert result.returncode == 0, result.stdout[-4000:]
    assert total > 0 and failed == 0 and reads <= RELOAD_READ_ERRORS, (total, failed, reads)

    rotated = decrypt(copy)
    assert rotated["vault_django_secret_key"] != vault["vault_django_secret_key"]
    assert rotated["vault_django_secret_key_fallbacks"] == [vault["vault_django_secret_key"]]
    assert rotated["vault_app_db_password"] != vault["vault_app_db_password"]
    # The app moved to the other of its two users, and the old one is gone: nothing can log in with
    # the old password any more.
    before = vault.get("vault_app_db_user", "recruitment")
    other = "recruitment_b" if before == "recruitment" else "recruitment"
    assert rotated["vault_app_db_user"] == other
    assert app_users() == [other]
    # The browser's session from before the rotation is still logged in, on every request through
    # the LB (round robin: both web hosts), with no new login.
    for _ in range(6):
        with browser.open(LB + "/resumes/", timeout=30) as page:
            assert page.status == 200 and "/accounts/login/" not in page.geturl(), page.geturl()
    # No secret reached the output.
    for secret in (rotated["vault_django_secret_key"], rotated["vault_app_db_password"]):
        assert secret not in result.stdout + result.stderr
