"""Releases under load: a rolling upgrade, a broken release that stops after the canary, a
destructive migration refused before any switch, and the rollback playbook.
Precondition: the converged cluster serves 1.0.0 (the app's own version). Each test states the
release it starts from with ensure_serving, so it holds whichever test ran before it."""

from cluster import (
    RELOAD_READ_ERRORS,
    Load,
    ensure_serving,
    host,
    playbook,
    release_copy,
    versions,
)


def test_rolling_upgrade_under_load(session, tmp_path):
    before = versions()
    load = Load(*session)
    result = playbook(
        "rolling_upgrade.yml", "-e", f"django_app_source_path={release_copy(tmp_path, '1.0.1')}"
    )
    total, failed, reads = load.stop("rolling upgrade")
    assert result.returncode == 0, result.stdout[-4000:]
    assert total > 0 and failed == 0, (total, failed)
    assert reads <= RELOAD_READ_ERRORS, reads
    assert versions() == {"cl-web1": "1.0.1", "cl-web2": "1.0.1"}, before


def test_broken_release_stops_after_the_canary(session, tmp_path):
    ensure_serving("1.0.1", tmp_path)
    load = Load(*session)
    result = playbook(
        "rolling_upgrade.yml",
        "-e",
        f"django_app_source_path={release_copy(tmp_path, '1.0.2', broken=True)}",
    )
    total, failed, reads = load.stop("broken release")
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Rolling upgrade stopped at cl-web1 because" in out, out[-4000:]
    assert total > 0 and failed == 0 and reads <= RELOAD_READ_ERRORS, (total, failed, reads)
    assert versions() == {"cl-web1": "1.0.1", "cl-web2": "1.0.1"}


def test_destructive_migration_is_refused_without_the_force_flag(session, tmp_path):
    ensure_serving("1.0.1", tmp_path)
    column = (
        'mariadb -N -e "SELECT COUNT(*) FROM information_schema.columns WHERE '
        "table_schema='recruitment' AND table_name='jobs_resume' AND column_name='master_school'\""
    )
    assert host("cl-db1").check_output(column) == "1"
    result = playbook(
        "rolling_upgrade.yml",
        "-e",
        f"django_app_source_path={release_copy(tmp_path, '1.0.3', destructive=True)}",
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Rolling upgrade stopped at cl-web1 because" in out, out[-4000:]
    assert "_drop_master_school" in out and "django_app_allow_destructive_migrations" in out
    assert versions() == {"cl-web1": "1.0.1", "cl-web2": "1.0.1"}
    assert host("cl-db1").check_output(column) == "1", "the column was dropped"
    # The refused run released the deploy lock.
    assert not host("cl-db1").file("/var/lib/djstack-deploy.lock").exists


def test_rollback_playbook(session, tmp_path):
    # The release before 1.0.1 is the converge's 1.0.0 (the upgrade test's, or ensure_serving's).
    ensure_serving("1.0.1", tmp_path)
    load = Load(*session)
    result = playbook("rollback.yml")
    total, failed, reads = load.stop("rollback")
    assert result.returncode == 0, result.stdout[-4000:]
    assert total > 0 and failed == 0 and reads <= RELOAD_READ_ERRORS, (total, failed, reads)
    assert versions() == {"cl-web1": "1.0.0", "cl-web2": "1.0.0"}
