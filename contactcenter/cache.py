"""Django's Redis cache, keeping one redis client per connection pool, and answering without Redis when it is down.

django.core.cache.backends.redis builds a new redis.Redis object for every get and set; on a desk
page that reads the cache half a dozen times, that construction cost more than the round trips.
A redis.Redis client is thread-safe (each command borrows a connection from the pool), so one
per pool is enough.

Redis is a cache here, never the only home of anything (degraded mode, issue 20):
when it cannot be reached, `cache` answers as an empty cache instead of raising. A read is a miss,
a write is dropped, add() claims nothing (False), incr() finds nothing (ValueError, as for a
missing key). The pages then read the database, the sessions come from their table
(cached_db), and the pages work. After a failure the next calls skip Redis for RETRY_SECONDS,
so a dead server costs one connection timeout per process every few seconds, not one per call.

What was written while Redis was away is forgotten when it comes back: every key a dropped write
or delete touched is deleted first thing (a session logged out meanwhile must not come back from
a Redis restarted with its AOF file; a generation counter not bumped must not replay old pages).

Code that must not take "nothing there" for an answer (a rate limit failing closed, a lock whose
absence would let work through twice) asks strict_cache(): the same cache, raising
CacheUnavailable instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.core.cache import caches
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.utils.functional import cached_property
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)
T = TypeVar("T")

# After Redis failed to answer, skip it for this long (per process) before trying again.
RETRY_SECONDS = 5.0
# Never wait on a dead or hung server longer than this (seconds); OPTIONS in CACHES may override.
CONNECT_TIMEOUT = 0.5
COMMAND_TIMEOUT = 2.0
# Keys to delete once Redis is back, per process; past this many, the rest expire with their timeout.
MAX_FORGOTTEN_KEYS = 20_000

# Redis not there: skip it for a while. Any other Redis error fails this one call only.
_UNREACHABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)
_FAILED = (redis_errors.RedisError, OSError)


class CacheUnavailable(ConnectionError):  # an OSError, as faq.lookup's CACHE_ERRORS expects
    """The shared cache cannot answer now (raised by strict_cache() only)."""


class _Outage:
    """What one process knows of one Redis server: down until when, which keys to forget on its return."""

    def __init__(self) -> None:
        self.down_until = 0.0
        self.stale: set[str] = set()
        self.overflowed = False
        self.lock = threading.Lock()

    def is_down(self) -> bool:
        return self.down_until > time.monotonic()

    def trip(self, location: str, error: BaseException) -> None:
        with self.lock:
            if not self.down_until:
                logger.warning("cache %s unreachable, answering without it: %s", location, error)
            self.down_until = time.monotonic() + RETRY_SECONDS

    def remember(self, keys: Iterable[str]) -> None:
        with self.lock:
            for key in keys:
                if len(self.stale) >= MAX_FORGOTTEN_KEYS:
                    if not self.overflowed:
                        logger.warning("cache outage: more than %s keys to forget; the others expire", len(self.stale))
                    self.overflowed = True
                    return
                self.stale.add(key)


def _shown(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or ''}:{parts.port or ''}{parts.path}"


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


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
    """Django's Redis cache that answers as an empty cache while Redis is unreachable (see the module)."""

    degrade = True  # False on the strict view

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
        self._options = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": COMMAND_TIMEOUT, **self._options}
        self._location = ",".join(_shown(url) for url in self._servers)  # for the log: no password
        self._outage = _outage(",".join(self._servers))

    @cached_property
    def strict(self) -> RedisCache:
        """The same cache and connections, raising CacheUnavailable where this one degrades."""
        self._cache  # noqa: B018 - built now, so that both share one client and its pools
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view.degrade = False
        view.__dict__["strict"] = view
        return view

    # ------------------------------------------------------------------ one guard for every call

    def _call(self, command: Callable[[], T], fallback: Callable[[], T], touched: Iterable[str] = ()) -> T:
        outage = self._outage
        if outage.is_down():
            return self._without_redis(fallback, touched, None)
        try:
            if outage.stale:
                self._forget_stale()
            result = command()
        except _UNREACHABLE as error:
            outage.trip(self._location, error)
            return self._without_redis(fallback, touched, error)
        except _FAILED as error:
            logger.warning("cache %s refused a command: %r", self._location, error)
            return self._without_redis(fallback, touched, error)
        if outage.down_until:
            outage.down_until = 0.0
            logger.warning("cache %s reachable again", self._location)
        return result

    def _without_redis(self, fallback: Callable[[], T], touched: Iterable[str], error: BaseException | None) -> T:
        self._outage.remember(touched)
        if not self.degrade:
            raise CacheUnavailable(f"cache {self._location} unavailable") from error
        return fallback()

    def _forget_stale(self) -> None:
        """Delete what was written or deleted while Redis was away, before anything is read from it."""
        outage = self._outage
        with outage.lock:
            keys = list(outage.stale)
        for start in range(0, len(keys), 1000):
            self._cache.delete_many(keys[start : start + 1000])
        with outage.lock:
            outage.stale.difference_update(keys)
            outage.overflowed = False
        logger.warning("cache %s back: %s keys written during the outage forgotten", self._location, len(keys))

    def _key(self, key: str, version: int | None) -> str:
        return self.make_and_validate_key(key, version=version)

    # ------------------------------------------------------------------ Django's cache API

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self._key(key, version)
        return self._call(lambda: self._cache.add(key, value, self.get_backend_timeout(timeout)), lambda: False)

    def get(self, key, default=None, version=None) -> Any:
        key = self._key(key, version)
        return self._call(lambda: self._cache.get(key, default), lambda: default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self._key(key, version)
        self._call(lambda: self._cache.set(key, value, self.get_backend_timeout(timeout)), lambda: None, [key])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self._key(key, version)
        return self._call(lambda: self._cache.touch(key, self.get_backend_timeout(timeout)), lambda: False)

    def delete(self, key, version=None) -> bool:
        key = self._key(key, version)
        return self._call(lambda: self._cache.delete(key), lambda: False, [key])

    def get_many(self, keys, version=None) -> dict:
        key_map = {self._key(key, version): key for key in keys}
        found = self._call(lambda: self._cache.get_many(key_map.keys()), dict)
        return {key_map[key]: value for key, value in found.items()}

    def has_key(self, key, version=None) -> bool:
        key = self._key(key, version)
        return self._call(lambda: self._cache.has_key(key), lambda: False)

    def incr(self, key, delta=1, version=None) -> int:
        made = self._key(key, version)

        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        return self._call(lambda: self._cache.incr(made, delta), missing, [made])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        if not data:
            return []
        made = {self._key(key, version): value for key, value in data.items()}
        failed = list(data)
        return self._call(
            lambda: self._cache.set_many(made, self.get_backend_timeout(timeout)) or [], lambda: failed, made
        )

    def delete_many(self, keys, version=None) -> None:
        if not keys:
            return
        made = [self._key(key, version) for key in keys]
        self._call(lambda: self._cache.delete_many(made), lambda: None, made)

    def clear(self) -> bool:
        return self._call(self._cache.clear, lambda: False)

    def ping(self) -> None:
        """Raise CacheUnavailable unless Redis answers now (health checks)."""
        self.strict._call(lambda: self._cache.get_client(None).ping(), lambda: None)


def strict_cache(alias: str = "default") -> BaseCache:
    """The cache that raises CacheUnavailable instead of answering as if empty (a local cache never fails)."""
    backend = caches[alias]
    return getattr(backend, "strict", backend)


def ping_cache(alias: str = "default") -> None:
    """Raise CacheUnavailable unless the shared cache answers now; a local cache always does."""
    ping = getattr(caches[alias], "ping", None)
    if ping is not None:
        ping()
