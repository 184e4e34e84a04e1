"""Tests of roles/loadbalancer, for any host in group loadbalancers.

Requests go from the load balancer host itself to https://localhost, with the stack's CA trusted
(the role installs it). The fixture below puts /static/probe.txt holding its own inventory name on
each backend, so a response tells which backend answered.
"""

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import testinfra
from cluster import playbook

# The checkout: the first folder up from here that holds site.yml, wherever this file is moved.
REPO = next(p for p in Path(__file__).resolve().parents if (p / "site.yml").exists())
CURL = "curl --silent --show-error --max-time 10"
SITE = "https://localhost"
PROBE = "/static/probe.txt"
LOGIN = "/accounts/login/"
UPSTREAM = "/etc/nginx/conf.d/upstream-django_backends.conf"
ALL_DOWN_MESSAGE = "Refusing to mark every backend down"

# An operator setting the drained set by hand: the upstream entry point on the load balancers,
# with loadbalancer_backends_down given as extra vars.
DRAIN_PLAYBOOK = """---
- name: Set the backends that are down, as an operator does
  hosts: loadbalancers
  become: true
  gather_facts: false
  tasks:
    - name: Write the upstream and reload nginx
      ansible.builtin.include_role:
        name: loadbalancer
        tasks_from: upstream
"""

# As a rolling change does it: roles/rollout's drain and undrain, from a web host's play,
# delegated to each load balancer.
ROLLOUT_PLAYBOOK = """---
- name: Drain a web host and put it back, as a rolling upgrade does
  hosts: "{{ rollout_test_host }}"
  become: true
  gather_facts: false
  tasks:
    - name: Drain
      ansible.builtin.include_role:
        name: rollout
        tasks_from: drain
      when: rollout_test_step in ['drain', 'both']
    - name: Put back
      ansible.builtin.include_role:
        name: rollout
        tasks_from: undrain
      when: rollout_test_step in ['undrain', 'both']
"""


@pytest.fixture(autouse=True)
def only_load_balancers(host):
    if "loadbalancers" not in host.ansible.get_variables().get("group_names", []):
        pytest.skip("not a load balancer")


@pytest.fixture(scope="module", autouse=True)
def probe_files():
    """Each web host's current release serves /static/probe.txt with the host's name."""
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    for backend in testinfra.get_hosts(["ansible://webservers"], ansible_inventory=inventory):
        name = backend.ansible.get_variables()["inventory_hostname"]
        static = backend.check_output("readlink -f /srv/recruitment/current/static")
        backend.run_expect(
            [0], f"echo {name} > {static}/probe.txt && chmod 0644 {static}/probe.txt"
        )


def backends(host) -> list[str]:
    """Backend addresses, in the order of the upstream file."""
    return re.findall(r"^\s*server (\S+):\d+ ", host.file(UPSTREAM).content_string, re.M)


def nginx_config(host) -> str:
    result = host.run("nginx -T")
    assert result.rc == 0, result.stderr
    return result.stdout


def probe(host, count: int) -> list[str]:
    """Which backend answered each of count requests for the probe file."""
    out = host.check_output(f"for i in $(seq {count}); do {CURL} --fail {SITE}{PROBE}; done")
    return out.split()


def wait_until_live(host) -> None:
    """Wait out passive health checks: 502s from backends without an app mark them failed."""
    for _ in range(30):
        if host.run(f"{CURL} --fail -o /dev/null {SITE}{PROBE}").rc == 0:
            return
        time.sleep(1)
    pytest.fail("no backend answered the probe for 30 seconds")


def set_down(down: list[str], tmp_path: Path, **extra_vars) -> subprocess.CompletedProcess:
    """include_role tasks_from=upstream with loadbalancer_backends_down, as an operator would."""
    return run_playbook(DRAIN_PLAYBOOK, tmp_path, loadbalancer_backends_down=down, **extra_vars)


def rollout(host: str, step: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """roles/rollout's drain ('drain'), undrain ('undrain') or both for one web host."""
    return run_playbook(ROLLOUT_PLAYBOOK, tmp_path, rollout_test_host=host, rollout_test_step=step)


def run_playbook(text: str, tmp_path: Path, **extra_vars) -> subprocess.CompletedProcess:
    playbook = tmp_path / "test.yml"
    playbook.write_text(text)
    # The repository's shared variables, as playbooks/group_vars gives them to the real playbooks.
    link = tmp_path / "group_vars"
    if not link.exists():
        link.symlink_to(REPO / "group_vars")
    env = {**os.environ, "ANSIBLE_ROLES_PATH": str(REPO / "roles"), "ANSIBLE_FORCE_COLOR": "0"}
    ephemeral = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "")
    if ephemeral and (Path(ephemeral) / "ansible.cfg").exists():
        env["ANSIBLE_CONFIG"] = str(Path(ephemeral) / "ansible.cfg")
    extra = json.dumps(extra_vars)
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    cmd = ["ansible-playbook", "-i", inventory, str(playbook), "-e", extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, check=False)


def changed(result: subprocess.CompletedProcess) -> int:
    return sum(int(n) for n in re.findall(r"changed=(\d+)", result.stdout))


def test_service(host):
    nginx = host.service("nginx")
    if not nginx.is_running:
        journal = host.run("journalctl --no-pager -n 40 -u nginx").stdout
        pytest.fail(f"nginx is not running\n{journal}")
    assert nginx.is_enabled
    assert host.run("nginx -t").rc == 0


def test_config(host):
    config = nginx_config(host)
    retries = re.findall(r"^\s*proxy_next_upstream (.+);", config, re.M)
    assert retries, "proxy_next_upstream is not set"
    for line in retries:
        assert "non_idempotent" not in line, "a POST must never be retried on another backend"
        assert {"error", "timeout"} <= set(line.split())
    for directive in (
        "server_tokens off;",
        "proxy_ssl_verify on;",
        "proxy_ssl_server_name on;",
        "proxy_ssl_session_reuse on;",
        'proxy_set_header Connection "";',
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_hide_header Strict-Transport-Security;",
        "ssl_reject_handshake on;",
        "limit_req_status 429;",
    ):
        assert directive in config, f"missing: {directive}"
    assert re.search(r"^\s*keepalive \d+;", config, re.M)
    assert len(backends(host)) >= 2, "these tests need two backends"
    # stub_status answers on loopback only.
    assert "Active connections" in host.check_output(f"{CURL} http://127.0.0.1:8081/nginx_status")


def test_one_nginx_base_under_both_tiers(host):
    """Role nginx writes what both tiers share; each tier adds only its own site."""
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    web = testinfra.get_hosts(["ansible://webservers"], ansible_inventory=inventory)[0]
    for path in (
        "/etc/nginx/nginx.conf",
        "/etc/nginx/sites-available/catch-all.conf",
        "/etc/nginx/sites-available/stub-status.conf",
        "/etc/logrotate.d/nginx",
    ):
        assert host.file(path).content_string == web.file(path).content_string, path
    base = {"catch-all.conf", "stub-status.conf"}
    enabled = "ls /etc/nginx/sites-enabled"
    assert set(host.check_output(enabled).split()) == base | {"loadbalancer.conf"}
    assert set(web.check_output(enabled).split()) == base | {"django.conf"}
    # The load balancer rotates nginx's logs too (before the base, only the web hosts did).
    assert host.service("logrotate.timer").is_enabled


def test_redirect(host):
    out = host.check_output(
        f"{CURL} -o /dev/null -w '%{{http_code}} %{{redirect_url}}' http://localhost/jobs/?q=1"
    )
    assert out == "308 https://localhost/jobs/?q=1"


def test_unknown_names(host):
    # TLS for an unknown name is refused in the handshake; plain HTTP gets no response (444).
    tls = host.run(f"{CURL} --resolve unknown.example:443:127.0.0.1 https://unknown.example/")
    assert tls.rc != 0
    plain = host.run(f"{CURL} -H 'Host: unknown.example' http://127.0.0.1/")
    assert plain.rc == 52, plain.stderr  # empty reply


def test_headers(host):
    wait_until_live(host)
    for path, status in ((PROBE, "200"), ("/static/missing.txt", "404")):
        out = host.check_output(f"{CURL} -D - -o /dev/null {SITE}{path}")
        assert out.splitlines()[0].split()[1] == status, out
        names = [line.split(":")[0].lower() for line in out.splitlines()[1:] if ":" in line]
        assert names.count("strict-transport-security") == 1, out
        assert "server: nginx\r\n" in out.lower(), "server_tokens off hides the version"
        # The backends' security headers pass through, once.
        assert names.count("x-content-type-options") == 1, out
        assert names.count("x-frame-options") == 1, out


def test_round_robin(host):
    wait_until_live(host)
    seen = probe(host, 12)
    assert len(set(seen)) >= 2, f"requests went to one backend only: {seen}"


def test_drain_and_restore(host, tmp_path):
    wait_until_live(host)
    first = backends(host)[0]

    drained = set_down([first], tmp_path)
    assert drained.returncode == 0, drained.stdout + drained.stderr
    upstream = host.file(UPSTREAM).content_string
    assert re.search(rf"^\s*server {re.escape(first)}:\d+ .* down;", upstream, re.M), upstream
    # In effect at once: every request goes to the backends left.
    seen = probe(host, 12)
    assert len(set(seen)) == 1, f"a drained backend still answers: {seen}"

    again = set_down([first], tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert changed(again) == 0, again.stdout

    restored = set_down([], tmp_path)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert " down;" not in host.file(UPSTREAM).content_string
    seen = probe(host, 12)
    assert len(set(seen)) >= 2, f"the restored backend gets no requests: {seen}"


def test_a_drain_keeps_the_load_balancers_own_settings(host, tmp_path):
    # molecule.yml sets loadbalancer_max_fails 4 for cl-lb1 only; the web hosts' plays see 3.
    assert "max_fails=4" in host.file(UPSTREAM).content_string
    web1 = "10.79.0.11"
    drained = rollout("cl-web1", "drain", tmp_path)
    assert drained.returncode == 0, drained.stdout[-3000:]
    upstream = host.file(UPSTREAM).content_string
    assert re.search(rf"^\s*server {re.escape(web1)}:\d+ max_fails=4 .* down;", upstream, re.M)
    assert upstream.count("max_fails=4") == len(backends(host)), upstream
    back = rollout("cl-web1", "undrain", tmp_path)
    assert back.returncode == 0, back.stdout[-3000:]
    upstream = host.file(UPSTREAM).content_string
    assert " down;" not in upstream and upstream.count("max_fails=4") == len(backends(host))


def test_a_hand_drained_backend_stays_out(host, tmp_path):
    """Drained by an operator: a rolling change's undrain and a converge keep it drained."""
    web2 = "10.79.0.12"
    try:
        assert set_down([web2], tmp_path).returncode == 0
        back = rollout("cl-web1", "undrain", tmp_path)
        assert back.returncode == 0, back.stdout[-3000:]
        assert changed(back) == 0, back.stdout[-3000:]
        converge = playbook("loadbalancer.yml")
        assert converge.returncode == 0, converge.stdout[-3000:]
        upstream = host.file(UPSTREAM).content_string
        assert re.search(rf"^\s*server {re.escape(web2)}:\d+ .* down;", upstream, re.M), upstream
        # A rolling change of the other host is refused: it would leave no backend up.
        refused = rollout("cl-web1", "drain", tmp_path)
        assert refused.returncode != 0, refused.stdout[-3000:]
        assert ALL_DOWN_MESSAGE in refused.stdout + refused.stderr, refused.stdout[-3000:]
    finally:
        assert set_down([], tmp_path).returncode == 0
    assert " down;" not in host.file(UPSTREAM).content_string


def test_never_all_down(host, tmp_path):
    before = host.file(UPSTREAM).content_string
    result = set_down(backends(host), tmp_path)
    assert result.returncode != 0, result.stdout
    assert ALL_DOWN_MESSAGE in result.stdout + result.stderr, result.stdout
    assert host.file(UPSTREAM).content_string == before


def test_rejected_upstream_is_rolled_back(host, tmp_path):
    before = host.file(UPSTREAM).content_string
    bad = {"loadbalancer_method": "consistent_hash", "loadbalancer_hash_key": "$no_such_variable"}
    result = set_down([], tmp_path, **bad)
    assert result.returncode != 0, result.stdout
    said = re.sub(r"\s+", " ", result.stdout + result.stderr)
    assert f"nginx rejected the new {UPSTREAM}" in said, result.stdout[-3000:]
    assert host.file(UPSTREAM).content_string == before
    # No backup file left behind: only the upstream and the maintenance mode's maps.
    leftovers = sorted(host.run("ls /etc/nginx/conf.d/").stdout.split())
    assert leftovers == ["djstack-maintenance.conf", UPSTREAM.rsplit("/", 1)[1]], leftovers
    assert host.run("nginx -t").rc == 0


def test_rate_limit(host):
    # The limit acts before proxying, so it shows even when the backends have no app (502).
    out = host.check_output(
        f"for i in $(seq 50); do {CURL} -o /dev/null -w '%{{http_code}}\\n' {SITE}{LOGIN}; done"
    )
    codes = out.split()
    assert "429" in codes, codes
    assert codes[0] != "429", "the first request was limited"
    # Other paths are not limited.
    assert "429" not in probe_codes(host, 20)


def probe_codes(host, count: int) -> list[str]:
    status = "-o /dev/null -w '%{http_code}\\n'"
    out = host.check_output(f"for i in $(seq {count}); do {CURL} {status} {SITE}{PROBE}; done")
    return out.split()


def test_client_address_reaches_backends(host):
    """The web tier logs the client's address: not the LB's, and not one the client made up."""
    wait_until_live(host)
    marker = f"lbtest-{time.time_ns()}"
    spoof = "-H 'X-Forwarded-For: 203.0.113.9' -H 'X-Real-IP: 203.0.113.9'"
    host.check_output(f"for i in 1 2 3 4; do {CURL} -A {marker} {spoof} {SITE}{PROBE}; done")
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    lines = []
    for name in host.ansible.get_variables()["groups"]["webservers"]:
        web = testinfra.get_host(f"ansible://{name}", ansible_inventory=inventory)
        log = web.run(f"grep -h {marker} /var/log/nginx/access.log").stdout
        lines += log.splitlines()
    assert lines, "no backend logged the requests"
    for line in lines:
        assert line.startswith("127.0.0.1 "), line
