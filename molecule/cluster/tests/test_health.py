"""/readyz (database, migrations, storage) answers only the health checkers: a client through the
load balancer gets 403, the web host's own gate over plain HTTP gets the checks. /healthz stays
open. Precondition: the converged cluster, both web hosts serving."""

import json
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
