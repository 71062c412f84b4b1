"""Cost of the data-revision triggers (``reports.revision``) on a bulk update of 2,000 actions.

A plan of 2,000 actions is added to the large GHT, then the same committed ``UPDATE`` of all of them
is timed with the triggers on and off (``ALTER TABLE … DISABLE TRIGGER``), alternately, and the plan is
removed. Target: at most 10 % over the update without triggers.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection, transaction
from django.db.models import F

from actions.models import Action, Plan
from ght_portal.actors import delete_as, system_actor
from ght_portal.models import GHT

ROWS = 2000
RUNS = 25


def _update(plan: Plan) -> float:
    start = time.perf_counter()
    with transaction.atomic():  # the deferred triggers run at this commit: it is timed too
        Action.objects.filter(ght_id=plan.ght_id, plan=plan).update(progress=F("progress") + 1)
    return (time.perf_counter() - start) * 1000


def _triggers(enabled: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE actions_action {'ENABLE' if enabled else 'DISABLE'} TRIGGER revise_data")


def report(big: GHT) -> None:
    template = Action.objects.filter(ght=big).first()
    plan = Plan(ght=big, title="Banc d'essai des déclencheurs", start_year=2024, end_year=2029)
    plan._history_user = system_actor()
    plan.save()
    try:
        Action.objects.bulk_create(
            Action(
                ght=big,
                plan=plan,
                code=f"T-{k + 1}",
                title=f"Action n° {k + 1}",
                owner_id=template.owner_id,
                lead_establishment_id=template.lead_establishment_id,
                progress=0,
            )
            for k in range(ROWS)
        )
        with_triggers, without = [], []
        _update(plan)  # warm-up
        for _ in range(RUNS):
            with_triggers.append(_update(plan))
            _triggers(False)
            try:
                without.append(_update(plan))
            finally:
                _triggers(True)
        on, off = statistics.median(with_triggers), statistics.median(without)
        print(
            f"Révision des données : mise à jour de {ROWS} actions en une requête, médiane sur {RUNS} — "
            f"avec déclencheurs {on:.1f} ms, sans {off:.1f} ms, surcoût {100 * (on - off) / off:+.1f} % "
            "(objectif ≤ 10 %)."
        )
    finally:
        delete_as(Action.objects.filter(plan=plan), system_actor())
        delete_as(Plan.objects.filter(pk=plan.pk), system_actor())
