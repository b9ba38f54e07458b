"""Whole-page caching for anonymous GETs, by URL (htmx partials apart) and tagged with the catalog
version (catalog/cache.py), in the shared cache: any catalog write invalidates every cached page."""

from functools import wraps

from django.utils.cache import patch_cache_control

from catalog.cache import cached_response, response_key, store_response

PAGE_MAX_AGE_S = 60


def cached_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = response_key("page", request, "hx" if request.headers.get("HX-Request") else "page")
        version, response = cached_response(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code in (200, 400, 404) and not response.cookies and not response.streaming:
                store_response(key, version, response)
        response["Vary"] = "HX-Request, Cookie"
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE_S)
        return response

    return wrapper
