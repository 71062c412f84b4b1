"""Checkpoint benchmark: open and close a campaign over the large GHT's 600 actions,
then time the comparison page. Everything runs in a transaction that is rolled back, so the bench
database stays as it was."""

from __future__ import annotations

import datetime
import statistics
import time

from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Action, Plan
from ght_portal.models import GHT, Membership, Role

REQUESTS = 20


class Rollback(Exception):
    pass


def _timed(function):
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        elapsed = (time.perf_counter() - start) * 1000
    return result, elapsed, len(queries)


def _page(client: Client, url: str) -> tuple[float, int]:
    assert client.get(url).status_code == 200, url
    reset_queries()  # each request resets Django's query log: start the capture from an empty one
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)  # now: the next requests reset Django's query log
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), count


def run(big: GHT) -> list[tuple[str, float, int]]:
    """(label, milliseconds, SQL queries) for opening, closing and comparing."""
    from governance.checkpoints.services import close_campaign, open_campaign

    membership = Membership.objects.filter(ght=big, role=Role.OFFICE).select_related("user").order_by("pk").first()
    office = membership.user
    plan = Plan.objects.get(ght=big, status=Plan.Status.ACTIVE)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    rows: list[tuple[str, float, int]] = []
    try:
        with transaction.atomic():
            # Every action open, so that the campaign covers all 600 of them.
            Action.objects.filter(ght=big).exclude(status="en_cours").update(status="en_cours")
            june, ms, count = _timed(
                lambda: open_campaign(
                    acting_user=office,
                    membership=membership,
                    plan=plan,
                    title="Banc juin",
                    deadline=deadline,
                    all_filieres=True,
                )
            )
            in_scope = june.updates.count()
            rows.append((f"Ouverture ({in_scope} actions ouvertes)", ms, count))
            _, ms, count = _timed(lambda: close_campaign(acting_user=office, membership=membership, campaign=june))
            rows.append((f"Clôture ({june.snapshots.count()} instantanés)", ms, count))
            ids = list(Action.objects.filter(ght=big).order_by("pk").values_list("pk", flat=True)[:150])
            Action.objects.filter(pk__in=ids).update(progress=100, status="suspendue")
            december = open_campaign(
                acting_user=office,
                membership=membership,
                plan=plan,
                title="Banc décembre",
                deadline=deadline,
                all_filieres=True,
            )
            close_campaign(acting_user=office, membership=membership, campaign=december)
            client = Client()
            client.force_login(office)
            base = f"/{big.slug}/points-d-etape/{december.pk}/comparer/"
            ms, count = _page(client, f"{base}?avec={june.pk}")
            rows.append(("Comparaison de deux points d'étape (médiane)", ms, count))
            ms, count = _page(client, f"{base}?avec=aujourdhui")
            rows.append(("Comparaison avec aujourd'hui (médiane)", ms, count))
            ms, count = _page(client, f"/{big.slug}/points-d-etape/{december.pk}/")
            rows.append(("Suivi d'un point d'étape (médiane)", ms, count))
            raise Rollback
    except Rollback:
        pass
    return rows


def report(big: GHT) -> None:
    rows = run(big)
    width = max(len(label) for label, *_ in rows)
    print(f"{'point d étape'.ljust(width)}        ms  requêtes SQL")
    for label, ms, count in rows:
        print(f"{label.ljust(width)}  {ms:8.1f}  {count:12d}")
    closing = rows[1]
    print(
        f"Objectifs : clôture de 600 actions < 2 000 ms ({closing[1]:.0f} ms, {closing[2]} requêtes, nombre fixe), "
        f"comparaison ≤ 20 requêtes (max {max(rows[2][2], rows[3][2])})."
    )
