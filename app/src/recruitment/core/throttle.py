"""Client address used by django-axes to throttle failed logins."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or X-Real-IP when a trusted proxy in front overwrites that header."""
    if getattr(settings, "RECRUITMENT_TRUST_X_REAL_IP", False):
        real_ip = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real_ip:
            return real_ip
    return request.META.get("REMOTE_ADDR")
