"""Production settings: fail fast on missing variables, and pass check --deploy with 0 warnings."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

APP_DIR = Path(__file__).resolve().parents[4]
SRC_DIR = APP_DIR / "src"

STRONG_KEY = "k9#Vq2!mZ7@pL4$wX8^rT1&yB6*nC3(hF5)jD0_sG-uE+aR=oI{eP}lK|iJ:O;Q<"


def production_env(**overrides) -> dict:
    tmp = tempfile.gettempdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_URL"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "recruitment.settings.production",
            "PYTHONPATH": str(SRC_DIR),
            "DJANGO_SECRET_KEY": STRONG_KEY,
            "DJANGO_SECRET_KEY_FALLBACKS": STRONG_KEY[::-1],
            "DJANGO_ALLOWED_HOSTS": "jobs.example.com,www.jobs.example.com",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://jobs.example.com",
            "DATABASE_URL": "mysql://app:secret@db.example.com:3306/recruitment",
            "DJANGO_STATIC_ROOT": os.path.join(tmp, "recruitment-static"),
            "DJANGO_MEDIA_ROOT": os.path.join(tmp, "recruitment-media"),
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_manage(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        cwd=str(APP_DIR),
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['OPTIONS']['charset'], "
    "s.DATABASES['default']['OPTIONS']['local_infile'], s.STORAGES['default']['BACKEND'], "
    "s.STORAGES['staticfiles']['BACKEND'], s.SECURE_HSTS_SECONDS, s.EMAIL_BACKEND)"
)


class ProductionSettingsTests(SimpleTestCase):
    def test_check_deploy_has_no_warnings(self):
        result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], production_env())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_check_deploy_with_django_sending_hsts(self):
        env = production_env(DJANGO_HSTS_SET_BY_PROXY="false")
        result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues (0 silenced)", result.stdout)

    def test_check_deploy_with_redirect_done_by_proxy(self):
        env = production_env(DJANGO_SECURE_SSL_REDIRECT="false")
        result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_weak_secret_key_fails_the_check(self):
        env = production_env(DJANGO_SECRET_KEY="too-short")
        result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W009", result.stderr + result.stdout)

    def test_missing_required_variables_are_named(self):
        for name in (
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "DATABASE_URL",
            "DJANGO_STATIC_ROOT",
            "DJANGO_MEDIA_ROOT",
        ):
            with self.subTest(name=name):
                result = run_manage(["check"], production_env(**{name: None}))
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("ImproperlyConfigured", result.stderr)
                self.assertIn(name, result.stderr)

    def test_s3_requires_bucket(self):
        result = run_manage(
            ["check"],
            production_env(DJANGO_STORAGE_BACKEND="s3", DJANGO_MEDIA_ROOT=None),
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_AWS_STORAGE_BUCKET_NAME", result.stderr)

    def test_values_from_environment(self):
        result = subprocess.run(
            [sys.executable, "-c", PRINT_SETTINGS],
            env=production_env(DJANGO_DB_LOCAL_INFILE="true", EMAIL_URL="smtp://mail:25"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            result.stdout.split(),
            [
                "django.db.backends.mysql",
                "utf8mb4",
                "True",
                "django.core.files.storage.FileSystemStorage",
                "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
                "0",
                "django.core.mail.backends.smtp.EmailBackend",
            ],
        )

    def s3_storage(self, **env):
        """The default storage's backend, bucket and endpoint under the given S3 environment."""
        script = (
            "import django; django.setup(); from django.conf import settings as s; "
            "o = s.STORAGES['default']['OPTIONS']; "
            "print(s.STORAGES['default']['BACKEND'], o['bucket_name'], repr(o['endpoint_url']))"
        )
        env = production_env(
            DJANGO_STORAGE_BACKEND="s3", DJANGO_AWS_STORAGE_BUCKET_NAME="resumes", **env
        )
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.split()

    def test_s3_storage(self):
        self.assertEqual(
            self.s3_storage(
                DJANGO_AWS_S3_ENDPOINT_URL="http://127.0.0.1:8333",
                DJANGO_AWS_ACCESS_KEY_ID="key",
                DJANGO_AWS_SECRET_ACCESS_KEY="secret",
            ),
            ["storages.backends.s3.S3Storage", "resumes", "'http://127.0.0.1:8333'"],
        )

    def test_s3_empty_endpoint_means_aws(self):
        # One environment template serves AWS (no endpoint) and self-hosted stores: empty is unset.
        self.assertEqual(self.s3_storage(DJANGO_AWS_S3_ENDPOINT_URL="")[-1], "None")

    def test_wsgi_and_asgi_default_to_production(self):
        for module in ("wsgi", "asgi"):
            text = (SRC_DIR / "recruitment" / f"{module}.py").read_text()
            self.assertIn('"recruitment.settings.production"', text)
        self.assertIn('"recruitment.settings.local"', (APP_DIR / "manage.py").read_text())
