"""Render the upstream template without a host: the Tengine branch cannot run here (no package).

Run with: pytest roles/loadbalancer/tests
"""

from pathlib import Path

import jinja2
import yaml

ROLE = Path(__file__).resolve().parents[1]
# The role builds on role nginx, whose defaults (nginx_flavor, nginx_client_max_body_size) it reads.
DEFAULTS = {
    **yaml.safe_load((ROLE.parent / "nginx/defaults/main.yml").read_text()),
    **yaml.safe_load((ROLE / "defaults/main.yml").read_text()),
}


def render(template="etc/nginx/conf.d/upstream.conf.j2", **overrides) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROLE / "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
    )
    env.filters["bool"] = bool  # Ansible's, for the values these tests pass
    values = {
        **DEFAULTS,
        "ansible_managed": "Ansible managed",
        "loadbalancer_backends": ["10.77.0.11", "10.77.0.12"],
        "loadbalancer_backend_server_name": "www.example.com",
        "__loadbalancer_down": [],
        **overrides,
    }
    return env.get_template(template).render(values)


def test_round_robin_passive_checks():
    text = render()
    assert "server 10.77.0.11:443 max_fails=3 fail_timeout=10s;" in text
    assert "server 10.77.0.12:443 max_fails=3 fail_timeout=10s;" in text
    assert "keepalive 32;" in text
    assert "keepalive_timeout 4s;" in text
    assert "check " not in text and "hash" not in text


def test_drained_backend_is_down():
    text = render(__loadbalancer_down=["10.77.0.11"])
    assert "server 10.77.0.11:443 max_fails=3 fail_timeout=10s down;" in text
    assert "server 10.77.0.12:443 max_fails=3 fail_timeout=10s;" in text


def test_methods():
    assert "least_conn;" in render(loadbalancer_method="least_conn")
    assert "ip_hash;" in render(loadbalancer_method="ip_hash")
    text = render(loadbalancer_method="consistent_hash", loadbalancer_hash_key="$cookie_sessionid")
    assert "hash $cookie_sessionid consistent;" in text


def test_tengine_active_checks():
    text = render(nginx_flavor="tengine")
    assert "check interval=3000 rise=2 fall=3 timeout=1000 type=http port=80;" in text
    assert 'check_http_send "GET /healthz HTTP/1.0\\r\\nHost: www.example.com\\r\\n\\r\\n";' in text
    assert "check_http_expect_alive http_2xx;" in text


WAF = "etc/nginx/modsecurity/djstack.conf.j2"


def test_waf_modes():
    assert "SecRuleEngine On" in render(WAF, loadbalancer_waf="block")
    detect = render(WAF, loadbalancer_waf="detect")
    assert "SecRuleEngine DetectionOnly" in detect and "SecRuleEngine On" not in detect


def test_waf_body_limit_follows_client_max_body_size():
    assert "SecRequestBodyLimit 10485760" in render(WAF, loadbalancer_waf="block")
    limit = render(WAF, loadbalancer_waf="block", nginx_client_max_body_size="512k")
    assert "SecRequestBodyLimit 524288" in limit


def test_waf_skips_password_fields():
    text = render(WAF, loadbalancer_waf="block")
    assert 'SecRuleUpdateTargetByTag "OWASP_CRS" "!ARGS:password"' in text


MAINTENANCE = "etc/nginx/conf.d/djstack-maintenance.conf.j2"


def test_maintenance_maps():
    on = render(MAINTENANCE, loadbalancer_maintenance=True)
    assert "default 1;" in on and "127.0.0.1/32 0;" in on
    # Re-evaluated after the internal redirect to the page, or the page itself would be refused.
    assert on.count("volatile;") == 2
    assert "~^/(healthz|readyz|metrics)(/|$) 0;" in on
    off = render(MAINTENANCE, loadbalancer_maintenance=False)
    assert "default 0;" in off and "default 1;" not in off.split("map $uri")[0]
