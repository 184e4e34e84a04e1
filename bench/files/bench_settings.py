"""Settings of the bench's direct gunicorn on a web host: the production settings, plus a
/static/ route through Django's static file view (P2b compares it with nginx)."""

from recruitment.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
