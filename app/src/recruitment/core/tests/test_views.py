import asyncio
import time
from unittest import mock

from django.test import SimpleTestCase, TestCase, override_settings

from recruitment import __version__


class HealthzTests(SimpleTestCase):
    """SimpleTestCase forbids database queries: /healthz must not touch the DB."""

    def test_healthz_returns_version(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "version": __version__})
        self.assertIn("no-cache", response["Cache-Control"])

    async def test_healthz_async_client(self):
        response = await self.async_client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "ok")

    def test_healthz_rejects_post(self):
        self.assertEqual(self.client.post("/healthz").status_code, 405)

    @override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_REDIRECT_EXEMPT=[r"^healthz$", r"^readyz$"],
    )
    def test_health_is_exempt_from_ssl_redirect(self):
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        self.assertEqual(self.client.get("/").status_code, 301)


@override_settings(ROOT_URLCONF="recruitment.bench_urls")
class AsyncSleepTests(SimpleTestCase):
    async def test_sleeps_and_answers(self):
        response = await self.async_client.get("/async/sleep/", {"s": "0.05"})
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"Hello, async world!", response.content)

    async def test_capped_at_two_seconds(self):
        with mock.patch("recruitment.core.views.asyncio.sleep") as sleep:
            sleep.return_value = None

            async def fake_sleep(seconds):
                fake_sleep.seconds = seconds

            sleep.side_effect = fake_sleep
            response = await self.async_client.get("/async/sleep/", {"s": "999"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(fake_sleep.seconds, 2.0)

    async def test_bad_values(self):
        for value in ("abc", "-1", "nan"):
            response = await self.async_client.get("/async/sleep/", {"s": value})
            self.assertEqual(response.status_code, 200, value)

    async def test_concurrent_requests_are_not_serialized(self):
        """Ten 0.3 s sleeps overlap: no sync-only middleware pushes the view into a thread."""
        started = time.monotonic()
        responses = await asyncio.gather(
            *(self.async_client.get("/async/sleep/", {"s": "0.3"}) for _ in range(10))
        )
        elapsed = time.monotonic() - started
        self.assertTrue(all(r.status_code == 200 for r in responses))
        self.assertLess(elapsed, 1.5, f"10 concurrent sleeps took {elapsed:.2f}s")


@override_settings(ROOT_URLCONF="recruitment.bench_urls")
class AsyncWithSessionTests(TestCase):
    async def test_logged_in_user_on_async_view(self):
        """Session and auth middleware under ASGI: no SynchronousOnlyOperation."""
        from asgiref.sync import sync_to_async

        from recruitment.testing.factories import make_user

        user = await sync_to_async(make_user)("async-user")
        await self.async_client.aforce_login(user)
        response = await self.async_client.get("/async/sleep/", {"s": "0"})
        self.assertEqual(response.status_code, 200)
        response = await self.async_client.get("/resumes/")
        self.assertEqual(response.status_code, 200)


class ReadyzTests(TestCase):
    def test_ready(self):
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["checks"], {"database": None, "migrations": None, "storage": None})

    def test_unapplied_migrations(self):
        with mock.patch(
            "recruitment.core.health.MigrationExecutor.migration_plan",
            return_value=[("migration", False)],
        ):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertIn("unapplied migration", response.json()["reason"])

    def test_storage_not_writable(self):
        with mock.patch(
            "recruitment.core.health.default_storage.save", side_effect=PermissionError
        ):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json()["checks"]["storage"], "storage not writable: PermissionError"
        )

    def test_database_down(self):
        with mock.patch("recruitment.core.health.check_database", return_value="database down"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertIn("database down", response.json()["reason"])


class MetricsTests(TestCase):
    def test_metrics_exposed(self):
        self.client.get("/healthz")
        response = self.client.get("/metrics")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"django_http_requests_total", response.content)
