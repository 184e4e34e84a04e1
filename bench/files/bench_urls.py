"""The app's URLs, with /static/ served by Django (django.views.static.serve), for P2b."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve
from recruitment.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_ROOT}),
    *app_urlpatterns,
]
