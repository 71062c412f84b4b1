"""load_demo loads the two demo plans of demo/ through the importer, quickly and idempotently."""

import time

from django.core.management import call_command

from actions.models import Action, Axis, Indicator, Measurement, Objective, Plan
from filieres.models import Filiere
from ght_portal.models import GHT


def plan_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Plan, Axis, Objective, Action, Filiere, Indicator, Measurement, Action.history.model)
    }


def test_load_demo_loads_both_plans_through_the_importer_idempotently(db):
    started = time.monotonic()
    call_command("load_demo", verbosity=0)
    assert time.monotonic() - started < 10
    first = plan_counts()
    versions = dict(Action.objects.values_list("pk", "version"))
    call_command("load_demo", verbosity=0)
    assert plan_counts() == first  # no new row, not even a history row
    assert dict(Action.objects.values_list("pk", "version")) == versions

    rouen = GHT.objects.get(slug="rouen-coeur-de-seine")
    plan = Plan.objects.get(ght=rouen)
    assert (plan.status, plan.start_year, plan.end_year, plan.axis_label) == ("active", 2023, 2028, "objectif_majeur")
    assert plan.axes.count() == 6
    assert Filiere.objects.filter(ght=rouen).count() == 8
    # 29 numbered actions in the PMSP, of which n° 2 and n° 16 are the same action listed in two
    # filières: 28 actions, one of them in both the urgences and the psychiatrie filières.
    actions = Action.objects.filter(plan=plan)
    assert actions.count() == 28
    shared = actions.get(code="02")
    assert "unité psychiatrique au service des urgences du CHU" in shared.title
    assert sorted(shared.filieres.values_list("code", flat=True)) == ["PSY", "URG"]
    assert not actions.filter(code="16").exists()
    assert "n° 16 de la filière psychiatrie" in shared.description

    lot = GHT.objects.get(slug="lot-et-garonne")
    plan = Plan.objects.get(ght=lot)
    assert (plan.status, plan.start_year, plan.end_year, plan.axis_label) == ("active", 2024, 2029, "ambition")
    assert plan.axes.count() == 4
    assert Objective.objects.filter(axis__plan=plan).count() == 22
    assert Action.objects.filter(plan=plan).count() == 63  # every « . » action of the seed
    assert Measurement.objects.filter(ght=lot).exists()
    # owners are demo members; statuses and health are spread
    statuses = set(Action.objects.values_list("status", flat=True))
    assert {"a_lancer", "en_cours", "realisee"} <= statuses
    assert len(set(Action.objects.values_list("health", flat=True))) == 3
    assert not Action.objects.filter(owner__isnull=True).exists()


def test_the_demo_plans_render_in_the_app(client, db):
    call_command("load_demo", verbosity=0)
    rouen = GHT.objects.get(slug="rouen-coeur-de-seine")
    plan = Plan.objects.get(ght=rouen)
    shared = Action.objects.get(plan=plan, code="02")
    psychiatry = Filiere.objects.get(ght=rouen, code="PSY")
    client.force_login(rouen.memberships.get(user__email="cellule@rouen.test").user)
    for path in (
        f"/{rouen.slug}/plans/{plan.pk}/",
        f"/{rouen.slug}/actions/?q=psychiatrique",
        f"/{rouen.slug}/actions/{shared.pk}/",
        f"/{rouen.slug}/filieres/{psychiatry.pk}/",
        f"/{rouen.slug}/plans/{plan.pk}/calendrier/",
        f"/{rouen.slug}/actions/export.xlsx",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    assert (
        "unité psychiatrique au service des urgences du CHU"
        in client.get(f"/{rouen.slug}/filieres/{psychiatry.pk}/").content.decode()
    )
