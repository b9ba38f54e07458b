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
