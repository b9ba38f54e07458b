"""Whole-page caching for anonymous GETs, by URL (htmx partials apart) and tagged with the catalog
version (catalog/cache.py), in the shared cache: any catalog write invalidates every cached page."""

import hashlib
from functools import wraps

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from catalog.cache import get_for_version, set_for_version

PAGE_MAX_AGE_S = 60


def cached_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        partial = "hx" if request.headers.get("HX-Request") else "page"
        raw = f"{partial}|{request.scheme}://{request.get_host()}{request.get_full_path()}"
        key = "page:" + hashlib.sha256(raw.encode()).hexdigest()
        version, hit = get_for_version(key)
        if hit is not None:
            status, content, content_type = hit
            response = HttpResponse(content, status=status, content_type=content_type)
            response["X-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if response.status_code in (200, 400, 404) and not response.cookies and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                set_for_version(key, version, (response.status_code, response.content, response["Content-Type"]))
                response["X-Cache"] = "miss"
        response["Vary"] = "HX-Request, Cookie"
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE_S)
        return response

    return wrapper
