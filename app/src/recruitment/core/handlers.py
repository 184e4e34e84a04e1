"""The ASGI entry point's handler: Django's, loading the stock middleware as the subclasses in
recruitment.core.middleware, whose short hooks run on the event loop (see that module).

Importable before ``django.setup()``: the middleware module is imported only when the handler
loads the chain.
"""

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler


def inline_middleware() -> dict[str, str]:
    """Stock class path -> the subclass the ASGI handler loads instead.

    Read from the subclasses in recruitment.core.middleware (each names its stock class as its
    base), so the middleware list itself is written once, in ``settings.MIDDLEWARE``.
    """
    from recruitment.core import middleware

    mapping = {}
    for cls in vars(middleware).values():
        if not (
            isinstance(cls, type)
            and issubclass(cls, middleware.InlineHooksMixin)
            and cls.__module__ == middleware.__name__
            and cls is not middleware.InlineHooksMixin
        ):
            continue
        stock = next(b for b in cls.__mro__ if not issubclass(b, middleware.InlineHooksMixin))
        mapping[f"{stock.__module__}.{stock.__qualname__}"] = f"{cls.__module__}.{cls.__qualname__}"
    return mapping


class InlineHooksASGIHandler(ASGIHandler):
    """Django's ASGI handler; the entries of ``MIDDLEWARE`` that have a subclass in
    recruitment.core.middleware (see ``inline_middleware``) are loaded as
    their subclass, any other as it is. ``settings.MIDDLEWARE`` keeps the stock names, which
    ``check --deploy`` looks for."""

    def load_middleware(self, is_async=False):
        stock = settings.MIDDLEWARE
        inline = inline_middleware()
        # Swapped only while the chain is built, once per process, before any request.
        settings.MIDDLEWARE = [inline.get(path, path) for path in stock]
        try:
            super().load_middleware(is_async=is_async)
        finally:
            settings.MIDDLEWARE = stock


def get_asgi_application() -> InlineHooksASGIHandler:
    """``django.core.asgi.get_asgi_application``, with the handler above."""
    django.setup(set_prefix=False)
    return InlineHooksASGIHandler()
