"""The async path under the real ASGI handler: how often a request hops into a sync thread."""

import asyncio
from unittest import mock

from asgiref.sync import SyncToAsync
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, reset_queries
from django.test import SimpleTestCase, override_settings

from recruitment.core.handlers import InlineHooksASGIHandler, inline_middleware
from recruitment.core.signals import drop_request_started_thread_hop
from recruitment.settings import base as base_settings

# The project's MIDDLEWARE: Django's and django-prometheus's own classes, by their stock names.
STOCK_MIDDLEWARE = list(base_settings.MIDDLEWARE)


async def serve(handler, path, query=b"", host=b"testserver"):
    """One GET through the ASGI handler; returns (start message, body, names of the sync hops)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", host)],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    messages = [{"type": "http.request", "body": b"", "more_body": False}]
    sent = []

    async def receive():
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # no disconnect: the handler cancels this

    async def send(message):
        sent.append(message)

    hops = []
    original = SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await original(self, *args, **kwargs)

    with mock.patch.object(SyncToAsync, "__call__", counting):
        await handler(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0], body, hops


@override_settings(ROOT_URLCONF="recruitment.bench_urls")
class AsyncPathTests(SimpleTestCase):
    def setUp(self):
        drop_request_started_thread_hop()
        # As Django's test client does: the test thread may hold a connection of another test.
        request_finished.disconnect(close_old_connections)
        self.addCleanup(request_finished.connect, close_old_connections)
        self.addCleanup(request_started.connect, close_old_connections)
        self.addCleanup(request_started.connect, reset_queries)

    async def test_async_view_hops_into_a_thread_once(self):
        """Only closing the response (request_finished: close the request's connections) hops."""
        start, body, hops = await serve(InlineHooksASGIHandler(), "/async/sleep/", b"s=0")
        self.assertEqual(start["status"], 200)
        self.assertIn(b"Hello, async world!", body)
        self.assertEqual(len(hops), 1, hops)

    async def test_headers_and_protections_still_apply(self):
        start, _, _ = await serve(InlineHooksASGIHandler(), "/async/sleep/", b"s=0")
        headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        self.assertEqual(headers["x-frame-options"], "DENY")
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertIn("no-cache", headers["cache-control"])
        start, _, _ = await serve(
            InlineHooksASGIHandler(), "/async/sleep/", b"s=0", host=b"evil.example"
        )
        self.assertEqual(start["status"], 400)

    async def test_stock_middleware_hops_on_every_hook(self):
        """What the subclasses save: Django's own handler hops for each MiddlewareMixin hook."""
        with override_settings(MIDDLEWARE=STOCK_MIDDLEWARE):
            _, _, hops = await serve(ASGIHandler(), "/async/sleep/", b"s=0")
        self.assertGreater(len(hops), 15, hops)  # 21 with Django 5.2


class InlineHandlerTests(SimpleTestCase):
    def test_loads_the_subclasses_and_keeps_the_settings(self):
        from django.conf import settings
        from django.core.handlers import base
        from django.utils.module_loading import import_string

        before = list(settings.MIDDLEWARE)
        with mock.patch.object(base, "import_string", wraps=import_string) as loaded:
            InlineHooksASGIHandler()
        self.assertEqual(settings.MIDDLEWARE, before)
        paths = [c.args[0] for c in loaded.call_args_list]
        inline = [p for p in paths if p.startswith("recruitment.core.middleware.")]
        self.assertEqual(len(inline), len(inline_middleware()), paths)
        self.assertIn("axes.middleware.AxesMiddleware", paths)

    def test_the_middleware_list_is_written_once(self):
        """The handler's chain is settings.MIDDLEWARE with each stock class that has an inline
        subclass swapped for it, in the same order; no subclass stands for a missing entry."""
        from django.conf import settings
        from django.utils.module_loading import import_string

        inline = inline_middleware()
        self.assertEqual(len(inline), 10, inline)
        self.assertLessEqual(set(inline), set(settings.MIDDLEWARE))
        for stock, subclass in inline.items():
            self.assertTrue(issubclass(import_string(subclass), import_string(stock)), subclass)
        swapped = [p for p in settings.MIDDLEWARE if p not in inline]
        self.assertEqual(swapped, ["axes.middleware.AxesMiddleware"])
        with override_settings(
            MIDDLEWARE=[*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]
        ):
            handler = InlineHooksASGIHandler()
        names = []
        chain = handler._middleware_chain
        # Each middleware sits inside Django's exception wrapper (functools.wraps).
        while hasattr(getattr(chain, "__wrapped__", None), "get_response"):
            middleware = chain.__wrapped__
            names.append(type(middleware).__module__ + "." + type(middleware).__qualname__)
            chain = middleware.get_response
        self.assertEqual(
            names,
            [inline.get(p, p) for p in settings.MIDDLEWARE]
            + ["django.middleware.gzip.GZipMiddleware"],
        )
