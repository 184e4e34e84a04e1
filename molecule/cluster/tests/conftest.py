"""The cluster scenario reuses the default scenario's fixtures (vault, assert_running, web...);
its own helpers are in cluster.py."""

import importlib.util
from pathlib import Path

import pytest
from cluster import seed_and_login

_shared = Path(__file__).resolve().parents[2] / "default/tests/conftest.py"
_spec = importlib.util.spec_from_file_location("default_scenario_conftest", _shared)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

REPO = _module.REPO
assert_running = _module.assert_running
vault = _module.vault
run_script = _module.run_script
app_copy = _module.app_copy


@pytest.fixture(scope="module")
def session(vault):
    """A demo applicant's (cookie header, csrf token), logged in through the LB."""
    return seed_and_login(vault)
