"""Checkpoints closed before snapshots froze the whole plan are completed by the data migration
``governance.0004_complete_closed_checkpoints``, from the history where it allows it, and say what it
could not recover."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from actions.models import Action
from governance.models import Campaign, Snapshot
from tests.factories import ActionFactory, EstablishmentFactory, FiliereFactory, IndicatorFactory, PlanFactory

BEFORE = [("governance", "0003_snapshots_of_the_whole_plan")]


def backdate(action: Action, when: datetime.datetime) -> None:
    """Its history records so far happened at ``when`` (as if written then)."""
    Action.history.filter(id=action.pk).update(history_date=when)


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_closed_before_is_completed_from_the_history(ght):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # the data migration not applied: the schema is already today's
    closed_at = timezone.now() - datetime.timedelta(days=30)
    plan = PlanFactory(ght=ght)
    geriatrics = FiliereFactory(ght=ght, code="GER")
    place = EstablishmentFactory(ght=ght, name="CH Concerné")
    followed = ActionFactory(plan=plan, objective__axis__plan=plan, code="A-1")
    followed.establishments.add(place)
    IndicatorFactory(action=followed, target_date=datetime.date(2027, 6, 30))
    outside = ActionFactory(plan=plan, objective__axis__plan=plan, code="A-2", progress=20)
    outside.filieres.add(geriatrics)
    backdate(followed, closed_at - datetime.timedelta(days=60))
    backdate(outside, closed_at - datetime.timedelta(days=60))
    later = ActionFactory(plan=plan, objective__axis__plan=plan, code="A-3")  # created after the closing
    outside.status, outside.progress = Action.Status.DONE, 100  # moved after the closing
    outside.save()
    campaign = Campaign.objects.create(
        ght=ght, plan=plan, title="Juin", deadline=closed_at.date(), all_filieres=False,
        status=Campaign.Status.CLOSED, closed_at=closed_at,
    )
    indicator = followed.indicators.get()
    Snapshot.objects.create(
        ght=ght, campaign=campaign, action=followed, action_code="A-1", action_title="A-1", status="en_cours",
        health="on_track", progress=50, is_late=False, update_state="submitted", taken_at=closed_at,
        indicators=[{"indicator_id": indicator.pk, "name": "I", "unit": "%", "baseline": "10", "target": "50",
                     "value": None, "measured_on": None}],
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    campaign.refresh_from_db()
    snapshots = {snapshot.action_code: snapshot for snapshot in Snapshot.objects.filter(campaign=campaign)}
    assert set(snapshots) == {"A-1", "A-2"}  # not A-3, which did not exist at closing
    assert snapshots["A-1"].in_scope and snapshots["A-1"].establishment_ids == [place.pk]
    assert snapshots["A-1"].indicators[0]["target_date"] == "2027-06-30"
    added = snapshots["A-2"]
    assert not added.in_scope and added.update_state == ""
    assert (added.status, added.progress) == (Action.Status.IN_PROGRESS, 20)  # as at closing, not as today
    assert added.filiere_codes == ["GER"]
    assert [filiere["code"] for filiere in campaign.frozen_filieres] == ["GER"]
    assert "complété le" in campaign.completion_note and "1 action hors périmètre ajoutée" in campaign.completion_note
    assert later.pk not in {snapshot.action_id for snapshot in snapshots.values()}
