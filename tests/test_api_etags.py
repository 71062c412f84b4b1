"""No lost update on the objects whose ETag is a hash of their representation (every object but the
actions, whose ETag is their version: tests/test_api_actions.py)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from guardian.shortcuts import get_perms

from filieres.models import Filiere, Pilot
from ght_portal.api.etags import parse_if_match
from ght_portal.models import Membership, Role
from governance.checkpoints.services import open_campaign
from tests.api_helpers import api_client, base
from tests.factories import ActionFactory, FiliereFactory, PilotFactory

pytestmark = pytest.mark.django_db


def test_the_etag_is_the_same_in_the_list_the_object_and_its_header(ght, office):
    filiere = FiliereFactory(ght=ght)
    client = api_client(office)
    detail = client.get(f"{base(ght)}/filieres/{filiere.pk}/")
    listed = client.get(f"{base(ght)}/filieres/").json()["results"][0]
    assert detail["ETag"] == detail.json()["etag"] == listed["etag"]
    assert detail["ETag"].startswith('"') and len(detail["ETag"]) == 34


def test_two_writers_with_the_same_etag_the_second_is_refused(ght, office, make_member):
    filiere = FiliereFactory(ght=ght, description="Avant")
    url = f"{base(ght)}/filieres/{filiere.pk}/"
    first, second = api_client(office), api_client(make_member(ght, Role.OFFICE))
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag

    written = first.patch(url, {"description": "Première"}, HTTP_IF_MATCH=etag)
    assert written.status_code == 200 and written["ETag"] != etag
    refused = second.patch(url, {"description": "Seconde"}, HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    assert refused["ETag"] == written["ETag"]  # what to read again
    assert Filiere.objects.get(pk=filiere.pk).description == "Première"
    # Read again, then write: accepted.
    again = second.patch(url, {"description": "Seconde"}, HTTP_IF_MATCH=refused["ETag"])
    assert again.status_code == 200


def test_if_match_may_list_several_tags_and_weak_ones(ght, office):
    filiere = FiliereFactory(ght=ght)
    url = f"{base(ght)}/filieres/{filiere.pk}/"
    client = api_client(office)
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"description": "Un"}, HTTP_IF_MATCH=f'"autre", W/{etag}')
    assert response.status_code == 200
    assert parse_if_match('"a", W/"b"') == ['"a"', '"b"']
    assert parse_if_match("*") == parse_if_match("pas-entre-guillemets") == []


def test_a_stale_delete_keeps_the_pilot_and_its_grant(ght, office, make_member):
    pilot_user = make_member(ght, Role.PILOT)
    filiere = FiliereFactory(ght=ght)
    client = api_client(office)
    created = client.post(f"{base(ght)}/pilots/", {"filiere": filiere.pk, "user": pilot_user.pk, "pilot_role": "pu_ph"})
    assert created.status_code == 201, created.json()
    url = created["Location"]
    assert get_perms(pilot_user, filiere) == ["pilot_filiere"]  # the service granted it

    stale = created["ETag"].replace('"', '"0', 1)
    assert client.delete(url, HTTP_IF_MATCH=stale).status_code == 412
    assert Pilot.objects.filter(filiere=filiere, user=pilot_user).exists()
    assert client.delete(url, HTTP_IF_MATCH=created["ETag"]).status_code == 204
    assert not Pilot.objects.filter(filiere=filiere, user=pilot_user).exists()
    assert get_perms(pilot_user, Filiere.objects.get(pk=filiere.pk)) == []


def test_a_checkpoint_update_is_stale_once_its_action_moved(ght, office, make_member):
    """Its ETag covers the action's version: a submission read before someone else's follow-up is refused."""
    from tests.factories import AxisFactory, ObjectiveFactory, PlanFactory

    owner = make_member(ght, Role.OWNER)
    plan = PlanFactory(ght=ght)
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=plan)), owner=owner)
    campaign = open_campaign(
        acting_user=office,
        membership=Membership.objects.get(ght=ght, user=office),
        plan=plan,
        title="Point de juin",
        deadline=timezone.localdate() + datetime.timedelta(days=10),
        all_filieres=True,
    )
    update = campaign.updates.get()
    client = api_client(owner)
    url = f"{base(ght)}/checkpoint-updates/{update.pk}/"
    etag = client.get(url)["ETag"]
    action_url = f"{base(ght)}/actions/{action.pk}/"
    action_etag = client.get(action_url)["ETag"]
    moved = api_client(office).post(f"{action_url}followup/", {"progress": 20}, HTTP_IF_MATCH=action_etag)
    assert moved.status_code == 200
    body = {"status": "en_cours", "health": "on_track", "progress": 30}
    assert client.post(f"{url}submit/", body, HTTP_IF_MATCH=etag).status_code == 412
    submitted = client.post(f"{url}submit/", body, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == "submitted"
    action.refresh_from_db()
    assert action.progress == 30


def test_pilots_of_a_filiere_write_its_text_but_nothing_else(ght, make_member):
    pilot_user = make_member(ght, Role.PILOT)
    filiere = FiliereFactory(ght=ght, name="Gériatrie")
    PilotFactory(filiere=filiere, user=pilot_user)
    from guardian.shortcuts import assign_perm

    assign_perm("filieres.pilot_filiere", pilot_user, filiere)
    client = api_client(pilot_user)
    url = f"{base(ght)}/filieres/{filiere.pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"name": "Autre nom"}, HTTP_IF_MATCH=etag).status_code == 403
    response = client.patch(url, {"threats": "Démographie médicale."}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["threats"] == "Démographie médicale."
    assert Filiere.objects.get(pk=filiere.pk).name == "Gériatrie"
