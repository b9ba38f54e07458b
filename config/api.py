"""API plumbing shared by the catalog and planner endpoints: cached reads keyed by the catalog
version, throttles whose rates follow settings, JSON 404s, and no 500s for bad input."""

import hashlib
import time

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from rest_framework import pagination, permissions, throttling
from rest_framework.exceptions import ValidationError

from catalog.cache import get_for_version, set_for_version
from config.cache import incr_window

READ_MAX_AGE_S = 60


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class _FixedWindowThrottle(throttling.BaseThrottle):
    """A counter per client and time window in the shared cache: O(1) per request (DRF's own throttles
    keep every request's timestamp, which costs O(rate) per request at high rates). The rate is read
    from settings at request time, so overrides (and the environment) apply."""

    scope = ""

    def applies(self, request) -> bool:
        raise NotImplementedError

    def ident(self, request) -> str:
        return self.get_ident(request)

    def allow_request(self, request, view):
        from rest_framework.settings import api_settings

        if not self.applies(request):
            return True
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if not rate:
            return True
        count, unit = rate.split("/")
        period = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit[0]]
        now = time.time()
        key = f"throttle:{self.scope}:{rate}:{self.ident(request)}:{int(now // period)}"
        used = incr_window(key, period + 1)
        self.wait_s = period - (now % period)
        return used <= int(count)

    def wait(self):
        return getattr(self, "wait_s", None)


class AnonThrottle(_FixedWindowThrottle):
    scope = "anon"

    def applies(self, request):
        return not (request.user and request.user.is_authenticated)


class UserThrottle(_FixedWindowThrottle):
    scope = "user"

    def applies(self, request):
        return bool(request.user and request.user.is_authenticated)

    def ident(self, request):
        return str(request.user.pk)


class LookupThrottle(_FixedWindowThrottle):
    """Hub lookups per client (a user, else an address), on the API and the site alike."""

    scope = "lookup"

    def applies(self, request):
        return True

    def ident(self, request):
        user = getattr(request, "user", None)
        return f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)


class IsStaffOrReadOnly(permissions.BasePermission):
    """Anyone may read; writes need an authenticated staff user."""

    message = "Writing to the catalog needs a staff account (token or session)."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class _CachedResponse(Exception):
    def __init__(self, response):
        self.response = response


class CachedReadMixin:
    """GET responses are cached in the shared cache under the catalog version and the full URL, and
    carry an ETag and Cache-Control. Auth and throttling run first; writes bump the version."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._cache_key = None
        if request.method == "GET":
            raw = f"{request.get_full_path()}|{request.accepted_media_type}"
            self._cache_key = "api:" + hashlib.sha256(raw.encode()).hexdigest()
            self._cache_version, hit = get_for_version(self._cache_key)
            if hit is not None:
                content, content_type = hit
                response = HttpResponse(content, content_type=content_type)
                response["X-Cache"] = "hit"
                raise _CachedResponse(response)

    def handle_exception(self, exc):
        if isinstance(exc, _CachedResponse):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "GET" or response.status_code != 200:
            return response
        if getattr(self, "_cache_key", None) and response.get("X-Cache") != "hit":
            response.render()
            set_for_version(self._cache_key, self._cache_version, (response.content, response["Content-Type"]))
            response["X-Cache"] = "miss"
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        patch_cache_control(response, public=True, max_age=READ_MAX_AGE_S)
        return response


def exception_handler(exc, context):
    """DRF's handler, plus the engine's refusals as 400s naming the field."""
    from rest_framework.views import exception_handler as drf_exception_handler  # imports these settings

    from planner.engine.types import EngineError

    if isinstance(exc, EngineError):
        exc = ValidationError({exc.field: [exc.message]})
    return drf_exception_handler(exc, context)


ERROR_SCHEMA = {
    "type": "object",
    "description": "A 400 names each bad field with its messages ({field: [message]}); other errors give `detail`.",
    "additionalProperties": True,
}
ERROR_RESPONSES = {
    "400": "Bad input: the body names each offending field.",
    "404": "Unknown model, GPU, page or path.",
    "429": "Too many requests: throttled.",
}
WRITE_RESPONSES = {"401": "Not authenticated.", "403": "Authenticated but not staff."}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the error responses every operation can give."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method == "get" and {} not in operation.get("security", [{}]):
                operation["security"].append({})  # reads are public; credentials optional
            responses = operation.setdefault("responses", {})
            codes = dict(ERROR_RESPONSES)
            if method in {"post", "put", "patch", "delete"} and not path.endswith("/plan/"):
                codes |= WRITE_RESPONSES
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": ref})
    return result
