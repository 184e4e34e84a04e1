"""Every host refreshes its package index at the same moment through the controller's apt cache
(nginx, scripts/apt-cache.conf), as a converge does, and each finishes well within apt's own
timeouts: concurrent fetches of one file wait for one download instead of failing or hanging."""

from concurrent.futures import ThreadPoolExecutor

import testinfra
from cluster import INVENTORY

HOSTS = ["cl-lb1", "cl-web1", "cl-web2", "cl-db1", "cl-mon1"]
# apt's timeout here is 30 s a fetch with 3 retries (roles/common); a hang outlives both.
BOUND_S = 150


def refresh(name):
    # Dropping the lists makes apt fetch every index again rather than answer "Hit" from disk.
    command = f"rm -rf /var/lib/apt/lists/* && timeout {BOUND_S} apt-get update"
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}").run(command)


def test_hosts_refreshing_the_same_index_at_once_all_finish():
    with ThreadPoolExecutor(len(HOSTS)) as pool:
        results = dict(zip(HOSTS, pool.map(refresh, HOSTS), strict=True))
    for name, result in results.items():
        assert result.rc == 0, f"{name}: apt-get update exited {result.rc}:\n{result.stderr}"
        problems = [line for line in result.stderr.splitlines() if line.startswith(("W:", "E:"))]
        assert not problems, f"{name}: {problems}"
        assert "InRelease" in result.stdout, f"{name} fetched no index:\n{result.stdout}"
