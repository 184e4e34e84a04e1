"""Suite-wide pytest setup.

``pytest`` runs on SQLite. ``pytest --mariadb`` (or RECRUITMENT_TEST_MARIADB=1) starts a
throwaway MariaDB server first and points DATABASE_URL at it, before Django reads settings;
``DATABASE_URL=mysql://... pytest`` uses an existing server.
"""

import os
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitment.settings.test")

_server_context = None


def pytest_addoption(parser):
    parser.addoption(
        "--mariadb",
        action="store_true",
        default=False,
        help="Start a temporary MariaDB server and run the whole suite against it.",
    )


def _want_mariadb(config) -> bool:
    flag = os.environ.get("RECRUITMENT_TEST_MARIADB", "").lower() in ("1", "true", "yes")
    return config.getoption("--mariadb") or flag


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    global _server_context
    if _want_mariadb(config) and not os.environ.get("DATABASE_URL"):
        from recruitment.testing.mariadb import temporary_mariadb

        _server_context = temporary_mariadb()
        server = _server_context.__enter__()
        os.environ["DATABASE_URL"] = server.url
        os.environ.setdefault("DJANGO_DB_LOCAL_INFILE", "true")
        config._recruitment_mariadb = server
    # Load the settings now (pytest-django then calls django.setup() in its trylast hook).
    from django.conf import settings

    settings.DATABASES  # noqa: B018


def pytest_unconfigure(config):
    global _server_context
    if _server_context is not None:
        _server_context.__exit__(None, None, None)
        _server_context = None


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL", "")
    if url:
        safe = url.split("@")[-1]
        return f"recruitment database: {url.split(':', 1)[0]} at {safe}"
    return "recruitment database: sqlite (in memory)"


def pytest_collection_modifyitems(config, items):
    on_mysql = os.environ.get("DATABASE_URL", "").startswith(("mysql", "mariadb"))
    if on_mysql:
        return
    skip = pytest.mark.skip(reason="needs MariaDB/MySQL: run with --mariadb or DATABASE_URL")
    for item in items:
        if "mariadb" in item.keywords:
            item.add_marker(skip)
