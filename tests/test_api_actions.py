"""The actions through the API: the web list's filters, the writes with their rights, no lost update,
and crafted ids of another GHT refused."""

from __future__ import annotations

import pytest

from actions.models import Action, ActionUpdate, Milestone
from ght_portal.models import Role
from tests import test_actions_pages as pages
from tests.api_helpers import api_client, base
from tests.factories import EstablishmentFactory, FiliereFactory, MilestoneFactory, ObjectiveFactory, UserFactory

# The world of the web list's tests: an active plan, two filières (the pilot pilots GER), GER-1 owned by
# the owner member and late, PSY-1 at risk, and OLD-1 in an archived plan.
world = pages.world


@pytest.fixture
def as_role(world):
    def make(role, **kwargs):
        return api_client(world["members"][role], **kwargs)

    return make


def codes(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


# --- The list: the web's filters ---------------------------------------------------------------------


def test_the_list_shows_the_plan_in_force_unless_told_otherwise(as_role, ght, world):
    client = as_role(Role.READER)
    assert codes(client.get(f"{base(ght)}/actions/")) == ["GER-1", "PSY-1"]
    assert codes(client.get(f"{base(ght)}/actions/", {"plan": "tous"})) == ["GER-1", "OLD-1", "PSY-1"]
    assert codes(client.get(f"{base(ght)}/actions/", {"plan": world["old_plan"].pk})) == ["OLD-1"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"filiere": "geriatrie"}, ["GER-1"]),
        ({"establishment": "hopital"}, ["GER-1"]),
        ({"objective": "objective"}, ["GER-1"]),
        ({"axis": "axis"}, ["GER-1"]),
        ({"health": "at_risk"}, ["PSY-1"]),
        ({"late": "oui"}, ["GER-1"]),
        ({"late": "non"}, ["PSY-1"]),
        ({"due_before": "2030-01-01"}, ["GER-1"]),
        ({"q": "équipe mobile"}, ["GER-1"]),
        ({"q": "psy-1"}, ["PSY-1"]),
        ({"sort": "-due_date"}, ["PSY-1", "GER-1"]),
        ({"sort": "progress"}, ["PSY-1", "GER-1"]),
    ],
)
def test_the_web_lists_filters_and_sorts(as_role, ght, world, params, expected):
    params = {key: world[value].pk if value in world else value for key, value in params.items()}
    assert codes(as_role(Role.READER).get(f"{base(ght)}/actions/", params)) == expected


def test_a_bad_filter_is_a_400_in_french_and_another_ghts_id_is_refused(as_role, ght, other_ght, world):
    foreign = FiliereFactory(ght=other_ght)
    client = as_role(Role.READER)
    response = client.get(f"{base(ght)}/actions/", {"filiere": foreign.pk, "status": "fini"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["errors"]) == {"filiere", "status"}
    assert "Sélectionnez un choix valide" in body["errors"]["filiere"][0]


def test_representation(as_role, ght, world):
    mobile = world["mobile"]
    response = as_role(Role.READER).get(f"{base(ght)}/actions/{mobile.pk}/")
    assert response.status_code == 200
    row = response.json()
    assert row["code"] == "GER-1" and row["is_late"] is True and row["progress"] == 40
    assert row["filieres"] == [world["geriatrie"].pk] and row["establishments"] == [world["hopital"].pk]
    assert row["owner"] == world["members"][Role.OWNER].pk and row["owner_name"] == "Personne owner"
    assert row["etag"] == f'"{mobile.pk}-{mobile.version}"' == response["ETag"]
    head = as_role(Role.READER).head(f"{base(ght)}/actions/{mobile.pk}/")  # the README's curl -I
    assert head.status_code == 200 and head["ETag"] == row["etag"]
    # The list shows the same representation (the array subqueries give the same ids).
    listed = next(
        r for r in as_role(Role.READER).get(f"{base(ght)}/actions/").json()["results"] if r["id"] == mobile.pk
    )
    assert listed == row


# --- Writes -------------------------------------------------------------------------------------------


def new_action(world, **overrides) -> dict:
    return {
        "plan": world["plan"].pk,
        "code": "GER-9",
        "title": "Créer une astreinte gériatrique de territoire",
        "objective": world["objective"].pk,
        "filieres": [world["geriatrie"].pk],
        "lead_establishment": world["hopital"].pk,
        "establishments": [world["hopital"].pk],
        "owner": world["members"][Role.OWNER].pk,
        "contributors": [world["members"][Role.PILOT].pk],
        "priority": "haute",
        "due_date": "2026-06-30",
        "prs_references": ["E1D2O1"],
        "funding_source": "fir",
        "funding_amount": "12000.00",
        **overrides,
    }


def test_office_creates_an_action_through_the_service(as_role, ght, world):
    response = as_role(Role.OFFICE).post(f"{base(ght)}/actions/", new_action(world), format="json")
    assert response.status_code == 201, response.json()
    action = Action.objects.get(ght=ght, code="GER-9")
    assert response["Location"] == f"{base(ght)}/actions/{action.pk}/"
    assert response.json()["contributors"] == [world["members"][Role.PILOT].pk]
    assert action.funding_amount == 12000 and action.history.first().history_user == world["members"][Role.OFFICE]
    # The service logged the relations in the action's history, as for the web form.
    assert ActionUpdate.objects.filter(action=action, kind=ActionUpdate.Kind.CHANGE).exists()


def test_a_pilot_creates_only_in_the_filieres_they_pilot(as_role, ght, world):
    client = as_role(Role.PILOT)
    refused = client.post(
        f"{base(ght)}/actions/",
        new_action(world, filieres=[world["psy"].pk], objective=None, code="PSY-9"),
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["filieres"] == [
        "L'action doit appartenir à au moins une des filières que vous pilotez."
    ]
    assert client.post(f"{base(ght)}/actions/", new_action(world), format="json").status_code == 201


def test_owner_and_reader_may_not_create(as_role, ght, world):
    for role in (Role.OWNER, Role.READER, Role.DIRECTOR):
        response = as_role(role).post(f"{base(ght)}/actions/", new_action(world), format="json")
        assert response.status_code == 403, role
    assert not Action.objects.filter(code="GER-9").exists()


@pytest.mark.parametrize(
    "field", ["plan", "objective", "filieres", "lead_establishment", "establishments", "owner", "contributors"]
)
def test_crafted_ids_of_another_ght_fail_validation(as_role, ght, other_ght, make_member, world, field):
    from tests.factories import AxisFactory, PlanFactory

    foreign_plan = PlanFactory(ght=other_ght)
    foreign = {
        "plan": foreign_plan.pk,
        "objective": ObjectiveFactory(axis=AxisFactory(plan=foreign_plan)).pk,
        "filieres": [FiliereFactory(ght=other_ght).pk],
        "lead_establishment": EstablishmentFactory(ght=other_ght).pk,
        "establishments": [EstablishmentFactory(ght=other_ght).pk],
        "owner": make_member(other_ght, Role.OWNER).pk,
        "contributors": [UserFactory().pk],  # not a member of this GHT
    }
    response = as_role(Role.OFFICE).post(f"{base(ght)}/actions/", new_action(world, **{field: foreign[field]}))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Action.objects.filter(code="GER-9").exists()


def test_patch_needs_the_current_etag(as_role, ght, world):
    mobile = world["mobile"]
    client = as_role(Role.OFFICE)
    url = f"{base(ght)}/actions/{mobile.pk}/"
    etag = client.get(url)["ETag"]

    assert client.patch(url, {"title": "Sans If-Match"}).status_code == 428
    assert client.patch(url, {"title": "Étoile"}, HTTP_IF_MATCH="*").status_code == 428
    assert client.patch(url, {"title": "Autre action"}, HTTP_IF_MATCH=f'"{world["urgences"].pk}-1"').status_code == 412

    response = client.patch(url, {"title": "Harmoniser les équipes mobiles", "filieres": []}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Harmoniser les équipes mobiles" and response.json()["filieres"] == []
    assert response["ETag"] == f'"{mobile.pk}-{mobile.version + 1}"' != etag

    stale = client.patch(url, {"title": "Écrasement"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale["ETag"] == response["ETag"]
    assert "Personne office" in stale.json()["detail"] and "Intitulé" in stale.json()["detail"]
    mobile.refresh_from_db()
    assert mobile.title == "Harmoniser les équipes mobiles"


def test_a_pilot_edits_only_the_actions_of_their_filieres(as_role, ght, world):
    client = as_role(Role.PILOT)
    for action, expected in ((world["mobile"], 200), (world["urgences"], 403)):
        url = f"{base(ght)}/actions/{action.pk}/"
        response = client.patch(url, {"progress": 50}, HTTP_IF_MATCH=client.get(url)["ETag"])
        assert response.status_code == expected, (action.code, response.json())


def test_the_owner_updates_the_followup_which_is_logged(as_role, ght, world):
    mobile = world["mobile"]
    client = as_role(Role.OWNER)
    url = f"{base(ght)}/actions/{mobile.pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"progress": 60}, HTTP_IF_MATCH=etag).status_code == 403  # every field: not theirs
    response = client.post(
        f"{url}followup/", {"status": "realisee", "progress": 100, "text": "Fait."}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "realisee" and response.json()["health"] == "on_track"
    log = ActionUpdate.objects.get(action=mobile, kind=ActionUpdate.Kind.UPDATE)
    assert (log.text, log.status, log.progress, log.author) == ("Fait.", "realisee", 100, world["members"][Role.OWNER])
    # Someone else's action: 403, whatever the ETag.
    other = world["urgences"]
    other_url = f"{base(ght)}/actions/{other.pk}/followup/"
    assert client.post(other_url, {"progress": 1}, HTTP_IF_MATCH=f'"{other.pk}-{other.version}"').status_code == 403


def test_a_bad_value_is_refused_in_french_and_changes_nothing(as_role, ght, world):
    mobile = world["mobile"]
    client = as_role(Role.OFFICE)
    url = f"{base(ght)}/actions/{mobile.pk}/"
    response = client.patch(
        url, {"start_date": "2027-01-01", "due_date": "2026-01-01"}, HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"due_date": ["L'échéance ne peut pas précéder la date de début."]}
    response = client.post(f"{url}followup/", {"progress": 140}, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 400 and "progress" in response.json()["errors"]
    mobile.refresh_from_db()
    assert mobile.start_date is None and mobile.progress == 40


# --- Milestones, indicators, measurements, the log ----------------------------------------------------


def test_the_owner_marks_a_milestone_reached_but_edits_nothing_else(as_role, ght, world):
    milestone = MilestoneFactory(action=world["mobile"])
    client = as_role(Role.OWNER)
    url = f"{base(ght)}/milestones/{milestone.pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"title": "Autre"}, HTTP_IF_MATCH=etag).status_code == 403
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 403
    response = client.patch(url, {"done_on": "2025-03-01"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["done_on"] == "2025-03-01" and response["ETag"] != etag
    assert client.patch(url, {"done_on": None}, HTTP_IF_MATCH=etag).status_code == 412  # stale now


def test_pilot_manages_milestones_and_indicators_and_the_owner_measures(as_role, ght, world):
    mobile = world["mobile"]
    pilot = as_role(Role.PILOT)
    created = pilot.post(
        f"{base(ght)}/milestones/", {"action": mobile.pk, "title": "Recrutement", "due_date": "2026-01-31"}
    )
    assert created.status_code == 201, created.json()
    milestone_url = created["Location"]
    assert pilot.delete(milestone_url, HTTP_IF_MATCH=created["ETag"]).status_code == 204
    assert not Milestone.objects.filter(action=mobile).exists()

    indicator = pilot.post(
        f"{base(ght)}/indicators/", {"action": mobile.pk, "name": "Patients vus", "target": "50", "unit": "patients"}
    )
    assert indicator.status_code == 201, indicator.json()
    owner = as_role(Role.OWNER)
    measured = owner.post(
        f"{base(ght)}/measurements/",
        {"indicator": indicator.json()["id"], "measured_on": "2025-06-01", "value": "12.5"},
    )
    assert measured.status_code == 201, measured.json()
    assert measured.json()["action"] == mobile.pk and measured.json()["value"] == "12.5000"
    again = owner.post(
        f"{base(ght)}/measurements/", {"indicator": indicator.json()["id"], "measured_on": "2025-06-01", "value": "13"}
    )
    assert again.status_code == 400
    assert again.json()["errors"] == {"measured_on": ["Une mesure existe déjà à cette date pour cet indicateur."]}
    # The owner may not create indicators; a reader may not measure.
    assert owner.post(f"{base(ght)}/indicators/", {"action": mobile.pk, "name": "X"}).status_code == 403
    reader = as_role(Role.READER)
    assert reader.post(f"{base(ght)}/measurements/", {"indicator": indicator.json()["id"]}).status_code == 403


def test_comments_and_the_log(as_role, ght, world):
    mobile = world["mobile"]
    client = as_role(Role.OWNER)
    response = client.post(f"{base(ght)}/action-updates/", {"action": mobile.pk, "text": "  Réunion le 3 juin. "})
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "comment" and response.json()["text"] == "Réunion le 3 juin."
    assert client.post(f"{base(ght)}/action-updates/", {"action": mobile.pk, "text": " "}).status_code == 400
    other = world["urgences"]
    assert client.post(f"{base(ght)}/action-updates/", {"action": other.pk, "text": "Non."}).status_code == 403
    log = as_role(Role.READER).get(f"{base(ght)}/action-updates/", {"action": mobile.pk, "kind": "comment"})
    assert [row["author_name"] for row in log.json()["results"]] == ["Personne owner"]
