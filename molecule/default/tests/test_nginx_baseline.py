"""dev-sec nginx-baseline, control by control, on the web host: what holds is asserted from the
running nginx (nginx -T, processes, files, real requests); what is waived is asserted the way we
chose instead, with the reason here and in the README ("Security baselines")."""

import re

import pytest
from test_nginx import curl


@pytest.fixture(scope="module", autouse=True)
def only_webservers(host):
    if "webservers" not in host.ansible.get_variables().get("group_names", []):
        pytest.skip("nginx runs on web servers only")


@pytest.fixture(scope="module")
def config(host):
    result = host.run("nginx -T")
    assert result.rc == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def site(host):
    return host.ansible.get_variables().get("nginx_server_names", ["localhost"])[0]


def directive(config, name):
    """Every value of a directive in the effective configuration."""
    return [m.strip() for m in re.findall(rf"^\s*{name}\s+([^;]+);", config, re.M)]


def test_nginx_01_workers_run_as_www_data(host, config):
    assert directive(config, "user") == ["www-data"]
    workers = host.check_output("ps -o user= -C nginx | sort | uniq -c").split("\n")
    users = {line.split()[1] for line in workers}
    assert users == {"root", "www-data"}, workers


def test_nginx_02_config_owned_by_root_closed_to_others(host):
    conf = host.file("/etc/nginx/nginx.conf")
    assert (conf.user, conf.group) == ("root", "root")
    assert conf.mode & 0o007 == 0, oct(conf.mode)


def test_nginx_03_no_default_site(host):
    assert not host.file("/etc/nginx/conf.d/default.conf").exists
    assert not host.file("/etc/nginx/sites-enabled/default").exists


def test_nginx_04_one_master(host):
    # ps, not pgrep -f: the shell running pgrep would match its own pattern.
    processes = host.check_output("ps -C nginx -o args=").splitlines()
    assert sum(p.startswith("nginx: master process") for p in processes) == 1, processes


def test_nginx_05_server_tokens_off(host, config, site):
    assert directive(config, "server_tokens") == ["off"]
    assert curl(host, f"https://{site}/").one("server") == "nginx"


def test_nginx_06_waived_body_size_kept_for_uploads(config):
    # Waived: client_max_body_size 1k would refuse every resume upload (test_app's round trip
    # uploads a photo and a PDF); the limit is nginx_client_max_body_size, 10m by default.
    assert "10m" in directive(config, "client_max_body_size")


def test_nginx_07_connections_limited_per_client(config):
    # Held with another number: 5 per address would throttle an office behind one NAT; the limit is
    # per real client address (set_real_ip_from the load balancers), webserver_limit_conn_per_ip.
    assert any(
        v.startswith("$binary_remote_addr zone=") for v in directive(config, "limit_conn_zone")
    )
    assert directive(config, "limit_conn")


@pytest.mark.parametrize("path", ["/", "/static/no-such-file.css"])
def test_nginx_08_10_13_15_headers_on_real_responses(host, site, path):
    response = curl(host, f"https://{site}{path}")
    assert response.status in (200, 404), response
    assert response.one("x-frame-options") == "DENY"  # stricter than SAMEORIGIN
    assert response.one("x-content-type-options") == "nosniff"
    max_age = int(re.search(r"max-age=(\d+)", response.one("strict-transport-security")).group(1))
    assert max_age >= 15768000
    csp = response.one("content-security-policy")
    assert "script-src 'self'" in csp and "object-src 'none'" in csp, csp


def test_nginx_09_waived_x_xss_protection_is_not_sent(host, site):
    # Waived: browsers ignore X-XSS-Protection (Django dropped its check in 3.0); the CSP above is
    # the protection, and sending the header can open XS-leaks in old browsers.
    assert curl(host, f"https://{site}/").all("x-xss-protection") == []


def test_nginx_12_waived_tls_follows_mozilla_intermediate(config):
    # Waived: dev-sec's fixed ECDHE list includes CBC suites; Mozilla intermediate (AEAD only) is
    # chosen. test_nginx.py shows CBC suites and TLS < 1.2 refused by real handshakes.
    assert directive(config, "ssl_protocols") and all(
        set(v.split()) == {"TLSv1.2", "TLSv1.3"} for v in directive(config, "ssl_protocols")
    )
    assert "off" in directive(config, "ssl_session_tickets")


def test_nginx_17_timeouts(config):
    assert "5 5" in directive(config, "keepalive_timeout")
    for name in ("client_body_timeout", "client_header_timeout", "send_timeout"):
        values = directive(config, name)
        assert values and set(values) == {"10"}, (name, values)
