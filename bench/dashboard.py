"""Dashboard benchmark (target: under 20 queries and 150 ms p95 for the 600-action GHT).

Two checkpoints are opened and closed over the large GHT (deleted at the end, so the bench database
stays as it was), then the dashboard is timed as a director opens it: today
with the checkpoint trend, from the last checkpoint's snapshots, filtered, and its Excel export.
The first request after the figures and charts are dropped from the cache shows what computing and
drawing them costs (once per change of the data); the others are served from the cache, as in use.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.conf import settings
from django.test import Client
from django.utils import timezone

from actions.models import Action, Plan
from ght_portal.celery import app as celery_app
from ght_portal.models import GHT, Membership, Role
from governance.models import Campaign
from reports import charts
from reports.figures import Scope, compute


def run(big: GHT, measure: Callable) -> list[tuple[str, float, float, int]]:
    """(label, median ms, p95 ms, SQL queries) per page."""
    from governance.checkpoints.services import close_campaign, open_campaign

    office = Membership.objects.filter(ght=big, role=Role.OFFICE).select_related("user").order_by("pk").first()
    director = Membership.objects.filter(ght=big, role=Role.DIRECTOR).select_related("user").order_by("pk").first()
    plan = Plan.objects.get(ght=big, status=Plan.Status.ACTIVE)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    rows = []
    # Committed, then deleted: the figures' cache only keeps what committed transactions show
    # (reports.cache), so a rolled-back transaction would time the uncached page only.
    # The opening mails are sent in-process to a memory outbox, not queued.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    celery_app.conf.task_always_eager = True
    campaigns = []
    try:
        for title in ("Banc juin", "Banc décembre"):
            campaign = open_campaign(
                acting_user=office.user,
                membership=office,
                plan=plan,
                title=title,
                deadline=deadline,
                all_filieres=True,
            )
            campaigns.append(campaign.pk)
            close_campaign(acting_user=office.user, membership=office, campaign=campaign)
        client = Client()
        client.force_login(director.user)
        base = f"/{big.slug}/tableau-de-bord/"
        filiere = Action.objects.filter(ght=big).order_by("pk").first().filieres.first()
        charts.forget_dashboard_charts(compute(Scope(ght=big, plan=plan)))  # the next request draws them
        start = time.perf_counter()
        assert client.get(base).status_code == 200
        rows.append(("Tableau de bord, calculé et dessiné (1 requête)", (time.perf_counter() - start) * 1000))
        for label, url in (
            ("Tableau de bord du jour, 2 points d'étape clos", base),
            ("Tableau de bord d'un point d'étape clos", f"{base}?source={campaign.pk}"),
            ("Tableau de bord filtré (filière, médicales)", f"{base}?filiere={filiere.pk}&medicales=oui"),
            ("Export Excel du tableau de bord", f"{base}export.xlsx"),
        ):
            rows.append((label, *measure(client, url)))
    finally:
        Campaign.objects.filter(pk__in=campaigns).delete()
    return rows


def report(big: GHT, measure: Callable) -> None:
    rows = run(big, measure)
    width = max(len(row[0]) for row in rows)
    print(f"{'tableau de bord'.ljust(width)}  médiane ms    p95 ms  requêtes SQL")
    print(f"{rows[0][0].ljust(width)}  {rows[0][1]:10.1f}")
    for label, median, p95, queries in rows[1:]:
        print(f"{label.ljust(width)}  {median:10.1f}  {p95:8.1f}  {queries:12d}")
    pages = rows[1:4]
    print(
        f"Objectifs : tableau de bord ≤ 20 requêtes (max {max(r[3] for r in pages)}), "
        f"p95 < 150 ms (max {max(r[2] for r in pages):.1f})."
    )
