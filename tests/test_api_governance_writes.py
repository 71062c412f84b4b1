"""Seats, agenda items and attendance written through the API: governance.services' rules (the web's),
their French messages, and the conventions of every write (If-Match, 403, 404)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ght_portal.models import Role
from governance.models import AgendaItem, Attendance, Instance, InstanceMember, Meeting
from tests.api_helpers import api_client, base
from tests.factories import FiliereFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(ght):
    return Instance.objects.get(ght=ght, kind=Instance.Kind.STRATEGIC)


@pytest.fixture
def meeting(instance):
    return Meeting.objects.create(instance=instance, starts_at=timezone.now(), place="Salle du conseil")


def test_seats_follow_the_instance_rules(ght, other_ght, office, make_member, instance):
    client = api_client(office)
    url = f"{base(ght)}/instance-members/"
    president, reader = make_member(ght, Role.DIRECTOR), make_member(ght, Role.READER)
    response = client.post(url, {"instance": instance.pk, "user": president.pk, "role": "president"})
    assert response.status_code == 201, response.content
    assert response.json()["full_name"] == president.full_name

    response = client.post(url, {"instance": instance.pk, "user": reader.pk, "role": "president"})
    assert response.status_code == 400
    assert response.json()["errors"]["role"] == [
        f"{instance.short_name} a déjà un·e président·e ({president}) : changez d'abord son rôle."
    ]
    response = client.post(url, {"instance": instance.pk, "user": reader.pk, "role": "secretary"})
    assert "doit avoir le rôle « Direction / membre d'instance »" in response.json()["errors"]["role"][0]
    response = client.post(url, {"instance": instance.pk, "user": president.pk})
    assert response.json()["errors"] == {"user": ["Cette personne siège déjà dans cette instance."]}
    stranger = make_member(other_ght, Role.DIRECTOR)
    response = client.post(url, {"instance": instance.pk, "user": stranger.pk})
    assert response.json()["errors"] == {"user": [f"La personne « {stranger.pk} » n'est pas membre active de ce GHT."]}
    other_instance = Instance.objects.filter(ght=other_ght).first()
    response = client.post(url, {"instance": other_instance.pk, "user": reader.pk})
    assert response.status_code == 400 and "instance" in response.json()["errors"]

    response = client.post(url, {"instance": instance.pk, "user": reader.pk})
    assert response.status_code == 201 and response.json()["role"] == "member"
    seat_url = f"{base(ght)}/instance-members/{response.json()['id']}/"
    assert client.patch(seat_url, {"role": "secretary"}).status_code == 428
    etag = client.get(seat_url)["ETag"]
    assert api_client(president).patch(seat_url, {"role": "member"}, HTTP_IF_MATCH=etag).status_code == 403
    response = client.patch(seat_url, {"role": "president"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400 and "a déjà un·e président·e" in response.json()["errors"]["role"][0]
    assert client.delete(seat_url, HTTP_IF_MATCH=etag).status_code == 204
    assert list(InstanceMember.objects.filter(instance=instance).values_list("user", flat=True)) == [president.pk]


def test_agenda_items_are_added_moved_and_removed_by_recorders(ght, other_ght, office, make_member, meeting):
    client = api_client(office)
    url = f"{base(ght)}/agenda-items/"
    filiere = FiliereFactory(ght=ght)
    first = client.post(url, {"meeting": meeting.pk, "text": "Ouverture"})
    assert first.status_code == 201, first.content
    second = client.post(url, {"meeting": meeting.pk, "filiere": filiere.pk, "text": "Bilan"})
    assert [first.json()["position"], second.json()["position"]] == [1, 2]

    response = client.post(url, {"meeting": meeting.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Choisissez une action ou une filière, ou écrivez l'intitulé du point."]
    }
    other_meeting = Meeting.objects.create(
        instance=Instance.objects.filter(ght=other_ght).first(), starts_at=timezone.now(), place="Ailleurs"
    )
    response = client.post(url, {"meeting": other_meeting.pk, "text": "Intrus"})
    assert response.json()["errors"] == {
        "meeting": [f"Aucun élément de ce GHT ne porte l'identifiant « {other_meeting.pk} »."]
    }
    closed = FiliereFactory(ght=ght, is_active=False)
    response = client.post(url, {"meeting": meeting.pk, "filiere": closed.pk})
    assert response.json()["errors"] == {"filiere": ["Cette filière n'est plus active."]}

    item_url = f"{url}{second.json()['id']}/"
    assert client.post(f"{item_url}move/", {"direction": "up"}).status_code == 428
    response = client.post(f"{item_url}move/", {"direction": "up"}, HTTP_IF_MATCH=second["ETag"])
    assert response.status_code == 200 and response.json()["position"] == 1
    assert list(meeting.agenda.values_list("text", flat=True)) == ["Bilan", "Ouverture"]
    response = client.post(f"{item_url}move/", {"direction": "sideways"}, HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 400 and "direction" in response.json()["errors"]

    director = make_member(ght, Role.DIRECTOR)  # no secretary of this instance: the object refuses
    etag = client.get(item_url)["ETag"]
    assert api_client(director).delete(item_url, HTTP_IF_MATCH=etag).status_code == 403
    assert client.delete(item_url, HTTP_IF_MATCH=etag).status_code == 204
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("text", flat=True)) == ["Ouverture"]


def test_attendance_is_recorded_for_the_instance_members_only(ght, office, make_member, instance, meeting):
    seated, stranger = make_member(ght, Role.READER), make_member(ght, Role.READER)
    InstanceMember.objects.create(instance=instance, user=seated)
    client = api_client(office)
    meeting_url = f"{base(ght)}/meetings/{meeting.pk}/"
    url = f"{meeting_url}attendance/"
    etag = client.get(meeting_url)["ETag"]
    body = {"attendance": [{"user": seated.pk, "status": "present"}]}
    assert client.post(url, body, format="json").status_code == 428

    response = client.post(url, {"attendance": [{"user": stranger.pk, "status": "present"}]}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Seuls les membres de l'instance peuvent figurer dans la feuille de présence."]
    }
    response = client.post(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["attendance"] == [{"user": seated.pk, "full_name": seated.full_name, "status": "present"}]
    stale = client.post(url, {"attendance": [{"user": seated.pk, "status": ""}]}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Attendance.objects.get(meeting=meeting).status == Attendance.Status.PRESENT
    response = client.post(url, {"attendance": [{"user": seated.pk, "status": ""}]}, HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200 and response.json()["attendance"] == []
