"""The ASGI entry point's handler: Django's, loading the stock middleware as the subclasses in
recruitment.core.middleware, whose short hooks run on the event loop (see that module).

Importable before ``django.setup()``: the middleware module is imported only when the handler
loads the chain.
"""

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

# Stock class in settings.MIDDLEWARE -> the subclass the ASGI handler loads instead.
INLINE = {
    path: "recruitment.core.middleware." + path.rsplit(".", 1)[1]
    for path in (
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    )
}


class InlineHooksASGIHandler(ASGIHandler):
    """Django's ASGI handler; the entries of ``MIDDLEWARE`` found in ``INLINE`` are loaded as
    their subclass, any other as it is. ``settings.MIDDLEWARE`` keeps the stock names, which
    ``check --deploy`` looks for."""

    def load_middleware(self, is_async=False):
        stock = settings.MIDDLEWARE
        # Swapped only while the chain is built, once per process, before any request.
        settings.MIDDLEWARE = [INLINE.get(path, path) for path in stock]
        try:
            super().load_middleware(is_async=is_async)
        finally:
            settings.MIDDLEWARE = stock


def get_asgi_application() -> InlineHooksASGIHandler:
    """``django.core.asgi.get_asgi_application``, with the handler above."""
    django.setup(set_prefix=False)
    return InlineHooksASGIHandler()
