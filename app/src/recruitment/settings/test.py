"""Settings for pytest: SQLite by default, or the database in DATABASE_URL (MariaDB run)."""

import tempfile

from .base import *  # noqa: F403
from .base import BASE_DIR, database_from_env, env

RECRUITMENT_ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-TEST-ONLY-not-a-secret-0123456789abcdefghijklmnop",
)
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

if env.str("DATABASE_URL", default=""):
    DATABASES = {
        "default": database_from_env(
            env.str("DATABASE_URL"),
            local_infile=env.bool("DJANGO_DB_LOCAL_INFILE", default=True),
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "test-db.sqlite3"),
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="recruitment-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="recruitment-test-static-")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"level": "WARNING", "handlers": ["console"]},
}
