"""The Redis cache backend, with one redis client per connection pool instead of one per call.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache operation, and building one
costs about 0.25 ms of CPU (it fills a case-insensitive table of ~170 response callbacks). A cached
page or a throttled API call does 2–5 cache operations, so that was a third of the CPU of a cache hit
in bench/load.py. A ``redis.Redis`` is safe to share: it takes a connection from its pool per command,
and the pool reconnects after a fork.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_window(self, key: str, timeout: int) -> int:
        """Count one more hit on ``key``, which expires ``timeout`` s after its first hit: one round trip
        (SET NX EX and INCR in a pipeline) where Django's add() + incr() take three."""
        key = self.make_and_validate_key(key)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]


def incr_window(key: str, timeout: int) -> int:
    """``RedisCache.incr_window`` on the default cache, or its equivalent on any other backend."""
    from django.core.cache import cache

    if isinstance(cache, RedisCache):
        return cache.incr_window(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
