"""scripts/check-lock: a lock that no longer satisfies pyproject.toml is named, line and package.

Run with: pytest scripts/tests
"""

import importlib.machinery
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "check-lock"
_loader = importlib.machinery.SourceFileLoader("check_lock", str(SCRIPT))
_spec = importlib.util.spec_from_loader("check_lock", _loader)
check_lock = importlib.util.module_from_spec(_spec)
_loader.exec_module(check_lock)

PYPROJECT = """[project]
name = "site"
version = "1.0"
dependencies = ["Django>=5.2,<5.3", "gunicorn>=22", "pywin32>=300; sys_platform == 'win32'"]
"""
HASH = "    --hash=sha256:" + "0" * 64


def write(tmp_path, lock: str) -> tuple[Path, Path]:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "requirements.lock").write_text(lock)
    return tmp_path / "pyproject.toml", tmp_path / "requirements.lock"


def test_the_apps_lock_is_consistent():
    app = check_lock.REPO / "app"
    assert check_lock.check(app / "pyproject.toml", app / "requirements.lock") == []


def test_a_consistent_lock_passes(tmp_path):
    lock = f"# header\ndjango==5.2.19 \\\n{HASH}\n    # via site\ngunicorn==27.0.1 \\\n{HASH}\n"
    assert check_lock.check(*write(tmp_path, lock)) == []


def test_a_missing_dependency_is_named(tmp_path):
    problems = check_lock.check(*write(tmp_path, f"django==5.2.19 \\\n{HASH}\n"))
    assert len(problems) == 1 and "gunicorn (gunicorn>=22" in problems[0], problems


def test_a_pin_outside_the_range_is_named_with_its_line(tmp_path):
    lock = f"django==5.1.4 \\\n{HASH}\ngunicorn==27.0.1 \\\n{HASH}\n"
    problems = check_lock.check(*write(tmp_path, lock))
    assert problems == [
        f"{tmp_path}/requirements.lock:1: django==5.1.4 does not satisfy Django>=5.2,<5.3"
        f" in {tmp_path}/pyproject.toml"
    ]


def test_a_pin_without_a_hash_is_named(tmp_path):
    lock = f"django==5.2.19\ngunicorn==27.0.1 \\\n{HASH}\n"
    problems = check_lock.check(*write(tmp_path, lock))
    assert problems == [f"{tmp_path}/requirements.lock:1: django==5.2.19 has no --hash"]
