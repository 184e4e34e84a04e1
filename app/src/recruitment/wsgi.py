"""WSGI entry point: ``gunicorn recruitment.wsgi``. Defaults to production settings."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitment.settings.production")

application = get_wsgi_application()
