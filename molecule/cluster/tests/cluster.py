"""What the cluster scenario's tests share: its hosts, the load balancer's URL and CA, a logged-in
session, wrk load against the LB, release copies of the app, and the playbooks run against the
scenario's inventory. Not a test file: the test_*.py files import it."""

import http.cookiejar
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import testinfra

REPO = Path(__file__).resolve().parents[3]
LB = "https://localhost:9443"
CA = REPO / ".fleet/ca/ca.crt"
FILES = Path(__file__).resolve().parent / "files"
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")


def host(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


def tls():
    return ssl.create_default_context(cafile=str(CA))


def versions():
    """The release version each web host serves, asked on the host itself."""
    out = {}
    for name in ("cl-web1", "cl-web2"):
        body = host(name).run("curl -s -H 'Host: localhost' http://127.0.0.1/healthz").stdout
        out[name] = json.loads(body)["version"]
    return out


def login(vault):
    """Log in as the demo applicant through the LB; return (cookie header, csrf token)."""
    jar = browser_login(vault)[1]
    cookies = {c.name: c.value for c in jar}
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies["csrftoken"]


def browser_login(vault):
    """Log in as the demo applicant through the LB like a browser: return (opener, cookie jar);
    the jar follows every Set-Cookie of later requests."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=tls())
    )
    opener.open(LB + "/accounts/login/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {
            "username": "demo_applicant",
            "password": vault["vault_demo_password"],
            "csrfmiddlewaretoken": csrf,
        }
    ).encode()
    req = urllib.request.Request(
        LB + "/accounts/login/", data=data, headers={"Referer": LB + "/", "Origin": LB}
    )
    with opener.open(req, timeout=30) as resp:
        page = resp.read().decode(errors="replace")
        landed = resp.geturl()
    errors = re.findall(r'class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', page, re.S)
    assert any(c.name == "sessionid" for c in jar), (
        f"login through the LB failed: landed on {landed}, form errors {errors}, "
        f"cookies {sorted(c.name for c in jar)}"
    )
    return opener, jar


SOCKET_ERRORS = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
# A read error is the load balancer closing an idle keep-alive connection as nginx reloads (a drain
# and an undrain per batch: each can close the idle ones of wrk's 8 connections). Browsers retry a
# request whose keep-alive connection closed before any answer (RFC 9112, 9.3.1); wrk counts it.
# Bounded here and printed; every other error, and every non-2xx/3xx answer, fails the test.
RELOAD_READ_ERRORS = 16
BROKEN_READYZ = """

def readyz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "broken on purpose"}, status=503)
"""


class Load:
    """wrk against the LB until stopped; the summary is parsed when it stops."""

    def __init__(self, cookie="", csrf="", script="mixed.lua", connections=8):
        env = {**os.environ, "COOKIE": cookie, "CSRF": csrf, "ORIGIN": LB}
        self.proc = subprocess.Popen(
            ["wrk", "-t2", f"-c{connections}", "-d600s", "--timeout", "10s", "-s",
             str(FILES / script), LB],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
        self.wait_connected(connections)

    def wait_connected(self, connections, timeout=30):
        """Return once wrk holds all its connections to the LB's port (ss shows them), so the
        load is on before the step under test starts; fail if wrk exits or never connects."""
        port = urllib.parse.urlsplit(LB).port
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read()
                raise AssertionError(f"wrk exited {self.proc.returncode}: {out}")
            established = subprocess.run(
                ["ss", "-Htnp", "state", "established", f"( dport = :{port} )"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            if established.count(f"pid={self.proc.pid},") >= connections:
                return
            time.sleep(0.1)
        raise AssertionError(f"wrk did not open {connections} connections to {LB} in {timeout} s")

    def stop(self, label):
        self.proc.send_signal(signal.SIGINT)
        out = self.proc.communicate(timeout=60)[0]
        total = int(re.search(r"(\d+) requests in", out).group(1))
        bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
        errors = sum(map(int, m.groups())) if (
            m := re.search(SOCKET_ERRORS, out)
        ) else 0  # fmt: skip
        reads = (
            int(m.group(1))
            if (m := re.search(r"Socket errors: connect \d+, read (\d+)", out))
            else 0
        )
        print(f"\n[{label}] requests={total} non_2xx_3xx={bad} socket_errors={errors}\n{out}")
        return total, bad + errors - reads, reads


DESTRUCTIVE_MIGRATION = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("jobs", "{latest}")]
    operations = [migrations.RemoveField(model_name="resume", name="master_school")]
"""


def release_copy(tmp_path, version, broken=False, destructive=False, gunicorn=None):
    """The app with another version; broken: a /readyz that always fails; destructive: a migration
    that drops a column the serving release still reads; gunicorn: that gunicorn version pinned."""
    # Imported here: conftest imports this module first.
    from conftest import app_copy

    src = app_copy(tmp_path, version)
    pyproject = src / "pyproject.toml"
    if gunicorn:
        text = pyproject.read_text()
        assert '"gunicorn>=' in text, "app/pyproject.toml no longer lists gunicorn>=..."
        pyproject.write_text(re.sub(r'"gunicorn>=[^"]*"', f'"gunicorn=={gunicorn}"', text))
        # A new dependency needs a new lock, as scripts/lock writes it for app/.
        uv = Path(sys.executable).with_name("uv")
        subprocess.run(
            [uv, "pip", "compile", "--universal", "--generate-hashes", "--python-version", "3.11",
             "--quiet", "pyproject.toml", "-o", "requirements.lock"],
            cwd=src, check=True, timeout=300,
        )  # fmt: skip
    if broken:
        views = src / "src/recruitment/core/views.py"
        code = views.read_text().replace("def readyz(", "def _real_readyz(", 1)
        views.write_text(code + BROKEN_READYZ)
    if destructive:
        # After the app's newest jobs migration, whatever it is, so the graph keeps one leaf.
        folder = src / "src/recruitment/jobs/migrations"
        latest = max(p.stem for p in folder.glob("[0-9][0-9][0-9][0-9]_*.py"))
        number = int(latest[:4]) + 1
        migration = folder / f"{number:04d}_drop_master_school.py"
        migration.write_text(DESTRUCTIVE_MIGRATION.format(latest=latest))
    return src


def playbook(name, *extra):
    vault = REPO / "inventories/local/group_vars/all/vault.yml"
    return subprocess.run(
        ["ansible-playbook", "-i", INVENTORY, str(REPO / "playbooks" / name), "-e", f"@{vault}",
         *extra],
        capture_output=True, text=True, cwd=REPO, timeout=1800,
    )  # fmt: skip


def seed_and_login(vault):
    """Load the demo data (seed_demo is idempotent), then log in as the demo applicant."""
    seed = host("cl-web1").run(
        "sudo -u recruitment /srv/recruitment/bin/manage seed_demo --password "
        + vault["vault_demo_password"]
    )
    assert seed.rc == 0, seed.stderr
    try:
        return login(vault)
    except AssertionError as error:
        raise AssertionError(f"{error}; seed_demo said: {seed.stdout.strip()[-500:]}") from None


def ensure_serving(version, tmp_path):
    """Both web hosts serve version: a rolling upgrade to it unless they already do. The release
    tests start from a stated release this way, whichever ran before them."""
    if versions() != {"cl-web1": version, "cl-web2": version}:
        source = release_copy(tmp_path, version)
        result = playbook("rolling_upgrade.yml", "-e", f"django_app_source_path={source}")
        assert result.returncode == 0, result.stdout[-4000:]
    assert versions() == {"cl-web1": version, "cl-web2": version}


def upload_roundtrip(name, vault):
    """files/upload_roundtrip.py on host name: the demo applicant logs in at https://localhost and
    submits a resume with a photo; returns the script's JSON report."""
    from conftest import run_script  # the default scenario's, through this folder's conftest

    out = run_script(
        host(name), "upload_roundtrip.py", "https://localhost", "demo_applicant",
        vault["vault_demo_password"],
    ).stdout  # fmt: skip
    return json.loads(out)
