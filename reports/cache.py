"""The dashboard's figures, computed once per state of the data and kept in Django's cache (Redis).

``reports.figures.compute`` costs ~60 ms for a 600-action plan, on every dashboard view, although the
data changes a few times a day. The cache key carries the GHT's *data revision*
(``reports.revision``): a counter that database triggers move, in the committing transaction itself,
whenever anything the figures or the documents read is written — bulk ``update()``, imports, the
admin, many-to-many links and owners' names included — so a cached value can be old only in the
sense of "not yet evicted", never stale, even when transactions overlap. The day is in the key too
(« en retard » moves at midnight). The same revision tells whether a finished PDF report still says
what the portal says (``reports.documents.services``).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone

from reports.figures import Figures, Scope, compute
from reports.revision import data_revision

CACHE_VERSION = 2  # 2: keyed by the data revision
CACHE_SECONDS = 3600  # a safety net only: the data revision already changes with every write


def cache_key(scope: Scope, what: str, today: datetime.date) -> str | None:
    """The key of ``what`` for ``scope`` in the current state of the GHT's data (None: not cacheable)."""
    version = data_revision(scope.ght.pk)
    if version is None:
        return None
    ids = [getattr(part, "pk", None) for part in (scope.plan, scope.filiere, scope.establishment, scope.campaign)]
    raw = f"{CACHE_VERSION}:{what}:{scope.ght.pk}:{ids}:{scope.medical_only}:{today}:{version}"
    return f"reports:{what}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _cached(scope: Scope, what: str, make: Callable[[Figures], object]):
    """``make(compute(scope))``, from the cache when the data have not changed since it was made."""
    today = timezone.localdate()
    key = cache_key(scope, what, today)
    value = cache.get(key) if key else None
    if value is None:
        value = make(compute(scope, today=today))
        if key:
            cache.set(key, value, CACHE_SECONDS)
    return value


def cached_compute(scope: Scope) -> Figures:
    """``compute(scope)``, from the cache when the data have not changed since it was computed."""
    figures = _cached(scope, "figures", lambda computed: dataclasses.replace(computed, scope=None))
    return dataclasses.replace(figures, scope=scope)  # the request's own objects, not pickled copies


def cached_render(scope: Scope, render: Callable[[Figures], dict]) -> dict:
    """``render(compute(scope))`` — a dict of strings, e.g. a page's markup — from the cache when the
    data have not changed: the dashboard's figures are the same for every member of the GHT."""
    return _cached(scope, "render", render)
