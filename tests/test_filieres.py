"""Filières: the list and the page (people, SWOT, roadmap), the office's forms, the pilots' SWOT edits."""

import datetime

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from actions.models import Action, Plan
from filieres.models import Filiere
from ght_portal.models import Role
from tests.factories import (
    ActionFactory,
    AxisFactory,
    EstablishmentFactory,
    FiliereFactory,
    ObjectiveFactory,
    PilotFactory,
    PlanFactory,
    UserFactory,
    WorkingGroupMemberFactory,
)
from tests.helpers import text

D = datetime.date
FILIERE = {"name": "Gériatrie", "code": "ger", "kind": "medical", "description": "Parcours", "is_active": "on"}


@pytest.fixture
def filiere(ght):
    return FiliereFactory(ght=ght, name="Urgences", code="URG", strengths="Régulation commune", threats="Démographie")


@pytest.fixture
def objective(ght, filiere):
    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    return ObjectiveFactory(axis=AxisFactory(plan=plan), filiere=filiere, title="Fluidifier l'aval")


# --- Reading ---------------------------------------------------------------------------------------


def test_list_counts_actions_and_late_ones(reader_client, ght, filiere, objective):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ActionFactory(objective=objective, due_date=yesterday)  # under the filière's objective, late
    tagged = ActionFactory(objective=ObjectiveFactory(axis=objective.axis), status=Action.Status.DONE)
    tagged.filieres.add(filiere)  # tagged with the filière
    shared = ActionFactory(objective=objective, due_date=yesterday)
    shared.filieres.add(filiere)  # both: counted once
    PilotFactory(filiere=filiere, user=UserFactory(full_name="Paul Pilote"))
    response = reader_client.get(f"/{ght.slug}/filieres/")
    row = next(f for f in response.context["filieres"] if f.pk == filiere.pk)
    assert (row.action_count, row.late_count) == (3, 2)
    assert "Paul Pilote" in text(response) and "Nouvelle filière" not in text(response)


def test_page_shows_people_swot_objectives_and_actions(reader_client, ght, filiere, objective):
    establishment = EstablishmentFactory(ght=ght, name="CH de Marmande")
    filiere.establishments.add(establishment)
    PilotFactory(
        filiere=filiere, user=UserFactory(full_name="Pr Durand"), pilot_role="pu_ph", establishment=establishment
    )
    WorkingGroupMemberFactory(filiere=filiere, user=UserFactory(full_name="Dr Martin"))
    ActionFactory(objective=objective, title="Unité post-urgences")
    page = text(reader_client.get(f"/{ght.slug}/filieres/{filiere.pk}/"))
    for expected in (
        "Pr Durand",
        "PU-PH",
        "CH de Marmande",
        "Dr Martin",
        "Régulation commune",
        "Démographie",
        "Fluidifier l'aval",
        "Unité post-urgences",
        "Forces",
        "Menaces",
    ):
        assert expected in page, expected
    assert "Modifier la description" not in page


def test_roadmap_lists_the_actions_of_the_chosen_year_by_due_date(reader_client, ght, filiere, objective):
    owner = UserFactory(full_name="Odile Responsable")
    ActionFactory(objective=objective, code="R-2", title="Fin 2026", start_date=D(2025, 1, 1), due_date=D(2026, 12, 1))
    ActionFactory(
        objective=objective, code="R-1", title="Mi 2026", due_date=D(2026, 6, 1), owner=owner, priority="haute"
    )
    ActionFactory(objective=objective, code="R-3", title="Commence en 2026", start_date=D(2026, 11, 1))
    ActionFactory(
        objective=objective, code="R-4", title="Seulement 2025", start_date=D(2025, 1, 1), due_date=D(2025, 6, 1)
    )
    ActionFactory(objective=objective, code="R-5", title="Sans date")
    response = reader_client.get(f"/{ght.slug}/filieres/{filiere.pk}/?annee=2026")
    assert [a.code for a in response.context["roadmap"]] == ["R-1", "R-2", "R-3"]
    page = text(response)
    assert "Feuille de route 2026" in page and "Odile Responsable" in page and "Haute" in page
    assert '<option value="2026" selected>' in page
    response = reader_client.get(f"/{ght.slug}/filieres/{filiere.pk}/?annee=2025")
    assert [a.code for a in response.context["roadmap"]] == ["R-4", "R-2"]
    assert (
        reader_client.get(f"/{ght.slug}/filieres/{filiere.pk}/?annee=abc").context["year"] == timezone.localdate().year
    )


def test_pages_have_a_query_ceiling(client, ght, make_member, django_assert_max_num_queries):
    plan = PlanFactory(ght=ght)
    filieres = FiliereFactory.create_batch(6, ght=ght)
    for filiere in filieres:
        PilotFactory.create_batch(2, filiere=filiere)
        WorkingGroupMemberFactory.create_batch(2, filiere=filiere)
        filiere.establishments.add(EstablishmentFactory(ght=ght))
        objective = ObjectiveFactory(axis=AxisFactory(plan=plan), filiere=filiere)
        for action in ActionFactory.create_batch(
            11, objective=objective, start_date=D(2026, 1, 1), due_date=D(2026, 9, 1)
        ):
            action.filieres.add(filieres[0])
    pilot = make_member(ght, Role.PILOT)
    assign_perm("filieres.pilot_filiere", pilot, filieres[0])
    client.force_login(pilot)
    urls = [f"/{ght.slug}/filieres/", f"/{ght.slug}/filieres/{filieres[0].pk}/?annee=2026"]
    for url in urls:
        client.get(url)
        # session, user, membership; list: filières with their two count subqueries + pilots;
        # page: filière + establishments, pilots, group, objectives, actions, roadmap, years, grant.
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200
    assert len(response.context["roadmap"]) == 66


# --- Office forms ----------------------------------------------------------------------------------


def test_office_creates_and_edits_a_filiere(office_client, ght):
    establishment = EstablishmentFactory(ght=ght)
    response = office_client.post(f"/{ght.slug}/filieres/nouvelle/", {**FILIERE, "establishments": [establishment.pk]})
    filiere = Filiere.objects.get(ght=ght)
    assert response.status_code == 302 and filiere.code == "GER"
    assert list(filiere.establishments.all()) == [establishment]
    data = {**FILIERE, "name": "Gériatrie et soins palliatifs", "strengths": "EMG"}
    assert office_client.post(f"/{ght.slug}/filieres/{filiere.pk}/modifier/", data).status_code == 302
    filiere.refresh_from_db()
    assert (filiere.name, filiere.strengths, filiere.establishments.count()) == (
        "Gériatrie et soins palliatifs",
        "EMG",
        0,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "urg"}, "Une filière porte déjà ce code dans ce GHT."),
        ({"name": "urgences"}, "Une filière porte déjà ce nom dans ce GHT."),
        ({"kind": "autre"}, "Sélectionnez un choix valide"),
        ({"code": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_filieres_are_refused_in_french(office_client, ght, filiere, changes, message):
    response = office_client.post(f"/{ght.slug}/filieres/nouvelle/", {**FILIERE, **changes})
    assert response.status_code == 200 and message in text(response)
    assert Filiere.objects.filter(ght=ght).count() == 1


def test_an_establishment_of_another_ght_is_refused(office_client, ght, other_ght, filiere):
    foreign = EstablishmentFactory(ght=other_ght)
    data = {**FILIERE, "name": "Urgences", "code": "URG", "establishments": [foreign.pk]}
    response = office_client.post(f"/{ght.slug}/filieres/{filiere.pk}/modifier/", data)
    assert "Cet établissement n'appartient pas à ce GHT." in text(response)
    assert filiere.establishments.count() == 0


def test_same_code_in_another_ght_is_fine(office_client, ght, other_ght):
    FiliereFactory(ght=other_ght, code="GER")
    assert office_client.post(f"/{ght.slug}/filieres/nouvelle/", FILIERE).status_code == 302


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.PILOT, Role.OWNER, Role.READER])
def test_only_the_office_creates_or_edits_filieres(client, ght, make_member, filiere, role):
    client.force_login(make_member(ght, role))
    assert client.post(f"/{ght.slug}/filieres/nouvelle/", FILIERE).status_code == 403
    assert client.post(f"/{ght.slug}/filieres/{filiere.pk}/modifier/", FILIERE).status_code == 403
    assert list(Filiere.objects.values_list("code", flat=True)) == ["URG"]


# --- Description and SWOT --------------------------------------------------------------------------

SWOT = {
    "description": "Nouvelle description",
    "strengths": "F",
    "weaknesses": "Fa",
    "opportunities": "O",
    "threats": "M",
}


def test_a_pilot_of_the_filiere_edits_its_swot(client, ght, make_member, filiere):
    pilot = make_member(ght, Role.PILOT)
    assign_perm("filieres.pilot_filiere", pilot, filiere)
    client.force_login(pilot)
    assert "Modifier la description" in text(client.get(f"/{ght.slug}/filieres/{filiere.pk}/"))
    assert client.post(f"/{ght.slug}/filieres/{filiere.pk}/analyse/", {**SWOT, "name": "Piraté"}).status_code == 302
    filiere.refresh_from_db()
    assert (filiere.description, filiere.threats, filiere.name) == ("Nouvelle description", "M", "Urgences")


def test_a_pilot_of_another_filiere_gets_403(client, ght, make_member, filiere):
    pilot = make_member(ght, Role.PILOT)
    assign_perm("filieres.pilot_filiere", pilot, FiliereFactory(ght=ght))
    client.force_login(pilot)
    assert client.get(f"/{ght.slug}/filieres/{filiere.pk}/analyse/").status_code == 403
    assert client.post(f"/{ght.slug}/filieres/{filiere.pk}/analyse/", SWOT).status_code == 403
    filiere.refresh_from_db()
    assert filiere.threats == "Démographie"


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.OWNER, Role.READER])
def test_other_roles_cannot_edit_the_swot(client, ght, make_member, filiere, role):
    user = make_member(ght, role)
    assign_perm("filieres.pilot_filiere", user, filiere)  # a stray grant without the PILOT role gives nothing
    client.force_login(user)
    assert client.post(f"/{ght.slug}/filieres/{filiere.pk}/analyse/", SWOT).status_code == 403


def test_office_edits_the_swot(office_client, ght, filiere):
    assert office_client.post(f"/{ght.slug}/filieres/{filiere.pk}/analyse/", SWOT).status_code == 302
