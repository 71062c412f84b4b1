"""The plan's structure through the API: the rules of the web's forms, now in actions.plan.services."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm

from actions.models import Axis, Objective, Plan
from ght_portal.models import Role
from tests.api_helpers import api_client, base
from tests.factories import AxisFactory, FiliereFactory, ObjectiveFactory, PilotFactory, PlanFactory

pytestmark = pytest.mark.django_db


def test_one_plan_in_force_and_a_valid_period(ght, office):
    PlanFactory(ght=ght, status=Plan.Status.ACTIVE, title="PMSP actuel")
    client = api_client(office)
    body = {"title": "Suivant", "start_year": 2030, "end_year": 2034, "status": "active"}
    response = client.post(f"{base(ght)}/plans/", body)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "status": ["Un autre projet est déjà en vigueur dans ce GHT (« PMSP actuel ») ; archivez-le d'abord."]
    }
    response = client.post(f"{base(ght)}/plans/", {**body, "status": "draft", "end_year": 2029})
    assert response.json()["errors"] == {"end_year": ["L'année de fin doit être postérieure à l'année de début."]}
    assert client.post(f"{base(ght)}/plans/", {**body, "status": "draft"}).status_code == 201
    assert Plan.objects.filter(ght=ght).count() == 2


def test_an_axis_rank_is_taken_once_per_plan(ght, office):
    plan = PlanFactory(ght=ght)
    AxisFactory(plan=plan, position=1)
    response = api_client(office).post(f"{base(ght)}/axes/", {"plan": plan.pk, "position": 1, "title": "Bis"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"position": ["Ce rang est déjà pris dans ce projet."]}
    assert Axis.objects.filter(plan=plan).count() == 1


def test_an_objective_stays_in_its_plan_and_a_pilot_only_rewords_it(ght, office, make_member):
    pilot = make_member(ght, Role.PILOT)
    filiere = FiliereFactory(ght=ght)
    PilotFactory(filiere=filiere, user=pilot)
    assign_perm("filieres.pilot_filiere", pilot, filiere)
    plan = PlanFactory(ght=ght)
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan), filiere=filiere, title="Avant")
    other_axis = AxisFactory(plan=plan)
    foreign_axis = AxisFactory(plan=PlanFactory(ght=ght, start_year=2030, end_year=2034))
    url = f"{base(ght)}/objectives/{objective.pk}/"

    as_pilot = api_client(pilot)
    etag = as_pilot.get(url)["ETag"]
    assert as_pilot.patch(url, {"axis": other_axis.pk}, HTTP_IF_MATCH=etag).status_code == 403
    response = as_pilot.patch(url, {"title": "Reformulé", "code": "G1"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["title"] == "Reformulé"

    as_office = api_client(office)
    response = as_office.patch(url, {"axis": foreign_axis.pk}, HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "axis": ["Un objectif reste dans son projet : choisissez un axe de ce projet."]
    }
    moved = as_office.patch(url, {"axis": other_axis.pk, "filiere": None}, HTTP_IF_MATCH=as_office.get(url)["ETag"])
    assert moved.status_code == 200
    objective.refresh_from_db()
    assert (objective.axis, objective.filiere, objective.title) == (other_axis, None, "Reformulé")
    assert Objective.objects.count() == 1
