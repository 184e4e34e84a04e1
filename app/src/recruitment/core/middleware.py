"""The stock middleware, with its hooks run on the event loop under ASGI.

Django's ``MiddlewareMixin`` is async-capable, but under ASGI it calls every ``process_request``,
``process_view`` and ``process_response`` through ``sync_to_async(thread_sensitive=True)``: for
each request about twenty hops into the request's sync thread and back, serialized by the GIL,
even for an async view that never touches the database. That halved the throughput of
``/async/sleep/`` under uvicorn workers (issue #7, P3).

These subclasses keep every protection and run the hooks inline, on the event loop, when they do
no I/O: they set headers, read cookies and build lazy objects. A hook that may reach the database
or a file (saving a modified session, storing messages, reading the body of a POST for the CSRF
check) still goes to the thread, as before.

``settings.MIDDLEWARE`` keeps the stock names (``check --deploy`` looks for them by name); the
ASGI entry point's handler (recruitment.core.handlers) loads each as its subclass here. Under
WSGI nothing changes.
"""

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Message
from django.contrib.sessions.middleware import SessionMiddleware as _Session
from django.middleware.clickjacking import XFrameOptionsMiddleware as _XFrameOptions
from django.middleware.common import CommonMiddleware as _Common
from django.middleware.csrf import CsrfViewMiddleware as _CsrfView
from django.middleware.locale import LocaleMiddleware as _Locale
from django.middleware.security import SecurityMiddleware as _Security
from django_prometheus.middleware import PrometheusAfterMiddleware as _PrometheusAfter
from django_prometheus.middleware import PrometheusBeforeMiddleware as _PrometheusBefore

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class InlineHooksMixin:
    """Run ``process_request``/``process_view``/``process_response`` inline under ASGI.

    A subclass whose hook may do I/O overrides the matching ``*_needs_thread``.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        if self.async_mode and hasattr(self, "process_view"):
            # The handler adapts process_view once, when it loads the middleware: a coroutine
            # function is called as is, a plain one through sync_to_async.
            self.process_view = self._process_view_async

    def request_needs_thread(self, request) -> bool:
        return False

    def response_needs_thread(self, request, response) -> bool:
        return False

    def view_needs_thread(self, request) -> bool:
        return False

    async def _process_view_async(self, request, view_func, view_args, view_kwargs):
        hook = type(self).process_view.__get__(self)
        if self.view_needs_thread(request):
            return await sync_to_async(hook, thread_sensitive=True)(
                request, view_func, view_args, view_kwargs
            )
        return hook(request, view_func, view_args, view_kwargs)

    async def __acall__(self, request):
        response = None
        if hasattr(self, "process_request"):
            if self.request_needs_thread(request):
                response = await sync_to_async(self.process_request, thread_sensitive=True)(request)
            else:
                response = self.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            if self.response_needs_thread(request, response):
                response = await sync_to_async(self.process_response, thread_sensitive=True)(
                    request, response
                )
            else:
                response = self.process_response(request, response)
        return response


class PrometheusBeforeMiddleware(InlineHooksMixin, _PrometheusBefore):
    """Counters only."""


class PrometheusAfterMiddleware(InlineHooksMixin, _PrometheusAfter):
    """Counters and labels only."""


class SecurityMiddleware(InlineHooksMixin, _Security):
    """Headers and the HTTPS redirect only."""


class SessionMiddleware(InlineHooksMixin, _Session):
    """The session is lazy; only saving a modified one reaches the database."""

    def response_needs_thread(self, request, response) -> bool:
        session = getattr(request, "session", None)
        return session is not None and (session.modified or settings.SESSION_SAVE_EVERY_REQUEST)


class LocaleMiddleware(InlineHooksMixin, _Locale):
    """Reads the cookie and Accept-Language; catalogs are loaded once per process."""


class CommonMiddleware(InlineHooksMixin, _Common):
    """User agents, APPEND_SLASH (URL resolution only)."""


class CsrfViewMiddleware(InlineHooksMixin, _CsrfView):
    """Safe methods only compare cookies; an unsafe one reads the body, in the thread."""

    def request_needs_thread(self, request) -> bool:
        return settings.CSRF_USE_SESSIONS

    def view_needs_thread(self, request) -> bool:
        return request.method not in SAFE_METHODS or settings.CSRF_USE_SESSIONS

    def response_needs_thread(self, request, response) -> bool:
        return settings.CSRF_USE_SESSIONS


class AuthenticationMiddleware(InlineHooksMixin, _Authentication):
    """request.user stays lazy: the database is read only when a view uses it."""


class MessageMiddleware(InlineHooksMixin, _Message):
    """Storing messages may load the session from the database: that goes to the thread."""

    def response_needs_thread(self, request, response) -> bool:
        storage = getattr(request, "_messages", None)
        return storage is not None and (storage.used or storage.added_new)


class XFrameOptionsMiddleware(InlineHooksMixin, _XFrameOptions):
    """One header."""
