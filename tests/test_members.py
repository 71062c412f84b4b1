"""The office manages people: roles and memberships, with the rules that keep a GHT administrable."""

from django.test import Client

from ght_portal.models import Membership, Role
from tests.factories import MembershipFactory
from tests.helpers import text


def membership(user, ght):
    return Membership.objects.get(user=user, ght=ght)


def test_member_list_shows_people_and_pending_invitations(office_client, ght, reader):
    response = office_client.get(f"/{ght.slug}/membres/")
    assert response.status_code == 200
    assert "Louis Lecteur" in text(response) and reader.email in text(response)


def test_change_role(office_client, ght, reader):
    m = membership(reader, ght)
    response = office_client.post(f"/{ght.slug}/membres/{m.pk}/", {"action": "role", f"m{m.pk}-role": Role.PILOT})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.role == Role.PILOT
    assert m.history.count() == 2  # creation + role change, with who did it


def test_change_role_inline_with_htmx_returns_the_row(office_client, ght, reader):
    m = membership(reader, ght)
    response = office_client.post(
        f"/{ght.slug}/membres/{m.pk}/", {"action": "role", f"m{m.pk}-role": Role.OWNER}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = text(response)
    assert body.startswith(f'<tr id="member-{m.pk}"') and "maintenant : Responsable d'action" in body
    assert "<html" not in body


def test_bad_role_is_refused(office_client, ght, reader):
    m = membership(reader, ght)
    response = office_client.post(f"/{ght.slug}/membres/{m.pk}/", {"action": "role", f"m{m.pk}-role": "roi"})
    assert response.status_code == 422 and "Sélectionnez un choix valide" in text(response)
    m.refresh_from_db()
    assert m.role == Role.READER


def test_last_office_member_cannot_be_demoted_or_deactivated(client, ght, office, make_member):
    other_office = make_member(ght, Role.OFFICE)
    client.force_login(other_office)
    m = membership(office, ght)
    assert client.post(f"/{ght.slug}/membres/{m.pk}/", {"action": "deactivate"}).status_code == 302
    mine = membership(other_office, ght)
    response = client.post(f"/{ght.slug}/membres/{mine.pk}/", {"action": "role", f"m{mine.pk}-role": Role.READER})
    assert response.status_code == 422
    assert "au moins une personne active dans la cellule opérationnelle" in text(response)
    mine.refresh_from_db()
    assert mine.role == Role.OFFICE


def test_cannot_deactivate_oneself(office_client, ght, office):
    m = membership(office, ght)
    response = office_client.post(f"/{ght.slug}/membres/{m.pk}/", {"action": "deactivate"})
    assert response.status_code == 422 and "votre propre accès" in text(response)
    assert membership(office, ght).is_active


def test_deactivated_person_loses_this_ght_at_next_request_but_keeps_the_other(
    office_client, ght, other_ght, make_member
):
    person = make_member(ght, Role.PILOT)
    MembershipFactory(user=person, ght=other_ght, role=Role.READER)
    client = Client()
    client.force_login(person)
    assert client.get(f"/{ght.slug}/").status_code == 200
    m = membership(person, ght)
    assert office_client.post(f"/{ght.slug}/membres/{m.pk}/", {"action": "deactivate"}).status_code == 302
    assert client.get(f"/{ght.slug}/").status_code == 404
    assert client.get(f"/{other_ght.slug}/").status_code == 200
    # and the home page now sends them straight to the GHT they still have
    assert client.get("/").url == f"/{other_ght.slug}/"
    assert office_client.post(f"/{ght.slug}/membres/{m.pk}/", {"action": "reactivate"}).status_code == 302
    assert client.get(f"/{ght.slug}/").status_code == 200


def test_member_page_without_javascript(office_client, ght, reader):
    m = membership(reader, ght)
    response = office_client.get(f"/{ght.slug}/membres/{m.pk}/")
    assert response.status_code == 200 and "Louis Lecteur" in text(response)
