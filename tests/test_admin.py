"""The platform operator creates a GHT and invites its first project-office member."""

from django.core import mail

from ght_portal.models import GHT, Invitation, Role
from tests.factories import UserFactory
from tests.helpers import text


def test_operator_creates_ght_with_first_administrator(client, db, django_capture_on_commit_callbacks):
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    data = {
        "name": "GHT des Landes",
        "short_name": "GHT 40",
        "slug": "landes",
        "departements": "40",
        "region": "NAQ",
        "first_admin_email": "strategie@ch-mont-de-marsan.test",
        "first_admin_name": "Chloé Dumas",
        "establishments-TOTAL_FORMS": "0",
        "establishments-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/ght_portal/ght/add/", data)
    assert response.status_code == 302, text(response)
    ght = GHT.objects.get(slug="landes")
    invitation = Invitation.objects.get(ght=ght)
    assert invitation.role == Role.OFFICE and invitation.email == "strategie@ch-mont-de-marsan.test"
    assert len(mail.outbox) == 1 and "GHT des Landes" in mail.outbox[0].subject


def test_first_administrator_is_required_and_reserved_slugs_refused(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {
        "name": "GHT X",
        "short_name": "X",
        "slug": "admin",
        "departements": "40",
        "region": "NAQ",
        "establishments-TOTAL_FORMS": "0",
        "establishments-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/ght_portal/ght/add/", data)
    assert response.status_code == 200
    assert "premier administrateur" in text(response) and "réservé" in text(response)
    assert not GHT.objects.exists()
