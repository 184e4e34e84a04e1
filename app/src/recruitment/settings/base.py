"""Settings shared by every environment. Values that differ per host come from the environment."""

from pathlib import Path

import environ
import pymysql
from django.utils.translation import gettext_lazy as _

# PyMySQL is pure Python (no compiler on the hosts); it stands in for mysqlclient.
pymysql.install_as_MySQLdb()

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # .../recruitment
# In a source checkout (src layout) this is app/; for an installed wheel, the working directory.
BASE_DIR = PACKAGE_DIR.parent.parent if PACKAGE_DIR.parent.name == "src" else Path.cwd()
env = environ.Env()

# GENERAL
# ------------------------------------------------------------------------------
# Which settings module is active: "local", "test" or "production".
RECRUITMENT_ENVIRONMENT = "base"
DEBUG = False
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [str(PACKAGE_DIR / "locale")]

# DATABASES
# ------------------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def database_from_env(url: str, *, local_infile: bool = False) -> dict:
    """Parse a DATABASE_URL and add MySQL/MariaDB options (utf8mb4, strict mode, local infile)."""
    db = env.db_url_config(url)
    if db["ENGINE"] == "django.db.backends.mysql":
        options = db.setdefault("OPTIONS", {})
        options.setdefault("charset", "utf8mb4")
        options.setdefault("init_command", "SET sql_mode='STRICT_TRANS_TABLES'")
        # PyMySQL refuses LOAD DATA LOCAL INFILE unless the client enables it.
        options["local_infile"] = local_infile
        db.setdefault("TEST", {}).update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})
    db["ATOMIC_REQUESTS"] = False
    db["CONN_HEALTH_CHECKS"] = True
    return db


# URLS
# ------------------------------------------------------------------------------
ROOT_URLCONF = "recruitment.urls"
WSGI_APPLICATION = "recruitment.wsgi.application"

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
]
THIRD_PARTY_APPS = [
    "axes",
    "django_prometheus",
    "storages",
    # lintmigrations: the deploy refuses migrations that would break the release still serving.
    "django_migration_linter",
]
LOCAL_APPS = [
    "recruitment.core",
    "recruitment.jobs",
    "recruitment.interview",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Axes must come first so that it can refuse a locked-out login before the check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "jobs:job_list"
LOGOUT_REDIRECT_URL = "jobs:job_list"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# LOGIN THROTTLING (django-axes)
# ------------------------------------------------------------------------------
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "recruitment.core.throttle.client_ip"
# Only trust X-Real-IP when a proxy that overwrites it sits in front (production).
RECRUITMENT_TRUST_X_REAL_IP = False
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2"]

# MIDDLEWARE
# ------------------------------------------------------------------------------
# Every entry is async-capable, so an async view is not pushed into a thread under ASGI
# (see core/tests/test_middleware.py and README.md). Under ASGI, recruitment.asgi loads the
# stock classes below as the subclasses in recruitment.core.middleware, whose hooks run on the
# event loop instead of one sync_to_async hop each (`check --deploy` looks for these names).
# This is the only copy of the list: the ASGI handler derives its chain from it.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [str(PACKAGE_DIR / "static")]
STATIC_ROOT = str(BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
# Internal nginx prefix for private files (see production.py); empty: Django streams them itself.
MEDIA_X_ACCEL_PREFIX = ""
MEDIA_ROOT = str(BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# UPLOADS
# ------------------------------------------------------------------------------
RECRUITMENT_MAX_PHOTO_BYTES = 5 * 1024 * 1024
RECRUITMENT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [str(PACKAGE_DIR / "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="recruitment@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ADMIN
# ------------------------------------------------------------------------------
ADMIN_URL = "admin/"

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(levelname)s %(asctime)s %(name)s %(process)d %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
}

# IMPORT
# ------------------------------------------------------------------------------
RECRUITMENT_IMPORT_BATCH_SIZE = 5000
