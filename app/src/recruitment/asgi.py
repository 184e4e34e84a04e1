"""ASGI entry point: ``gunicorn -k uvicorn_worker.UvicornWorker recruitment.asgi``.

Defaults to production settings.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitment.settings.production")

application = get_asgi_application()
