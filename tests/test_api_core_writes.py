"""Establishments, members and invitations written through the API: the web's rules (ght_portal.services),
their French messages, and the conventions of every write (If-Match, 403, 404)."""

from __future__ import annotations

import pytest
from django.core import mail

from ght_portal.models import Establishment, Invitation, Membership, Role
from tests.api_helpers import api_client, base
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

FUMEL = {"name": "CH de Fumel", "town": "Fumel", "kind": "proximite", "finess_juridique": "760780239"}


def test_the_office_creates_an_establishment_with_the_web_rules(ght, office):
    client = api_client(office)
    response = client.post(f"{base(ght)}/establishments/", {**FUMEL, "finess_geographique": "010003820"})
    assert response.status_code == 201, response.content
    created = Establishment.objects.get(ght=ght, name="CH de Fumel")
    assert response["Location"] == f"{base(ght)}/establishments/{created.pk}/"
    assert created.finess_geographique == "010003820" and created.role == Establishment.Role.MEMBER

    refused = [
        ({"name": " ch alpha "}, "name", "Un établissement porte déjà ce nom dans ce GHT."),
        ({"role": "support"}, "role", "CH Alpha est déjà l'établissement support ; changez d'abord son rôle."),
        ({"finess_geographique": "010003820"}, "finess_geographique", "déjà utilisé dans ce GHT"),
        ({"finess_juridique": "760780238"}, "finess_juridique", "clé de contrôle"),
    ]
    for changes, field, message in refused:
        response = client.post(f"{base(ght)}/establishments/", {**FUMEL, "name": "Autre", **changes})
        assert response.status_code == 400, changes
        assert field in response.json()["errors"] and message in response.json()["errors"][field][0]
    assert Establishment.objects.filter(ght=ght).count() == 2
    response = api_client(office, read_only=True).post(f"{base(ght)}/establishments/", {**FUMEL, "name": "Autre"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Ce jeton est en lecture seule : il ne permet aucune modification."


def test_an_establishment_update_needs_its_etag_and_the_office(ght, office, make_member):
    establishment = EstablishmentFactory(ght=ght, name="CH Ancien", role="member")
    url = f"{base(ght)}/establishments/{establishment.pk}/"
    client = api_client(office)
    assert client.patch(url, {"is_active": False}).status_code == 428
    etag = client.get(url)["ETag"]
    assert api_client(make_member(ght, Role.PILOT)).patch(url, {"town": "X"}, HTTP_IF_MATCH=etag).status_code == 403
    response = client.patch(url, {"role": "support"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert response.json()["errors"]["role"] == [
        "CH Alpha est déjà l'établissement support ; changez d'abord son rôle."
    ]
    response = client.patch(url, {"is_active": False, "town": "Nérac"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.patch(url, {"town": "Agen"}, HTTP_IF_MATCH=etag).status_code == 412  # stale
    establishment.refresh_from_db()
    assert establishment.town == "Nérac"


def test_the_office_changes_roles_and_access_but_keeps_one_office_member(ght, office, make_member):
    client = api_client(office)
    own = Membership.objects.get(ght=ght, user=office)
    own_url = f"{base(ght)}/members/{own.pk}/"
    response = client.patch(own_url, {"role": "reader"}, HTTP_IF_MATCH=client.get(own_url)["ETag"])
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "role": ["Le GHT doit garder au moins une personne active dans la cellule opérationnelle."]
    }
    response = client.patch(own_url, {"is_active": False}, HTTP_IF_MATCH=client.get(own_url)["ETag"])
    assert response.json()["errors"] == {"non_field_errors": ["Vous ne pouvez pas désactiver votre propre accès."]}

    pilot = make_member(ght, Role.PILOT)
    member = Membership.objects.get(ght=ght, user=make_member(ght, Role.READER))
    url = f"{base(ght)}/members/{member.pk}/"
    response = client.patch(url, {"role": "owner", "is_active": False}, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 200 and response.json()["role"] == "owner"
    member.refresh_from_db()
    assert member.role == Role.OWNER and not member.is_active
    # Out of the lists of active members (the pilots' one too), in the office's list of deactivated ones.
    assert member.pk not in [row["id"] for row in client.get(f"{base(ght)}/members/").json()["results"]]
    assert [row["id"] for row in client.get(f"{base(ght)}/members/?is_active=false").json()["results"]] == [member.pk]
    as_pilot = api_client(pilot)
    assert as_pilot.get(url).status_code == 404
    assert as_pilot.get(f"{base(ght)}/members/?is_active=false").json()["count"] == 0
    response = client.patch(url, {"is_active": True}, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 200 and response.json()["is_active"] is True


def test_the_office_invites_through_the_web_service_and_its_mail(
    ght, office, make_member, django_capture_on_commit_callbacks
):
    client = api_client(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{base(ght)}/invitations/", {"email": "Nouvelle@Exemple.fr", "full_name": "Nouvelle", "role": "pilot"}
        )
    assert response.status_code == 201, response.content
    invitation = Invitation.objects.get(ght=ght)
    assert invitation.email == "nouvelle@exemple.fr" and invitation.role == Role.PILOT
    assert [message.to for message in mail.outbox] == [["nouvelle@exemple.fr"]]

    response = client.post(
        f"{base(ght)}/invitations/", {"email": "nouvelle@exemple.fr", "full_name": "Bis", "role": "reader"}
    )
    assert response.json()["errors"] == {
        "email": ["Une invitation est déjà en attente pour cette adresse : renvoyez-la plutôt."]
    }
    member = make_member(ght, Role.READER)
    response = client.post(f"{base(ght)}/invitations/", {"email": member.email, "full_name": "X", "role": "reader"})
    assert response.json()["errors"] == {"email": ["Cette personne est déjà membre de ce GHT."]}
    assert api_client(make_member(ght, Role.DIRECTOR)).get(f"{base(ght)}/invitations/").status_code == 403

    url = f"{base(ght)}/invitations/{invitation.pk}/"
    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"]).status_code == 204
    assert client.get(url).status_code == 404  # revoked: no longer open
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
