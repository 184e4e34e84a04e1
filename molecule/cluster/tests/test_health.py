"""/readyz (database, migrations, storage) answers only the health checkers: a client through the
load balancer gets 403, the web host's own gate over plain HTTP gets the checks. /healthz stays
open. And the load balancer's idle connections to the backends close before the backends close
them. Precondition: the converged cluster, both web hosts serving."""

import json
import re
import urllib.error
import urllib.request

from cluster import LB, host, tls


def status_through_the_lb(path):
    try:
        with urllib.request.urlopen(LB + path, timeout=30, context=tls()) as resp:
            return resp.status
    except urllib.error.HTTPError as error:
        return error.code


def test_readyz_is_refused_to_clients_and_answers_the_gate():
    assert status_through_the_lb("/readyz") == 403
    assert status_through_the_lb("/healthz") == 200
    for name in ("cl-web1", "cl-web2"):
        gate = host(name).run("curl -s -H 'Host: localhost' http://127.0.0.1/readyz")
        assert json.loads(gate.stdout)["status"] == "ok", (name, gate.stdout)


def keepalive_timeouts(name, section):
    """The keepalive_timeout values in the effective nginx configuration's section of host name."""
    config = host(name).run("sudo nginx -T").stdout
    if section == "upstream":
        config = config[config.index("upstream django_backends {") :]
        config = config[: config.index("}")]
    return [int(v) for v in re.findall(r"^\s*keepalive_timeout\s+(\d+)", config, re.M)]


def test_the_lb_drops_idle_backend_connections_before_the_backends_do():
    # A POST sent on a connection the backend is closing fails and is not retried.
    upstream = keepalive_timeouts("cl-lb1", "upstream")
    assert upstream, "no keepalive_timeout in the load balancer's upstream"
    for name in ("cl-web1", "cl-web2"):
        backend = keepalive_timeouts(name, "http")
        assert backend and max(upstream) < min(backend), (upstream, name, backend)
