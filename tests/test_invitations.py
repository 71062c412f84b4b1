"""Inviting people: the office invites by e-mail; the link is single-use and expires."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from ght_portal import services
from ght_portal.models import Invitation, Membership, Role, User
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import text

GOOD_PASSWORD = "Filiere-Geriatrie-2026"


def invite(ght, office, email="nouvelle@exemple.test", role=Role.PILOT, capture=None):
    return services.invite_member(acting_user=office, ght=ght, email=email, full_name="Anne Nouvelle", role=role)


def link_from(message) -> str:
    match = re.search(r"http://[^/]+(/invitation/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_invitation_mail_is_french_and_carries_a_working_link(
    office_client, ght, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            f"/{ght.slug}/membres/inviter/",
            {"email": "Anne.Nouvelle@Exemple.test", "full_name": "Anne Nouvelle", "role": Role.PILOT},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anne.nouvelle@exemple.test"]
    assert "Invitation à rejoindre le GHT Alpha" in message.subject
    assert "Pilote de filière" in message.body and "Claire Cellule" in message.body
    invitation = Invitation.objects.get(ght=ght)
    assert invitation.email == "anne.nouvelle@exemple.test"
    assert link_from(message).split("/")[2] not in invitation.token_hash  # only the hash is stored


def test_accepting_creates_account_and_membership_and_logs_in(client, ght, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(ght, office)
    link = link_from(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200 and "Rejoindre le GHT Alpha" in text(page)
    response = client.post(link, {"full_name": "Anne Nouvelle", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302 and response.url == f"/{ght.slug}/"
    user = User.objects.get(email="nouvelle@exemple.test")
    assert user.check_password(GOOD_PASSWORD)
    assert Membership.objects.get(user=user, ght=ght).role == Role.PILOT
    assert client.get(f"/{ght.slug}/").status_code == 200  # logged in
    # Single use: the same link now explains itself and creates nothing more.
    client.logout()
    again = client.get(link)
    assert again.status_code == 410 and "déjà été utilisé" in text(again)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "Anne", "password1": GOOD_PASSWORD, "password2": "autre-chose-2026"}, "ne correspondent pas"),
        ({"full_name": "Anne", "password1": "court", "password2": "court"}, "trop court"),
        ({"full_name": "Anne", "password1": "123456789012", "password2": "123456789012"}, "entièrement numérique"),
        ({"full_name": "", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}, "obligatoire"),
    ],
)
def test_bad_passwords_create_nothing(client, ght, office, data, message, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(ght, office)
    response = client.post(link_from(mail.outbox[0]), data)
    assert response.status_code == 422
    assert message in text(response)
    assert not User.objects.filter(email="nouvelle@exemple.test").exists()
    assert Invitation.objects.open().count() == 1


def test_expired_link_is_refused_with_explanation(client, ght, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(ght, office)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(
        link_from(mail.outbox[0]), {"full_name": "A", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 410 and "a expiré" in text(response)
    assert not User.objects.filter(email="nouvelle@exemple.test").exists()


def test_unknown_link(client, db):
    response = client.get("/invitation/nimporte-quoi/")
    assert response.status_code == 410 and "n'est pas valide" in text(response)


def test_resend_gives_a_new_link_and_kills_the_old_one(
    office_client, client, ght, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(ght, office)
        office_client.post(f"/{ght.slug}/invitations/{invitation.pk}/renvoyer/")
    old_link, new_link = link_from(mail.outbox[0]), link_from(mail.outbox[1])
    assert old_link != new_link
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 200


def test_revoked_link_is_refused(office_client, client, ght, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(ght, office)
    office_client.post(f"/{ght.slug}/invitations/{invitation.pk}/annuler/")
    response = client.get(link_from(mail.outbox[0]))
    assert response.status_code == 410 and "annulée" in text(response)


def test_duplicate_pending_invitation_and_existing_member_are_refused(office_client, ght, office, reader):
    invite(ght, office, email="double@exemple.test")
    response = office_client.post(
        f"/{ght.slug}/membres/inviter/", {"email": "DOUBLE@exemple.test", "full_name": "X", "role": Role.READER}
    )
    assert response.status_code == 200 and "déjà en attente" in text(response)
    response = office_client.post(
        f"/{ght.slug}/membres/inviter/", {"email": reader.email, "full_name": "X", "role": Role.READER}
    )
    assert "déjà membre de ce GHT" in text(response)
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "pas-une-adresse", "full_name": "X", "role": Role.READER}, "adresse e-mail valide"),
        ({"email": "a@exemple.test", "full_name": "", "role": Role.READER}, "obligatoire"),
        ({"email": "a@exemple.test", "full_name": "X", "role": "superadmin"}, "Sélectionnez un choix valide"),
    ],
)
def test_invitation_form_validation_in_french(office_client, ght, data, message):
    response = office_client.post(f"/{ght.slug}/membres/inviter/", data)
    assert response.status_code == 200
    assert message in text(response)
    assert not Invitation.objects.exists()


def test_expired_open_invitation_is_replaced(ght, office):
    first = invite(ght, office)
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(days=1))
    second = invite(ght, office)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.pk != first.pk


def test_existing_account_joins_after_logging_in_and_keeps_other_ghts(
    client, ght, other_ght, make_member, django_capture_on_commit_callbacks
):
    consultant = make_member(other_ght, Role.DIRECTOR)
    office = make_member(ght, Role.OFFICE)
    with django_capture_on_commit_callbacks(execute=True):
        invite(ght, office, email=consultant.email, role=Role.READER)
    link = link_from(mail.outbox[0])
    assert "connectez-vous" in text(client.get(link))
    response = client.post(link)
    assert response.status_code == 302 and response.url.startswith("/connexion/")
    client.force_login(consultant)
    assert client.post(link).status_code == 302
    roles = dict(Membership.objects.filter(user=consultant).values_list("ght__slug", "role"))
    assert roles == {ght.slug: Role.READER, other_ght.slug: Role.DIRECTOR}


def test_link_for_someone_else_is_refused_to_a_logged_in_user(
    client, ght, office, reader, django_capture_on_commit_callbacks
):
    other_person = UserFactory(email="autre@exemple.test")
    with django_capture_on_commit_callbacks(execute=True):
        invite(ght, office, email=other_person.email)
    client.force_login(reader)
    response = client.post(link_from(mail.outbox[0]))
    assert response.status_code == 400 and "destinée à autre@exemple.test" in text(response)
    assert not Membership.objects.filter(user=other_person).exists()


def test_service_refuses_twice_the_same_link(ght, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(ght, office)
    token = link_from(mail.outbox[0]).split("/")[2]
    services.accept_invitation(token=token, full_name="Anne", password=GOOD_PASSWORD)
    with pytest.raises(services.InvitationUnusable):
        services.accept_invitation(token=token, full_name="Anne", password=GOOD_PASSWORD)


def test_reactivates_a_deactivated_membership(ght, office, django_capture_on_commit_callbacks):
    former = UserFactory()
    MembershipFactory(ght=ght, user=former, role=Role.OWNER, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        invite(ght, office, email=former.email, role=Role.PILOT)
    services.accept_invitation(token=link_from(mail.outbox[0]).split("/")[2], user=former)
    membership = Membership.objects.get(user=former, ght=ght)
    assert membership.is_active and membership.role == Role.PILOT


def test_invite_member_is_atomic_on_refusal(ght, office, reader):
    with pytest.raises(ValidationError):
        services.invite_member(acting_user=office, ght=ght, email=reader.email, full_name="X", role=Role.READER)
    assert not Invitation.objects.exists()


def test_mail_subject_is_plain_text(ght, office, django_capture_on_commit_callbacks):
    ght.name = "GHT de l'Ain & du Jura"
    ght.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(ght, office)
    assert mail.outbox[0].subject == "Invitation à rejoindre le GHT de l'Ain & du Jura sur GHT Portal"
