import asyncio

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from recruitment import __version__

from .health import readiness

MAX_SLEEP_SECONDS = 2.0


@never_cache
@require_GET
async def healthz(request):
    """Liveness: the process answers. No database access."""
    return JsonResponse({"status": "ok", "version": __version__})


@never_cache
@require_GET
def readyz(request):
    """Readiness: database reachable, migrations applied, storage writable (sync view)."""
    checks = readiness()
    failed = {name: reason for name, reason in checks.items() if reason}
    if failed:
        return JsonResponse(
            {"status": "unavailable", "reason": "; ".join(failed.values()), "checks": checks},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": checks})


@never_cache
@require_GET
async def async_sleep(request):
    """The course's async view: sleep ``?s=`` seconds (capped at 2 s) without holding a thread."""
    try:
        seconds = float(request.GET.get("s", "0.5"))
    except ValueError:
        seconds = 0.5
    if seconds != seconds or seconds < 0:  # NaN or negative
        seconds = 0.0
    seconds = min(seconds, MAX_SLEEP_SECONDS)
    await asyncio.sleep(seconds)
    return HttpResponse(f"Hello, async world! slept {seconds:.3f}s", content_type="text/plain")
