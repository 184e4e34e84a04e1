"""Development settings: DEBUG, SQLite, console email. Never use in production."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

RECRUITMENT_ENVIRONMENT = "local"
DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-LOCAL-DEVELOPMENT-ONLY-do-not-use-in-production",
)
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / "db.sqlite3"),
    }
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
