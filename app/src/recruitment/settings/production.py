"""Production settings: everything host-specific comes from the environment.

A required variable that is missing raises ImproperlyConfigured naming it, so the process
refuses to start instead of running with a wrong default. The full list is in README.md.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import database_from_env, env

RECRUITMENT_ENVIRONMENT = "production"
DEBUG = False

# SECRETS AND HOSTS
# ------------------------------------------------------------------------------
SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: fail fast
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the DJANGO_ALLOWED_HOSTS environment variable (empty list)")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The site's URLs; the benchmark deploys recruitment.bench_urls, which adds /async/sleep/.
ROOT_URLCONF = env.str("DJANGO_ROOT_URLCONF", default="recruitment.urls")

# DATABASES
# ------------------------------------------------------------------------------
# mysql://user:password@host:3306/name, served by PyMySQL with utf8mb4.
DATABASES = {
    "default": database_from_env(
        env.str("DATABASE_URL"),
        local_infile=env.bool("DJANGO_DB_LOCAL_INFILE", default=False),
    )
}
# Under ASGI keep this 0 (Django's advice); under the sync worker 60 saves reconnects.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT")
STORAGE_BACKEND = env.str("DJANGO_STORAGE_BACKEND", default="filesystem")
# With a front web server, private files are handed to it after the permission check: the view
# answers with X-Accel-Redirect to this internal prefix, which nginx maps onto MEDIA_ROOT.
MEDIA_X_ACCEL_PREFIX = env.str("DJANGO_MEDIA_X_ACCEL_PREFIX", default="")
if STORAGE_BACKEND == "filesystem":
    MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT")
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    # Any S3 API: AWS S3, Aliyun OSS, SeaweedFS (set the endpoint URL for the last two). An empty
    # value means unset, so one environment template serves AWS (no endpoint) and the others.
    MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default="")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "access_key": env.str("DJANGO_AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("DJANGO_AWS_SECRET_ACCESS_KEY", default=None),
            "bucket_name": env.str("DJANGO_AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("DJANGO_AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DJANGO_AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env.str("DJANGO_AWS_S3_ADDRESSING_STYLE", default="") or None,
            # Resumes are private: no public ACL, signed URLs, never overwrite.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"DJANGO_STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}"
    )
STORAGES = {
    "default": _default_storage,
    # Hashed file names, so nginx can cache /static/ forever.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        # Public files, read by the web server's user: not the private 0640 of uploads.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}

# SECURITY (behind a TLS-terminating proxy that overwrites X-Forwarded-Proto)
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
RECRUITMENT_TRUST_X_REAL_IP = True  # the proxy overwrites X-Real-IP with $remote_addr
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers probe these over plain HTTP; they must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SILENCED_SYSTEM_CHECKS = []
if not SECURE_SSL_REDIRECT:
    # security.W008: the proxy answers plain HTTP with a redirect to https instead.
    SILENCED_SYSTEM_CHECKS.append("security.W008")

# HSTS is sent by exactly one layer. By default that is nginx, so Django sends none
# (two layers would send two Strict-Transport-Security headers).
HSTS_SET_BY_PROXY = env.bool("DJANGO_HSTS_SET_BY_PROXY", default=True)
if HSTS_SET_BY_PROXY:
    SECURE_HSTS_SECONDS = 0
    # security.W004 warns that SECURE_HSTS_SECONDS is unset: nginx sends HSTS instead.
    SILENCED_SYSTEM_CHECKS.append("security.W004")
else:
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# EMAIL
# ------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))

# LOGGING: stdout/stderr only, journald captures it.
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s %(process)d %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"level": env.str("DJANGO_LOG_LEVEL", default="INFO"), "handlers": ["console"]},
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR", "propagate": True},
    },
}
