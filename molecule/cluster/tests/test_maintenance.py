"""playbooks/maintenance.yml: on, clients get 503 with the page, Retry-After and the security
headers; the load balancer's own address (the operators' bypass) still reaches the site; /healthz,
/readyz and /metrics answer as without it; a converge keeps the mode; off, the site is back.
Precondition: the converged cluster, both web hosts serving, maintenance off."""

import json
import re
import urllib.error
import urllib.request

from cluster import LB, host, playbook, tls

MESSAGE = "Back after the database upgrade, at 14:00 UTC."


def through_the_lb(path):
    """(status, headers, body) of a GET through the load balancer from the controller."""
    try:
        with urllib.request.urlopen(LB + path, timeout=30, context=tls()) as resp:
            return resp.status, resp.headers, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


def switch(mode, *extra):
    result = playbook("maintenance.yml", "-e", f"maintenance={mode}", *extra)
    assert result.returncode == 0, result.stdout[-3000:]


def test_maintenance_mode_answers_503_with_a_bypass_and_the_health_paths_open():
    before = {path: through_the_lb(path)[0] for path in ("/healthz", "/readyz", "/metrics")}
    assert through_the_lb("/")[0] == 200
    try:
        switch("on", "-e", json.dumps({"loadbalancer_maintenance_message": MESSAGE}))
        status, headers, body = through_the_lb("/")
        assert status == 503 and MESSAGE in body, (status, body[:500])
        assert headers["Retry-After"] == "120", dict(headers)
        assert headers["Strict-Transport-Security"].startswith("max-age="), dict(headers)
        assert headers["X-Content-Type-Options"] == "nosniff", dict(headers)
        assert headers["X-Frame-Options"] == "DENY", dict(headers)
        assert "default-src 'none'" in headers["Content-Security-Policy"], dict(headers)
        # The health and metrics paths answer exactly as before.
        assert {path: through_the_lb(path)[0] for path in before} == before
        # Staff on the load balancer itself (loadbalancer_maintenance_allow) see the site.
        bypass = host("cl-lb1").run("curl -s -o /dev/null -w '%{http_code}' https://localhost/")
        assert bypass.stdout == "200", bypass.stdout + bypass.stderr
        # The mode is state: a converge of the load balancers keeps it.
        converge = playbook("loadbalancer.yml")
        assert converge.returncode == 0, converge.stdout[-3000:]
        assert through_the_lb("/")[0] == 503
    finally:
        switch("off")
    status, _, body = through_the_lb("/")
    assert status == 200 and MESSAGE not in body, status


def test_maintenance_needs_a_mode():
    result = playbook("maintenance.yml")
    # molecule's ansible.cfg sends failures to stderr (display_failed_stderr).
    out = re.sub(r"\s+", " ", result.stdout + result.stderr)
    assert result.returncode != 0, out[-3000:]
    assert "-e maintenance=on or -e maintenance=off" in out, out[-3000:]
