"""One nftables policy per tier: what each tier offers is reachable from the hosts that need it,
and refused from everywhere else, including the controller's own network (the docker host)."""

import socket

import pytest
import testinfra
from cluster import INVENTORY

IP = {
    "cl-lb1": "10.79.0.10",
    "cl-web1": "10.79.0.11",
    "cl-web2": "10.79.0.12",
    "cl-db1": "10.79.0.13",
    "cl-mon1": "10.79.0.14",
}


def host(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


def opens(src, dst, port):
    """True when a TCP connection from host src to dst:port is accepted within 3 s."""
    probe = host(src).run(f"timeout 3 bash -c '</dev/tcp/{IP[dst]}/{port}'")
    return probe.rc == 0


def opens_from_controller(dst, port):
    try:
        socket.create_connection((IP[dst], port), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize(
    ("src", "dst", "port", "allowed"),
    [
        ("cl-web1", "cl-db1", 3306, True),
        ("cl-web2", "cl-db1", 3306, True),
        ("cl-lb1", "cl-db1", 3306, False),
        ("cl-web1", "cl-db1", 8333, True),
        ("cl-lb1", "cl-db1", 8333, False),
        ("cl-lb1", "cl-web1", 443, True),
        ("cl-lb1", "cl-web2", 80, True),
        ("cl-db1", "cl-web1", 443, False),
        ("cl-web2", "cl-web1", 443, False),
        ("cl-db1", "cl-lb1", 443, True),
        ("cl-mon1", "cl-web1", 9100, True),
        ("cl-mon1", "cl-web1", 9180, True),
        ("cl-mon1", "cl-db1", 9104, True),
        ("cl-lb1", "cl-web1", 9100, False),
        ("cl-lb1", "cl-web1", 9180, False),
        ("cl-web1", "cl-db1", 9104, False),
        ("cl-web1", "cl-mon1", 9090, False),
    ],
)
def test_cross_tier_paths(src, dst, port, allowed):
    assert opens(src, dst, port) is allowed


@pytest.mark.parametrize(
    ("dst", "port", "allowed"),
    [
        ("cl-lb1", 443, True),
        ("cl-lb1", 22, True),
        ("cl-web1", 443, False),
        ("cl-web1", 80, False),
        ("cl-web1", 22, True),
        ("cl-db1", 3306, False),
        ("cl-db1", 8333, False),
        ("cl-db1", 9100, False),
        ("cl-mon1", 9090, False),
    ],
)
def test_paths_from_the_host_network(dst, port, allowed):
    assert opens_from_controller(dst, port) is allowed


def test_policy_drops_by_default():
    for name in IP:
        ruleset = host(name).run("nft list chain inet djstack_firewall input")
        assert ruleset.rc == 0, ruleset.stderr
        assert "policy drop;" in ruleset.stdout, (name, ruleset.stdout)
