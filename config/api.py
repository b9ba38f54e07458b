"""API plumbing shared by the catalog and planner endpoints: cached reads keyed by the catalog
version, throttles whose rates follow settings, JSON 404s, and no 500s for bad input."""

import hashlib
import json
import time

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework import exceptions, pagination, parsers, permissions, throttling
from rest_framework.exceptions import ValidationError

from catalog.cache import cached_response, response_key, store_response
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


class IsStaffOrReadOnly(permissions.DjangoModelPermissions):
    """Anyone may read; a write needs a staff user holding the same Django model permission the admin asks for
    (add/change/delete on the view's model), so the API is no way around the admin's rules."""

    message = "Writing to the catalog needs a staff account with permission to change it (token or session)."
    # DELETE deactivates a GPU (it stays in the catalog and its history): an edit, so the change permission.
    perms_map = {**permissions.DjangoModelPermissions.perms_map, "DELETE": ["%(app_label)s.change_%(model_name)s"]}

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False  # 401 with the token challenge
        return request.user.is_staff and super().has_permission(request, view)


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class BoundedJSONParser(parsers.JSONParser):
    """JSON bodies with a size limit (413) and a depth limit (400), each named in the answer: Python's decoder
    recurses per nesting level, so an unbounded body could exhaust the stack (a 500) or the memory."""

    def parse(self, stream, media_type=None, parser_context=None):
        from django.conf import settings

        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The JSON body is larger than {limit:,} bytes.")
        try:
            data = json.loads(raw.decode((parser_context or {}).get("encoding") or "utf-8"))
        except RecursionError:
            raise exceptions.ParseError(
                f"The JSON is nested deeper than {settings.API_MAX_JSON_DEPTH} levels."
            ) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        if _depth(data, settings.API_MAX_JSON_DEPTH) > settings.API_MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"The JSON is nested deeper than {settings.API_MAX_JSON_DEPTH} levels.")
        return data


def _depth(value, limit: int) -> int:
    """Nesting depth of a parsed JSON value, counted without recursion and no further than ``limit`` + 1."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > limit:
                return level
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class _CachedResponse(Exception):
    def __init__(self, response):
        self.response = response


class CachedReadMixin:
    """Anonymous JSON GET responses are cached in the shared cache under the catalog version and the full URL, and
    carry an ETag and Cache-Control. Auth and throttling run first; writes bump the version. A signed-in user's
    answer and the browsable API's HTML page (a CSRF token, the user's name) are never kept nor marked public."""

    def _shareable(self, request) -> bool:
        return (
            request.method == "GET" and not request.user.is_authenticated and request.accepted_renderer.format == "json"
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._cache_key = None
        if self._shareable(request):
            self._cache_key = response_key("api", request, str(request.accepted_media_type))
            self._cache_version, hit = cached_response(self._cache_key)
            if hit is not None:
                raise _CachedResponse(hit)

    def handle_exception(self, exc):
        if isinstance(exc, _CachedResponse):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "GET" or response.status_code != 200:
            return response
        patch_vary_headers(response, ("Accept", "Cookie", "Authorization"))
        shareable = self._shareable(request)
        if shareable and getattr(self, "_cache_key", None) and response.get("X-Cache") != "hit":
            store_response(self._cache_key, self._cache_version, response)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        if shareable:
            patch_cache_control(response, public=True, max_age=READ_MAX_AGE_S)
        else:
            patch_cache_control(response, private=True, max_age=0)
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
