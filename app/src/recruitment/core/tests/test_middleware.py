from django.conf import settings
from django.test import SimpleTestCase, override_settings
from django.utils.module_loading import import_string


class MiddlewareTests(SimpleTestCase):
    def test_every_middleware_is_async_capable(self):
        """A sync-only middleware would make Django run the async views in a thread."""
        sync_only = [
            path
            for path in settings.MIDDLEWARE
            if not getattr(import_string(path), "async_capable", False)
        ]
        self.assertEqual(sync_only, [])

    def test_security_headers(self):
        response = self.client.get("/healthz")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        # HSTS comes from nginx, not Django (exactly one layer).
        self.assertNotIn("Strict-Transport-Security", response)

    @override_settings(
        SECURE_HSTS_SECONDS=63072000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True
    )
    def test_exactly_one_hsts_header_when_django_sends_it(self):
        response = self.client.get("/healthz", secure=True)
        self.assertEqual(
            response.headers["Strict-Transport-Security"],
            "max-age=63072000; includeSubDomains; preload",
        )
        self.assertEqual(
            [k for k in response.headers if k.lower() == "strict-transport-security"],
            ["Strict-Transport-Security"],
        )
