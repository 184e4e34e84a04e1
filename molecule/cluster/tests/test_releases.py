"""Releases under load: a rolling upgrade, a broken release that never serves (its preflight stops
the canary), a destructive migration refused before any switch, a converge that keeps the serving
release (and a new web host that gets it), and the rollback playbook.
Precondition: the converged cluster serves 1.0.0 (the app's own version). Each test states the
release it starts from with ensure_serving, so it holds whichever test ran before it."""

import json
import platform
import time

from cluster import (
    RELOAD_READ_ERRORS,
    Load,
    ensure_serving,
    host,
    playbook,
    release_copy,
    versions,
)

# Older than what app/pyproject.toml's gunicorn>=22 resolves to: 1.0.1 changes the app server.
OLDER_GUNICORN = "26.2.0"


def gunicorn_master(name):
    return host(name).check_output("systemctl show -p MainPID --value recruitment.service")


def test_rolling_upgrade_under_load(session, tmp_path):
    before = versions()
    masters = {name: gunicorn_master(name) for name in ("cl-web1", "cl-web2")}
    source = release_copy(tmp_path, "1.0.1", gunicorn=OLDER_GUNICORN)
    load = Load(*session)
    result = playbook("rolling_upgrade.yml", "-e", f"django_app_source_path={source}")
    total, failed, reads = load.stop("rolling upgrade")
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 0, result.stdout[-4000:]
    assert total > 0 and failed == 0, (total, failed)
    assert reads <= RELOAD_READ_ERRORS, reads
    assert versions() == {"cl-web1": "1.0.1", "cl-web2": "1.0.1"}, before
    # A new gunicorn restarts the server behind the socket: a HUP would fork new workers from the
    # old master, which never runs the new gunicorn.
    assert "restarting recruitment.service rather than reloading it" in out, out[-4000:]
    for name, master in masters.items():
        assert gunicorn_master(name) != master, f"{name} kept its gunicorn master"
        dist = f"gunicorn-{OLDER_GUNICORN}.dist-info"
        found = host(name).run(f"ls -d /srv/recruitment/current/venv/lib/*/site-packages/{dist}")
        assert found.rc == 0, f"{name} serves no {dist}"


def test_broken_release_never_serves(session, tmp_path):
    """A release that fails /readyz stops at the canary in its preflight, before the switch: the
    app's service never loads it, and only the preflight's own socket ever ran it."""
    ensure_serving("1.0.1", tmp_path)
    web1 = host("cl-web1")
    links = "readlink /srv/recruitment/current /srv/recruitment/previous"
    before = web1.check_output(links)
    master = gunicorn_master("cl-web1")
    since = web1.check_output("date '+%Y-%m-%d %H:%M:%S'")
    load = Load(*session)
    result = playbook(
        "rolling_upgrade.yml",
        "-e",
        f"django_app_source_path={release_copy(tmp_path, '1.0.2', broken=True)}",
    )
    total, failed, reads = load.stop("broken release")
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert "Rolling upgrade stopped at cl-web1 because" in out, out[-4000:]
    reason = "failed its preflight on its own socket, before serving any client"
    assert f"{reason}: GET /readyz answered 503" in out, out[-4000:]
    assert total > 0 and failed == 0 and reads <= RELOAD_READ_ERRORS, (total, failed, reads)
    assert versions() == {"cl-web1": "1.0.1", "cl-web2": "1.0.1"}
    # current and previous never moved, and the app's gunicorn was neither restarted nor HUPed.
    assert web1.check_output(links) == before
    assert gunicorn_master("cl-web1") == master
    served = web1.check_output(
        f"journalctl --no-pager -o cat -u recruitment.service --since '{since}'"
    )
    assert "Handling signal: hup" not in served, served[-2000:]
    preflight = web1.check_output(
        f"journalctl --no-pager -o cat -u 'recruitment-preflight@*' --since '{since}'"
    )
    assert '"GET /readyz HTTP/1.1" 503' in preflight, preflight[-2000:]


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


def gunicorn_workers(name):
    """How many workers the app's gunicorn master on host name runs now."""
    return int(host(name).check_output(f"ps --no-headers --ppid {gunicorn_master(name)} | wc -l"))


def wait_for_workers(name, count, timeout=60):
    """A HUP starts the new workers, then retires the old ones gracefully: wait, with a bound,
    until the master runs count workers."""
    deadline = time.monotonic() + timeout
    while (seen := gunicorn_workers(name)) != count and time.monotonic() < deadline:
        time.sleep(0.5)
    assert seen == count, f"{name} runs {seen} gunicorn workers, not {count}"


def serving_release(name):
    return host(name).check_output("readlink /srv/recruitment/current").rsplit("/", 1)[-1]


def test_a_converge_keeps_the_serving_release_and_applies_settings(session, tmp_path):
    # The fleet serves 1.0.1 while the checkout builds 1.0.0: app.yml (as site.yml) must keep
    # 1.0.1 on both hosts, build nothing, and still apply a changed setting, under load.
    ensure_serving("1.0.1", tmp_path)
    releases = {name: serving_release(name) for name in ("cl-web1", "cl-web2")}
    load = Load(*session)
    result = playbook("app.yml", "-e", "django_app_workers=2")
    total, failed, reads = load.stop("converge with a new worker count")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert total > 0 and failed == 0 and reads == 0, (total, failed, reads)
    assert f"Keeping recruitment {releases['cl-web1']}," in " ".join(out.split()), out[-4000:]
    assert {name: serving_release(name) for name in releases} == releases
    assert versions() == {"cl-web1": "1.0.1", "cl-web2": "1.0.1"}
    for name in releases:
        wait_for_workers(name, 2)
    # Back to the inventory's worker count: the same release again.
    result = playbook("app.yml")
    assert result.returncode == 0, result.stdout[-4000:]
    assert {name: serving_release(name) for name in releases} == releases


def test_a_new_web_host_gets_the_release_the_others_serve(tmp_path):
    # cl-web2 stands in for a new host: its app folder is moved aside (and put back after). The
    # run's artifact folder is empty, like a controller that never built 1.0.1, so the wheelhouse
    # and the release record come from cl-web1.
    ensure_serving("1.0.1", tmp_path)
    web1, web2 = host("cl-web1"), host("cl-web2")
    release = serving_release("cl-web1")
    artifacts = tmp_path / "artifacts"
    with web2.sudo():
        web2.check_output(
            "systemctl stop recruitment.socket recruitment.service"
            " && mv /srv/recruitment /srv/recruitment.aside"
        )
        try:
            result = playbook(
                "app.yml", "--limit", "cl-web2", "-e", f"django_app_artifact_dir={artifacts}"
            )
            assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
            assert serving_release("cl-web2") == release
            assert versions()["cl-web2"] == "1.0.1"
            record = f"/srv/recruitment/releases/{release}/release.json"
            assert json.loads(web2.file(record).content_string) == json.loads(
                web1.file(record).content_string
            )
            copied = artifacts / "recruitment" / release
            target = copied / f"cp311-{platform.machine()}"
            assert list(copied.iterdir()) == [target]
            assert any(p.name.lower().startswith("django-") for p in target.glob("*.whl"))
        finally:
            web2.check_output(
                "systemctl stop recruitment.socket recruitment.service; rm -rf /srv/recruitment"
                " && mv /srv/recruitment.aside /srv/recruitment"
                " && systemctl start recruitment.socket"
            )
    assert versions()["cl-web2"] == "1.0.1"


def test_rollback_playbook(session, tmp_path):
    # The release before 1.0.1 is the converge's 1.0.0 (the upgrade test's, or ensure_serving's).
    ensure_serving("1.0.1", tmp_path)
    load = Load(*session)
    result = playbook("rollback.yml")
    total, failed, reads = load.stop("rollback")
    assert result.returncode == 0, result.stdout[-4000:]
    assert total > 0 and failed == 0 and reads <= RELOAD_READ_ERRORS, (total, failed, reads)
    assert versions() == {"cl-web1": "1.0.0", "cl-web2": "1.0.0"}
