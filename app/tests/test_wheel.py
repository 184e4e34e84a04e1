"""Build the wheel, install it into a fresh venv and serve it with gunicorn (WSGI and ASGI)."""

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[1]
VERSION = "1.0.0"
SECRET = "w8!pQz3#Lm6@vR1$kT9^xB4&nC7*hD2(jF5)gS0_yE-uA+oI=eP{lK}iJ|O;Q:<>"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, headers=None, timeout=10):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    args = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(APP_DIR)]
    if os.environ.get("RECRUITMENT_BUILD_NO_ISOLATION"):
        args.insert(4, "--no-isolation")
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels = list(out.glob("recruitment-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory):
    """A fresh venv with the wheel installed, a migrated SQLite DB and collected static files."""
    root = tmp_path_factory.mktemp("site")
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    bin_dir = root / "venv" / "bin"
    result = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    env = {
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(root),
        "DJANGO_SETTINGS_MODULE": "recruitment.settings.production",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(root / "static"),
        "DJANGO_MEDIA_ROOT": str(root / "media"),
        "DJANGO_DEMO_PASSWORD": "demo-Pass-123",
    }
    for command in (
        ["django-admin", "migrate", "--noinput"],
        ["django-admin", "collectstatic", "--noinput"],
        ["recruitment-manage", "seed_demo"],
        ["django-admin", "check", "--deploy", "--fail-level", "WARNING"],
    ):
        result = subprocess.run(
            [str(bin_dir / command[0]), *command[1:]],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return root, bin_dir, env


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "recruitment/templates/base.html",
        "recruitment/templates/jobs/job_list.html",
        "recruitment/static/css/site.css",
        "recruitment/locale/zh_Hans/LC_MESSAGES/django.mo",
        "recruitment/jobs/migrations/0001_initial.py",
        "recruitment/interview/migrations/0001_initial.py",
        "recruitment/interview/management/commands/import_candidates.py",
    ):
        assert expected in names, expected
    assert not [n for n in names if "/tests/" in n], "tests are not shipped"
    shipped_helpers = [n for n in names if n.startswith("recruitment/testing")]
    assert shipped_helpers == [], "the test helpers (recruitment.testing) are not shipped"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "recruitment-manage = recruitment.__main__:main" in text


@pytest.mark.parametrize(
    "worker",
    [
        pytest.param(["recruitment.wsgi"], id="wsgi-sync"),
        pytest.param(["-k", "uvicorn_worker.UvicornWorker", "recruitment.asgi"], id="asgi-uvicorn"),
    ],
)
def test_gunicorn_serves_the_installed_wheel(site, worker):
    root, bin_dir, env = site
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(root / f"gunicorn-{port}.log", "w+b")  # noqa: SIM115
    # The bench's URLconf, which the wheel ships and bench P3 deploys: the site plus /async/sleep/.
    process = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", *worker],
        cwd=root,
        env={**env, "DJANGO_ROOT_URLCONF": "recruitment.bench_urls"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = _get(f"{base}/healthz", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.3)
        assert json.loads(body) == {"status": "ok", "version": VERSION}

        status, _, body = _get(f"{base}/readyz")
        assert status == 200, body
        assert json.loads(body)["status"] == "ok"

        # Plain HTTP (not a health check) is redirected to https.
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(f"{base}/", timeout=5)
            raise AssertionError("expected a redirect")
        except urllib.error.HTTPError as exc:
            assert exc.code == 301
            assert exc.headers["Location"].startswith("https://")

        # Behind the proxy: pages render, static names are hashed, no HSTS from Django.
        https = {"X-Forwarded-Proto": "https"}
        status, headers, body = _get(f"{base}/", headers=https)
        assert status == 200, body[:2000]
        assert "招聘职位" in body.decode()
        assert b"/static/css/site." in body and b"/static/css/site.css" not in body
        assert "Strict-Transport-Security" not in headers
        status, _, body = _get(f"{base}/", headers={**https, "Accept-Language": "en"})
        assert "Open positions" in body.decode()

        # The async view is not serialized: 8 overlapping 0.5 s sleeps on one worker.
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(
                pool.map(lambda _: _get(f"{base}/async/sleep/?s=0.5", headers=https), range(8))
            )
        elapsed = time.monotonic() - started
        assert all(r[0] == 200 for r in results)
        if "recruitment.asgi" in worker:
            assert elapsed < 2.0, f"8 async sleeps took {elapsed:.2f}s on one uvicorn worker"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
    assert "SynchronousOnlyOperation" not in output, output
    assert "Traceback" not in output, output
