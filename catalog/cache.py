"""A catalog version in the shared cache: every cached page or API response is keyed by it, so any
catalog write (admin, API, CSV import, refresh) invalidates them all at once, across processes."""

import time

from django.core.cache import cache

KEY = "catalog-version"


def catalog_version() -> int:
    version = cache.get(KEY)
    if version is None:
        version = time.time_ns()
        cache.add(KEY, version, timeout=None)
        version = cache.get(KEY, version)
    return version


def bump_catalog_version(**_kwargs) -> None:
    """Signal receiver and plain function: the catalog changed."""
    cache.set(KEY, time.time_ns(), timeout=None)
