"""The benchmark's URLconf: the site's, plus the course's async view that bench P3 measures
(``/async/sleep/``). Production serves ``recruitment.urls``, where that path does not exist; the
bench deploys with ``DJANGO_ROOT_URLCONF=recruitment.bench_urls`` (``app_root_urlconf``)."""

from django.urls import path

from recruitment.core import views
from recruitment.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("async/sleep/", views.async_sleep, name="async_sleep"),
    *site_urlpatterns,
]
