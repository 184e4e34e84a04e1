from django.test import SimpleTestCase
from django.urls import resolve, reverse

from recruitment.core import views


class UrlTests(SimpleTestCase):
    def test_health_urls_have_no_trailing_slash(self):
        # SECURE_REDIRECT_EXEMPT matches ^healthz$ and ^readyz$ exactly.
        self.assertEqual(reverse("healthz"), "/healthz")
        self.assertEqual(reverse("readyz"), "/readyz")

    def test_resolve(self):
        self.assertIs(resolve("/healthz").func, views.healthz)
        self.assertIs(resolve("/readyz").func, views.readyz)
        self.assertIs(resolve("/async/sleep/").func, views.async_sleep)

    def test_metrics_url(self):
        self.assertEqual(resolve("/metrics").url_name, "prometheus-django-metrics")


class StaticFilesTests(SimpleTestCase):
    def test_site_css_is_found(self):
        from django.contrib.staticfiles import finders

        self.assertIsNotNone(finders.find("css/site.css"))
