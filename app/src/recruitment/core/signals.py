"""Signal wiring for the ASGI entry point."""

from django.core.signals import request_started
from django.db import close_old_connections, reset_queries


def drop_request_started_thread_hop() -> None:
    """Disconnect the database receivers of ``request_started`` in an ASGI process.

    Under ASGI each request runs its sync code in a thread of its own (Django's handler opens a
    ``ThreadSensitiveContext`` per request), and database connections are per thread, so at
    ``request_started`` that thread has no connection to close and no query log to reset: the two
    receivers are no-ops that cost a ``sync_to_async`` hop on every request, async views included.
    ``request_finished`` keeps ``close_old_connections``: it runs in the request's thread, when the
    response is closed, and closes what the request opened. Never call this under WSGI, where one
    worker thread serves request after request.
    """
    request_started.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)
