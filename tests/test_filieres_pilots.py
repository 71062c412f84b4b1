"""Pilots and working groups: the Pilot row and the guardian grant move together; office only."""

import pytest
from django.core.exceptions import ValidationError

from actions.permissions import piloted_filiere_ids
from filieres import services
from filieres.models import Pilot, WorkingGroupMember
from ght_portal.models import Membership, Role
from tests.factories import EstablishmentFactory, FiliereFactory, UserFactory
from tests.helpers import text


@pytest.fixture
def filiere(ght):
    return FiliereFactory(ght=ght, code="GER")


@pytest.fixture
def candidate(ght, make_member):
    return make_member(ght, Role.PILOT, full_name="Paula Pilote")


def membership(user, ght):
    return Membership.objects.select_related("ght", "user").get(user=user, ght=ght)


def test_add_pilot_creates_the_row_and_the_grant(ght, office, filiere, candidate):
    establishment = EstablishmentFactory(ght=ght)
    pilot = services.add_pilot(
        acting_user=office, filiere=filiere, user=candidate, establishment=establishment, pilot_role="pu_ph"
    )
    assert (pilot.ght, pilot.establishment, pilot.pilot_role) == (ght, establishment, "pu_ph")
    assert candidate.has_perm("filieres.pilot_filiere", filiere)
    assert piloted_filiere_ids(membership(candidate, ght)) == {filiere.pk}


def test_remove_pilot_removes_the_row_and_the_grant(ght, office, filiere, candidate):
    pilot = services.add_pilot(
        acting_user=office, filiere=filiere, user=candidate, establishment=None, pilot_role="director"
    )
    services.remove_pilot(acting_user=office, pilot=pilot)
    assert not Pilot.objects.exists()
    candidate = type(candidate).objects.get(pk=candidate.pk)  # fresh permission cache
    assert not candidate.has_perm("filieres.pilot_filiere", filiere)
    assert piloted_filiere_ids(membership(candidate, ght)) == frozenset()


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("stranger", "Cette personne n'est pas membre active de ce GHT."),
        ("other_ght_member", "Cette personne n'est pas membre active de ce GHT."),
        ("inactive", "Cette personne n'est pas membre active de ce GHT."),
        ("duplicate", "Cette personne est déjà pilote de cette filière."),
    ],
)
def test_bad_pilots_are_refused_and_nothing_is_granted(
    ght, other_ght, office, filiere, candidate, make_member, who, message
):
    if who == "stranger":
        user = UserFactory()
    elif who == "other_ght_member":
        user = make_member(other_ght, Role.PILOT)
    elif who == "inactive":
        user = candidate
        Membership.objects.filter(user=user).update(is_active=False)
    else:
        user = candidate
        services.add_pilot(acting_user=office, filiere=filiere, user=user, establishment=None, pilot_role="other")
    before = Pilot.objects.count()
    with pytest.raises(ValidationError) as error:
        services.add_pilot(acting_user=office, filiere=filiere, user=user, establishment=None, pilot_role="other")
    assert message in error.value.messages
    assert Pilot.objects.count() == before
    if who != "duplicate":
        assert not user.has_perm("filieres.pilot_filiere", filiere)


def test_an_establishment_of_another_ght_is_refused(ght, other_ght, office, filiere, candidate):
    with pytest.raises(ValidationError) as error:
        services.add_pilot(
            acting_user=office,
            filiere=filiere,
            user=candidate,
            establishment=EstablishmentFactory(ght=other_ght),
            pilot_role="pu_ph",
        )
    assert "Cet établissement n'appartient pas à ce GHT." in error.value.messages
    assert not Pilot.objects.exists() and not candidate.has_perm("filieres.pilot_filiere", filiere)


def test_only_the_office_may_call_the_services(ght, filiere, candidate, make_member):
    director = make_member(ght, Role.DIRECTOR)
    with pytest.raises(ValidationError):
        services.add_pilot(
            acting_user=director, filiere=filiere, user=candidate, establishment=None, pilot_role="pu_ph"
        )
    assert not Pilot.objects.exists()


# --- Through the pages -----------------------------------------------------------------------------


def test_office_adds_and_removes_pilots_and_group_members(office_client, ght, filiere, candidate, reader):
    base = f"/{ght.slug}/filieres/{filiere.pk}"
    assert office_client.get(f"{base}/pilotes/").status_code == 200
    response = office_client.post(
        f"{base}/pilotes/ajouter/", {"pilote-user": candidate.pk, "pilote-pilot_role": "pu_ph"}
    )
    assert response.status_code == 302
    pilot = Pilot.objects.get(filiere=filiere)
    assert candidate.has_perm("filieres.pilot_filiere", filiere)
    response = office_client.post(
        f"{base}/pilotes/ajouter/", {"pilote-user": reader.pk, "pilote-pilot_role": "director"}
    )
    page = text(office_client.get(f"{base}/pilotes/"))
    assert "n'a pas le rôle « Pilote de filière »" in page  # warned: a reader edits nothing
    office_client.post(f"{base}/pilotes/{pilot.pk}/retirer/")
    assert list(Pilot.objects.values_list("user", flat=True)) == [reader.pk]
    office_client.post(f"{base}/groupe/ajouter/", {"groupe-user": candidate.pk})
    member = WorkingGroupMember.objects.get()
    response = office_client.post(f"{base}/groupe/ajouter/", {"groupe-user": candidate.pk})
    assert response.status_code == 422
    assert "fait déjà partie du groupe de travail" in text(response)
    office_client.post(f"{base}/groupe/{member.pk}/retirer/")
    assert not WorkingGroupMember.objects.exists()


def test_crafted_posts_are_refused_in_french(office_client, ght, other_ght, filiere, make_member):
    base = f"/{ght.slug}/filieres/{filiere.pk}"
    outsider = make_member(other_ght, Role.PILOT)
    response = office_client.post(
        f"{base}/pilotes/ajouter/", {"pilote-user": outsider.pk, "pilote-pilot_role": "pu_ph"}
    )
    assert response.status_code == 422
    assert "Cette personne n'est pas membre active de ce GHT." in text(response)
    insider = make_member(ght, Role.PILOT)
    foreign = EstablishmentFactory(ght=other_ght)
    data = {"pilote-user": insider.pk, "pilote-pilot_role": "pu_ph", "pilote-establishment": foreign.pk}
    assert "Cet établissement n'appartient pas à ce GHT." in text(office_client.post(f"{base}/pilotes/ajouter/", data))
    assert not Pilot.objects.exists()


def test_a_pilot_of_another_filiere_cannot_be_removed_here(office_client, ght, filiere, candidate, office):
    other = FiliereFactory(ght=ght)
    pilot = services.add_pilot(
        acting_user=office, filiere=other, user=candidate, establishment=None, pilot_role="pu_ph"
    )
    assert office_client.post(f"/{ght.slug}/filieres/{filiere.pk}/pilotes/{pilot.pk}/retirer/").status_code == 404
    assert Pilot.objects.filter(pk=pilot.pk).exists()


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.PILOT, Role.OWNER, Role.READER])
def test_other_roles_cannot_manage_people(client, ght, office, filiere, candidate, make_member, role):
    pilot = services.add_pilot(
        acting_user=office, filiere=filiere, user=candidate, establishment=None, pilot_role="pu_ph"
    )
    user = make_member(ght, role)
    client.force_login(user)
    base = f"/{ght.slug}/filieres/{filiere.pk}"
    assert client.get(f"{base}/pilotes/").status_code == 403
    assert (
        client.post(f"{base}/pilotes/ajouter/", {"pilote-user": user.pk, "pilote-pilot_role": "pu_ph"}).status_code
        == 403
    )
    assert client.post(f"{base}/pilotes/{pilot.pk}/retirer/").status_code == 403
    assert client.post(f"{base}/groupe/ajouter/", {"groupe-user": user.pk}).status_code == 403
    assert list(Pilot.objects.values_list("pk", flat=True)) == [pilot.pk]
    assert not WorkingGroupMember.objects.exists()
