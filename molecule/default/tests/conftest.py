"""Shared helpers for the default scenario's testinfra tests."""

import pytest


def service_diagnostics(host, unit: str) -> str:
    """The unit's status and recent journal, printed when a service assertion fails."""
    status = host.run(f"systemctl --no-pager status {unit}").stdout
    journal = host.run(f"journalctl --no-pager -n 40 -u {unit}").stdout
    return f"\n--- systemctl status {unit}\n{status}\n--- journalctl -u {unit}\n{journal}"


@pytest.fixture
def assert_running(host):
    def check(unit: str) -> None:
        svc = host.service(unit)
        assert svc.is_running, f"{unit} is not running" + service_diagnostics(host, unit)
        assert svc.is_enabled, f"{unit} is not enabled" + service_diagnostics(host, unit)

    return check
