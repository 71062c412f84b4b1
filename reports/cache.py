"""The dashboard's figures, computed once per state of the data and kept in Django's cache (Redis).

``reports.figures.compute`` costs ~60 ms for a 600-action plan, on every dashboard view, although the
data changes a few times a day. The cache key carries a *version of the data* read in one query:
for every table the figures read, restricted to the GHT, its row count and the highest ``xmin`` —
PostgreSQL's transaction id of a row's current version, which every INSERT and UPDATE renews, bulk
``update()`` included, with no signal or timestamp to forget. Any change to what the figures read
gives a new key, so a cached value can be old only in the sense of "not yet evicted", never stale.
The day is in the key too (« en retard » moves at midnight). The same version tells whether a
finished PDF report still says what the portal says (``reports.documents.services``): the tables the documents
read besides the figures' (decisions, instances, pilots, milestones, establishments, the GHT's own
row) are in it too.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from actions.models import Action, Axis, Indicator, Measurement, Milestone, Objective, Plan
from filieres.models import Filiere, Pilot
from ght_portal.models import GHT, Establishment, User
from governance.models import Campaign, CheckpointUpdate, Decision, Instance, Snapshot
from reports.figures import Figures, Scope, compute

CACHE_VERSION = 1
CACHE_SECONDS = 3600  # a safety net only: the data version already changes with every write


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _version_sql() -> str:
    """One SELECT of "count.max(xmin)" per table the figures and the documents read (table names from
    the models, no user input), and the id of the current transaction if it has written anything."""
    state = "count(*) || '.' || coalesce(max({alias}xmin::text::bigint), 0)"
    own = [Plan, Action, Objective, Axis, Filiere, Indicator, Measurement, CheckpointUpdate, Campaign, Snapshot]
    own += [Decision, Instance, Pilot, Milestone, Establishment]  # what the PDFs show besides the figures
    parts = [f"(SELECT {state.format(alias='')} FROM {_table(m)} WHERE ght_id = %(ght)s)" for m in own]  # noqa: S608
    for relation in (Action.filieres.through, Action.establishments.through):
        parts.append(
            f"(SELECT {state.format(alias='link.')} FROM {_table(relation)} link "  # noqa: S608
            f"JOIN {_table(Action)} action ON action.id = link.action_id WHERE action.ght_id = %(ght)s)"
        )
    parts.append(f"(SELECT {state.format(alias='')} FROM {_table(GHT)} WHERE id = %(ght)s)")  # noqa: S608
    parts.append(  # the owners' names
        f"(SELECT {state.format(alias='')} FROM {_table(User)} WHERE id IN "  # noqa: S608
        f"(SELECT owner_id FROM {_table(Action)} WHERE ght_id = %(ght)s))"
    )
    # xmin is the 32-bit transaction id; pg_current_xact_id_if_assigned() the 64-bit one (epoch included).
    current = "coalesce((pg_current_xact_id_if_assigned()::text::bigint %% 4294967296)::text, '')"
    return "SELECT ARRAY[" + ", ".join(parts) + "], " + current


VERSION_SQL = _version_sql()


def data_version(ght_id: int) -> str | None:
    """The version of the GHT's data (one query), or None when this very transaction has written some
    of those rows: its own writes share one transaction id, so the version would not tell them apart —
    nothing is cached, nor a report reused, from inside such a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL, {"ght": ght_id})
        states, current = cursor.fetchone()
    if current and any(state.rsplit(".", 1)[1] == current for state in states):
        return None
    return hashlib.sha256(":".join(states).encode()).hexdigest()


def cache_key(scope: Scope, what: str, today: datetime.date) -> str | None:
    """The key of ``what`` for ``scope`` in the current state of the GHT's data (None: not cacheable)."""
    version = data_version(scope.ght.pk)
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
