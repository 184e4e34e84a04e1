"""The django_app role: release layout, secrets on disk, socket activation, sandbox, behaviour."""

import hashlib
import json
import re

from conftest import APP, CURL, REPO, run_script

ROOT = f"/srv/{APP}"
SITE = "https://localhost"


def test_service_user(web):
    user = web.user(APP)
    assert user.exists and user.shell == "/usr/sbin/nologin"
    assert user.group == APP and APP not in web.group("sudo").members


def test_env_file(web):
    env = web.file(f"{ROOT}/shared/{APP}.env")
    assert env.user == "root" and env.group == APP and env.mode == 0o640
    assert "DJANGO_SECRET_KEY=" in web.run(f"cat {ROOT}/shared/{APP}.env").stdout
    # The service user reads it; nobody else does.
    assert web.run(f"sudo -u www-data cat {ROOT}/shared/{APP}.env").rc != 0


def test_release_layout(web):
    current = web.file(f"{ROOT}/current")
    assert current.is_symlink
    release = current.linked_to
    assert re.fullmatch(rf"{ROOT}/releases/\d+\.\d+\.\d+-[0-9a-f]{{10}}", release), release
    assert web.file(f"{release}/venv/.installed").exists
    # collectstatic ran with hashed names before the switch.
    assert web.file(f"{release}/static/staticfiles.json").exists
    # Code belongs to root: the app cannot rewrite itself.
    assert web.file(release).user == "root"
    assert web.run(f"sudo -u {APP} touch {release}/venv/x").rc != 0


def test_release_record(web):
    """release.json beside the release says what it is and where it came from: the wheel it
    installed (by checksum), the source, and the target its wheelhouse was built for."""
    release = web.file(f"{ROOT}/current").linked_to
    record = json.loads(web.file(f"{release}/release.json").content_string)
    assert record["release"] == release.rsplit("/", 1)[-1]
    # The id covers the wheel and the lock (app/requirements.lock): same code and lock, same id.
    lock = REPO / "app/requirements.lock"
    assert record["lock"] == str(lock)
    assert record["lock_sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    identity = hashlib.sha256(f"{record['wheel_sha256']}:{record['lock_sha256']}".encode())
    assert record["release"] == f"{record['version']}-{identity.hexdigest()[:10]}"
    # The venv holds exactly the lock's versions (the lock's Windows-only pins aside).
    pins = dict(re.findall(r"(?m)^([a-z0-9._-]+)==(\S+) \\$", lock.read_text()))
    frozen = web.check_output(f"{release}/venv/bin/pip freeze --all --exclude-editable")
    installed = {
        re.sub(r"[-_.]+", "-", name.lower()): version
        for name, version in re.findall(r"(?m)^([A-Za-z0-9._-]+)==(\S+)$", frozen)
    }
    for name, version in pins.items():
        assert installed.get(re.sub(r"[-_.]+", "-", name)) == version, (name, version, frozen)
    wheel = web.run(f"ls {release}/wheels/{record['wheel']}")
    assert wheel.rc == 0, f"{record['wheel']} is not in the shipped wheelhouse"
    digest = web.check_output(f"sha256sum {release}/wheels/{record['wheel']}").split()[0]
    assert digest == record["wheel_sha256"]
    python = web.check_output("python3 -c 'import sys; print(*sys.version_info[:2], sep=\"\")'")
    assert record["target"] == f"cp{python}-{web.check_output('uname -m')}"
    assert record["source"] == "path" and record["source_location"].endswith("/app")


def test_the_release_answered_its_preflight_before_it_served(web):
    """The converge's first deploy ran the release on its own socket and asked it for /readyz and
    the smoke URL (/) before current pointed to it; the preflight unit is gone afterwards."""
    release = web.file(f"{ROOT}/current").linked_to.rsplit("/", 1)[-1]
    unit = f"{APP}-preflight@{release}.service"
    log = web.check_output(f"journalctl --no-pager -o cat -u {unit}")
    assert '"GET /readyz HTTP/1.1" 200' in log, log[-2000:]
    assert '"GET / HTTP/1.1" 200' in log, log[-2000:]
    for gone in (unit, unit.replace(".service", ".socket")):
        assert web.run(f"systemctl is-active {gone}").stdout.strip() == "inactive", gone
    assert not web.file(f"/run/{APP}-preflight/{release}.sock").exists


def test_socket_activation(web, assert_running):
    assert_running(f"{APP}.socket")
    assert_running(f"{APP}.service", enabled=False)
    sock = web.file(f"/run/{APP}/gunicorn.sock")
    assert sock.is_socket and sock.user == APP and sock.group == "www-data" and sock.mode == 0o660
    triggered = web.run(f"systemctl show -p TriggeredBy --value {APP}.service").stdout
    assert f"{APP}.socket" in triggered


def test_gunicorn_listens_only_on_its_unix_socket(web):
    pid = web.run(f"systemctl show -p MainPID --value {APP}.service").stdout.strip()
    assert pid and pid != "0"
    tcp = web.run("ss -ltnpH").stdout
    assert f"pid={pid}," not in tcp, tcp
    assert "gunicorn" not in tcp and "python" not in tcp, tcp
    assert f"/run/{APP}/gunicorn.sock" in web.run("ss -lxH").stdout


def test_sandbox_score(web):
    out = web.run(f"systemd-analyze security --no-pager {APP}.service").stdout
    score = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", out).group(1))
    assert score <= 2.0, out


def test_server_flavour(web):
    # debian13 runs the ASGI app under uvicorn workers, debian12 sync gunicorn (molecule.yml).
    expected = "uvicorn_worker.UvicornWorker" if web.backend.host == "debian13" else "sync"
    log = web.run(f"journalctl --no-pager -u {APP}.service -o cat").stdout
    workers = re.findall(r"Using worker: (\S+)", log)
    assert workers and workers[-1] == expected, workers


def test_check_deploy_is_clean(web):
    result = web.run(f"sudo -u {APP} {ROOT}/bin/manage check --deploy --fail-level WARNING")
    assert result.rc == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_healthz_reports_the_release_version(web):
    body = json.loads(web.run(f"{CURL} {SITE}/healthz").stdout)
    release = web.file(f"{ROOT}/current").linked_to.rsplit("/", 1)[1]
    assert body["status"] == "ok" and release.startswith(body["version"] + "-")


def test_job_list_comes_from_mariadb(seeded):
    titles = seeded.run(
        "mariadb --default-character-set=utf8mb4 -N -e "
        f"'SELECT title FROM {APP}.jobs_job WHERE deleted_at IS NULL"
        " ORDER BY created DESC, id DESC LIMIT 3'"
    ).stdout.splitlines()
    assert titles
    page = seeded.run(f"{CURL} {SITE}/").stdout
    assert all(t in page for t in titles), (titles, page[:2000])


def test_debug_is_off(web):
    result = web.run(f"{CURL} -o /tmp/404.html -w '%{{http_code}}' {SITE}/no-such-page/")
    assert result.stdout == "404"
    body = web.file("/tmp/404.html").content_string
    assert "Traceback" not in body and "URLconf" not in body and "DEBUG = True" not in body


def test_the_benchmark_view_is_not_served(web):
    """/async/sleep/ is in the bench's URLconf only (bench P3 deploys it); the site has no such
    path, so nobody outside a benchmark can hold workers asleep with it."""
    code = web.run(f"{CURL} -o /dev/null -w '%{{http_code}}' '{SITE}/async/sleep/?s=0'").stdout
    assert code == "404"


def test_upload_round_trip(seeded, vault):
    result = run_script(
        seeded, "upload_roundtrip.py", SITE, "demo_applicant", vault["vault_demo_password"]
    )
    assert result.rc == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["logged_in"], report
    assert report["media_url"], report
    assert report["bytes_equal"], report
