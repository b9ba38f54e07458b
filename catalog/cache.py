"""A catalog version in the shared cache: every cached page or API response is tagged with it, so any
catalog write (admin, API, CSV import, refresh) invalidates them all at once, across processes.

Within one request the version is read from the cache once (the page cache, the API cache and the
catalog snapshots all ask for it); outside requests (Celery, commands) every call reads it afresh.
"""

import hashlib
import threading
import time

from django.core.cache import cache
from django.http import HttpResponse

KEY = "catalog-version"
_request = threading.local()  # has ``version`` only while this thread serves a request


def request_started(**_kwargs) -> None:
    _request.version = None


def request_finished(**_kwargs) -> None:
    _request.__dict__.pop("version", None)


def _remember(version: int) -> int:
    if hasattr(_request, "version"):
        _request.version = version
    return version


def catalog_version() -> int:
    remembered = getattr(_request, "version", None)
    if remembered is not None:
        return remembered
    version = cache.get(KEY)
    if version is None:
        version = time.time_ns()
        cache.add(KEY, version, timeout=None)
        version = cache.get(KEY, version)
    return _remember(version)


def get_for_version(key: str) -> tuple[int, object]:
    """The catalog version and what ``set_for_version`` stored under ``key`` for that version (else None),
    in one cache round trip: a cache hit of a page or an API read costs a single MGET."""
    values = cache.get_many([KEY, key])
    version = values.get(KEY)
    if version is None:
        return catalog_version(), None
    _remember(version)
    stored = values.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
        return version, stored[1]
    return version, None


def set_for_version(key: str, version: int, value) -> None:
    """Store ``value`` as computed from the catalog at ``version``; readers of a later version ignore it.
    (The version is in the value, not the key, so a catalog change overwrites entries instead of leaving
    orphans behind.)"""
    cache.set(key, (version, value))


def bump_catalog_version(**_kwargs) -> None:
    """Signal receiver and plain function: the catalog changed."""
    version = time.time_ns()
    cache.set(KEY, version, timeout=None)
    _remember(version)


# Whole responses under the catalog version: the page cache (planner/caching.py) and the API's read cache
# (config/api.py CachedReadMixin) keep and replay them alike.


def response_key(namespace: str, request, *vary: str) -> str:
    """The key of a GET's response: the absolute URL (paginated answers link to absolute next/previous pages) and
    what else the response varies on (an htmx fragment, the negotiated media type)."""
    raw = "|".join([f"{request.scheme}://{request.get_host()}{request.get_full_path()}", *vary])
    return f"{namespace}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_response(key: str) -> tuple[int, HttpResponse | None]:
    """The catalog version and the response stored under ``key`` for it (marked ``X-Cache: hit``), else None."""
    version, hit = get_for_version(key)
    if not (isinstance(hit, tuple) and len(hit) == 3):
        return version, None
    status, content, content_type = hit
    response = HttpResponse(content, status=status, content_type=content_type)
    response["X-Cache"] = "hit"
    return version, response


def store_response(key: str, version: int, response) -> None:
    """Keep a rendered response (its status, body and type) as computed at ``version``; marks it a miss."""
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    set_for_version(key, version, (response.status_code, response.content, response["Content-Type"]))
    response["X-Cache"] = "miss"
