from django.test import SimpleTestCase, override_settings
from django.urls import Resolver404, resolve, reverse

from recruitment.core import views


class UrlTests(SimpleTestCase):
    def test_health_urls_have_no_trailing_slash(self):
        # SECURE_REDIRECT_EXEMPT matches ^healthz$ and ^readyz$ exactly.
        self.assertEqual(reverse("healthz"), "/healthz")
        self.assertEqual(reverse("readyz"), "/readyz")

    def test_resolve(self):
        self.assertIs(resolve("/healthz").func, views.healthz)
        self.assertIs(resolve("/readyz").func, views.readyz)

    def test_the_benchmark_view_is_not_a_site_url(self):
        with self.assertRaises(Resolver404):
            resolve("/async/sleep/")

    @override_settings(ROOT_URLCONF="recruitment.bench_urls")
    def test_the_bench_urlconf_adds_the_async_view_to_the_site(self):
        self.assertIs(resolve("/async/sleep/").func, views.async_sleep)
        self.assertIs(resolve("/healthz").func, views.healthz)

    def test_metrics_url(self):
        self.assertEqual(resolve("/metrics").url_name, "prometheus-django-metrics")


class StaticFilesTests(SimpleTestCase):
    def test_site_css_is_found(self):
        from django.contrib.staticfiles import finders

        self.assertIsNotNone(finders.find("css/site.css"))
