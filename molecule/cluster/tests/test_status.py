"""playbooks/status.yml: per web host the release that serves, the previous one and whether the
load balancer marks it down, then who holds the deploy lock. It changes nothing.
Precondition: the converged cluster, both web hosts serving, the deploy lock free."""

import json
import re
import shlex

from cluster import host, playbook

UPSTREAM = "/etc/nginx/conf.d/upstream-django_backends.conf"
LOCK = "/var/lib/djstack-deploy.lock"
WEB2_IP = "10.79.0.12"


def status():
    result = playbook("status.yml")
    out = re.sub(r"\s+", " ", result.stdout)
    assert result.returncode == 0, result.stdout[-3000:]
    recap = re.findall(r"changed=(\d+)", out)
    assert recap and set(recap) == {"0"}, out[-3000:]
    return out


def release_links(name):
    """(current, previous) release folder names, read on the host."""
    out = host(name).run("readlink /srv/recruitment/current /srv/recruitment/previous").stdout
    names = [line.rsplit("/", 1)[-1] for line in out.split()]
    return names[0], names[1] if len(names) > 1 else "none"


def test_status_names_each_hosts_releases_and_a_free_lock():
    out = status()
    for name in ("cl-web1", "cl-web2"):
        current, previous = release_links(name)
        # ...and what the serving release is built from (its release.json), here the checkout's app/
        # or a copy of it, as a path source.
        line = f"{name}: serves {current}, previous {previous}; cl-lb1 in service; built from path"
        assert line in out, (line, out[-3000:])
        # ...and the lock it was installed from, with its checksum.
        assert re.search(
            rf"{name}: serves .*; locked by \S+/requirements\.lock \(sha256 [0-9a-f]{{12}}\)", out
        ), out[-3000:]
    assert "deploy lock: free" in out, out[-3000:]


def test_status_shows_a_drained_host_and_the_locks_holder():
    lb, db = host("cl-lb1"), host("cl-db1")
    record = {
        "playbook": "playbooks/rolling_upgrade.yml",
        "run_id": "20261201T101500Z-5ca1ab1e",
        "user": "alice",
        "controller": "laptop-alice",
        "started": "2026-12-01T10:15:00Z",
    }
    with lb.sudo(), db.sudo():
        original = lb.file(UPSTREAM).content_string
        assert db.run(f"mkdir {LOCK}").rc == 0, f"{LOCK} already held"
        try:
            # The file as a drain writes it; nginx is not reloaded, so no request sees it.
            marked = lb.run(
                rf"sed -i 's/^\(\s*server {WEB2_IP}:[0-9]* [^;]*\);/\1 down;/' {UPSTREAM}"
            )
            assert marked.rc == 0 and " down;" in lb.file(UPSTREAM).content_string
            assert db.run(f"printf '%s' '{json.dumps(record)}' > {LOCK}/owner.json").rc == 0
            out = status()
        finally:
            lb.run(f"printf '%s' {shlex.quote(original)} > {UPSTREAM}")
            db.run(f"rm -rf {LOCK}")
        assert lb.file(UPSTREAM).content_string == original
    assert re.search(r"cl-web2: serves \S+, previous \S+; cl-lb1 drained", out), out[-3000:]
    assert re.search(r"cl-web1: serves \S+, previous \S+; cl-lb1 in service", out), out[-3000:]
    holder = (
        "deploy lock: held by playbooks/rolling_upgrade.yml (run 20261201T101500Z-5ca1ab1e)"
        " by alice@laptop-alice since 2026-12-01T10:15:00Z ("
    )
    assert holder in out and re.search(r"\(\d+ min ago\)", out), out[-3000:]
