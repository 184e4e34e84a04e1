"""ASGI entry point: ``gunicorn -k uvicorn_worker.UvicornWorker recruitment.asgi``.

Defaults to production settings. The handler runs the middleware's short hooks on the event loop,
and ``request_started`` carries no sync receiver: an async view hops into a thread only to close
its response (see recruitment.core.handlers, .middleware and .signals).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitment.settings.production")

from recruitment.core.handlers import get_asgi_application  # noqa: E402
from recruitment.core.signals import drop_request_started_thread_hop  # noqa: E402

application = get_asgi_application()
drop_request_started_thread_hop()
