"""Reference rows every desk page shows (topics, canned replies, published procedures).

They change a few times a year and are read on every ticket view: a list is kept in the cache
(Redis in production, shared by every process) and dropped as soon as a row of a model it was
built from is saved or deleted, so an edit in the admin shows on the next page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import translation

T = TypeVar("T")
SAFETY_SECONDS = 300  # a missed invalidation (queryset.update, raw SQL) lasts at most this long
_dependents: dict[type[Model], set[str]] = {}
_local: dict[str, tuple[float, list]] = {}  # cache key -> (when read, rows): cached_rows(local_seconds=...)
# Sent after the commit of a change to any tracked model, once its lists are dropped (kwargs: model):
# pages that show reference rows (the desk's replayed pages) listen.
changed = Signal()


def _cache_key(key: str, language: str) -> str:
    return f"refdata:{key}:{language}"


def _drop(sender, **_kwargs) -> None:
    languages = ["", *(code for code, _name in settings.LANGUAGES)]
    keys = [_cache_key(key, language) for key in _dependents.get(sender, ()) for language in languages]

    # After the commit: a page rendered before it would otherwise put the old rows back.
    def drop_and_announce() -> None:
        cache.delete_many(keys)
        for key in keys:
            _local.pop(key, None)
        changed.send(sender=sender, model=sender)

    transaction.on_commit(drop_and_announce)


def forget_all() -> None:
    """Drop every cached list now (tests roll back instead of committing, so no signal drops them)."""
    languages = ["", *(code for code, _name in settings.LANGUAGES)]
    keys = {key for keys in _dependents.values() for key in keys}
    _local.clear()
    cache.delete_many([_cache_key(key, language) for key in keys for language in languages])


def track(key: str, *models: type[Model]) -> None:
    """Declare (from an AppConfig.ready, so every process listens) which models `key` is built from."""
    for model in models:
        _dependents.setdefault(model, set()).add(key)
        post_save.connect(_drop, sender=model, dispatch_uid=f"refdata-save-{model._meta.label}")
        post_delete.connect(_drop, sender=model, dispatch_uid=f"refdata-delete-{model._meta.label}")


def cached_rows(
    key: str, load: Callable[[], list[T]], *, per_language: bool = False, local_seconds: float = 0
) -> list[T]:
    """`load()` from the cache under `key` (declared with track), rebuilt after any change.

    per_language: one copy per interface language, for lists ordered by a translated field.
    local_seconds: also keep the rows in this process that long, for a list read many times a
    second (each acknowledgement of an ingestion batch): a change made elsewhere shows here
    after at most that delay, one made in this process at once.
    """
    if not any(key in keys for keys in _dependents.values()):
        raise LookupError(f"refdata key {key!r} is not tracked: nothing would ever refresh it")
    cache_key = _cache_key(key, (translation.get_language() or "") if per_language else "")
    if local_seconds:
        kept = _local.get(cache_key)
        if kept is not None and time.monotonic() - kept[0] < local_seconds:
            return kept[1]
    rows = cache.get(cache_key)
    if rows is None:
        rows = load()
        cache.set(cache_key, rows, SAFETY_SECONDS)
    if local_seconds:
        _local[cache_key] = (time.monotonic(), rows)
    return rows
