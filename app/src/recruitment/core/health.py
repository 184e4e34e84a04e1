"""Readiness checks: database, migrations, storage. Synchronous code (run via a sync view)."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def check_database(alias: str = DEFAULT_DB_ALIAS) -> str | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return f"database unreachable: {exc.__class__.__name__}"
    return None


def check_migrations(alias: str = DEFAULT_DB_ALIAS) -> str | None:
    try:
        connection = connections[alias]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"migration state unknown: {exc.__class__.__name__}"
    if plan:
        return f"{len(plan)} unapplied migration(s)"
    return None


def check_storage() -> str | None:
    name = f"readyz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        default_storage.delete(saved)
    except Exception as exc:
        return f"storage not writable: {exc.__class__.__name__}"
    return None


def readiness() -> dict[str, str | None]:
    """Run every check; a value of None means the check passed."""
    db = check_database()
    return {
        "database": db,
        # Without a database the migration check can only fail the same way.
        "migrations": check_migrations() if db is None else "skipped: database unreachable",
        "storage": check_storage(),
    }
