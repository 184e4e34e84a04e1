"""Logs are bounded: journald's limits are in force, and nginx's logs rotate, losing no line."""

import re

import pytest
from conftest import in_group


def test_journald_applies_its_size_limits(host):
    conf = host.file("/etc/systemd/journald.conf.d/50-limits.conf").content_string
    for setting in ["SystemMaxUse=500M", "SystemKeepFree=1G", "RuntimeMaxUse=64M"]:
        assert setting in conf, conf
    # journald reports the limit it enforces when it opens the persistent journal.
    with host.sudo():
        log = host.run("journalctl --no-pager -b -t systemd-journald").stdout
    reports = re.findall(r"System Journal \(/var/log/journal/\S+\) is \S+, max (\S+),", log)
    assert reports, log[-2000:]
    # Debian 12 writes 500.0M, Debian 13 500M.
    assert reports[-1] in ("500.0M", "500M"), reports


@pytest.fixture
def web(host):
    if not in_group(host, "webservers"):
        pytest.skip("not a web host")
    return host


def test_nginx_logs_rotate_and_nginx_reopens_them(web):
    host = web
    request = "curl -s -o /dev/null -H 'Host: localhost' http://127.0.0.1/healthz?probe={}"
    with host.sudo():
        conf = host.file("/etc/logrotate.d/nginx").content_string
        assert "maxsize 100M" in conf and "rotate 14" in conf, conf
        calendar = host.check_output("systemctl show logrotate.timer -p TimersCalendar --value")
        assert "*-*-* *:00:00" in calendar, calendar
        assert host.run(request.format("before")).rc == 0
        # A forced rotation with a private state file, as the hourly run would do past maxsize.
        rotate = host.run("logrotate -f -s /tmp/logrotate-test.state /etc/logrotate.d/nginx")
        assert rotate.rc == 0, rotate.stderr
        rotated = host.file("/var/log/nginx/access.log.1")
        assert rotated.exists and "probe=before" in rotated.content_string
        assert host.run(request.format("after")).rc == 0
        current = host.file("/var/log/nginx/access.log")
        assert (current.user, current.group, current.mode) == ("www-data", "adm", 0o640)
        # nginx writes to the new file: it reopened its logs after the rotation.
        assert "probe=after" in current.content_string
        assert "probe=after" not in rotated.content_string
