"""Django's Redis cache, keeping one redis client per connection pool instead of building one per call.

django.core.cache.backends.redis builds a new redis.Redis object for every get and set; on a desk
page that reads the cache half a dozen times, that construction cost more than the round trips.
A redis.Redis client is thread-safe (each command borrows a connection from the pool), so one
per pool is enough.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class KeptClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
