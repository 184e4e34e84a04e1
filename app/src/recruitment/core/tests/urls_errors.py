"""The site's URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from recruitment.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("boom (test)")


urlpatterns = [path("test-broken/", broken), *site_urlpatterns]
