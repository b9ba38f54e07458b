"""Probes for the container orchestrator: /healthz (the process answers) and /readyz (its database
and Redis answer). Neither touches the catalog, so they stay cheap under load."""

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

log = logging.getLogger(__name__)
PROBES = {"/healthz": "healthz", "/readyz": "readyz"}


class ProbeMiddleware:
    """First in the chain: the orchestrator's probes call http://127.0.0.1:8000/healthz inside the stack, so they
    are answered before the host check (ALLOWED_HOSTS names the public host) and the HTTPS redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe and request.method in ("GET", "HEAD"):
            return globals()[probe](request)
        return self.get_response(request)


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> dict:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "engine": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    import redis

    started = time.perf_counter()
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True, "configured": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


@never_cache
def readyz(request):
    checks = {}
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        try:
            checks[name] = check()
        except Exception as exc:  # a probe reports, it does not crash; the error text (hosts, ports) stays in the log
            log.warning("readiness: %s failed: %s", name, exc)
            checks[name] = {"ok": False, "error": exc.__class__.__name__}
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
