"""A web host killed under load. Precondition: the converged cluster, both web hosts serving;
the test starts the killed host again and waits until it serves, for the tests after it."""

import subprocess
import time

import pytest
from cluster import Load, host


def test_killed_web_host_loses_no_get(session):
    load = Load(script="get.lua")
    subprocess.run(["docker", "kill", "cl-web1"], check=True, capture_output=True)
    time.sleep(10)
    total, failed, reads = load.stop("web1 killed")
    subprocess.run(["docker", "start", "cl-web1"], check=True, capture_output=True)
    # No reload happens here: every read error would be a lost GET.
    assert total > 0 and failed == 0 and reads == 0, (total, failed, reads)
    # The host boots back into service by itself (units enabled, firewall loaded), for later tests.
    for _ in range(60):
        if (
            host("cl-lb1")
            .run("curl -sf --resolve localhost:443:10.79.0.11 https://localhost/readyz")
            .rc
            == 0
        ):
            break
        time.sleep(2)
    else:
        pytest.fail("cl-web1 did not come back into service within 120 s of docker start")
