"""Plans: the list, the tree with its roll-ups, and who may create or change plans, axes, objectives."""

import datetime

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from actions.models import Action, Axis, Objective, Plan
from ght_portal.models import Role
from tests.factories import (
    ActionFactory,
    AxisFactory,
    FiliereFactory,
    ObjectiveFactory,
    PilotFactory,
    PlanFactory,
)
from tests.helpers import text

PLAN = {
    "title": "PMSP 2024-2029",
    "start_year": "2024",
    "end_year": "2029",
    "status": "draft",
    "axis_label": "ambition",
}
OTHER_ROLES = [Role.DIRECTOR, Role.PILOT, Role.OWNER, Role.READER]


@pytest.fixture
def plan(ght):
    return PlanFactory(ght=ght, title="PMSP actuel", status=Plan.Status.ACTIVE, axis_label="ambition")


@pytest.fixture
def pilot_setup(ght, make_member, plan):
    """A pilot of filière « GER » and two objectives: one of GER, one of another filière."""
    pilot = make_member(ght, Role.PILOT, full_name="Paula Pilote")
    ger, other = FiliereFactory(ght=ght, code="GER"), FiliereFactory(ght=ght, code="URG")
    PilotFactory(filiere=ger, user=pilot)
    assign_perm("filieres.pilot_filiere", pilot, ger)
    axis = AxisFactory(plan=plan, position=1)
    mine = ObjectiveFactory(axis=axis, filiere=ger, title="Objectif gériatrie")
    theirs = ObjectiveFactory(axis=axis, filiere=other, title="Objectif urgences")
    return pilot, ger, other, mine, theirs


# --- Reading ---------------------------------------------------------------------------------------


def test_list_shows_the_active_plan_first_and_keeps_archived_ones(reader_client, ght, plan):
    PlanFactory(ght=ght, title="Ancien PMSP", start_year=2017, end_year=2022, status=Plan.Status.ARCHIVED)
    PlanFactory(ght=ght, title="Brouillon", start_year=2030, end_year=2035)
    response = reader_client.get(f"/{ght.slug}/plans/")
    assert [p.title for p in response.context["plans"]] == ["PMSP actuel", "Brouillon", "Ancien PMSP"]
    assert "Nouveau projet" not in text(response)
    archived = Plan.objects.get(title="Ancien PMSP")
    assert reader_client.get(f"/{ght.slug}/plans/{archived.pk}/").status_code == 200


def test_tree_rolls_up_counts_and_progress_with_the_plan_word(reader_client, ght, plan):
    axis = AxisFactory(plan=plan, position=1, title="Parcours de la personne âgée")
    first, second = ObjectiveFactory(axis=axis, code="1.1"), ObjectiveFactory(axis=axis, code="1.2")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ActionFactory(objective=first, code="A-2", progress=20, due_date=yesterday)  # late
    ActionFactory(objective=first, code="A-10", progress=40, status=Action.Status.DONE, due_date=yesterday)
    ActionFactory(objective=second, code="A-3", progress=90)
    response = reader_client.get(f"/{ght.slug}/plans/{plan.pk}/")
    page = text(response)
    assert "Ambition 1" in page and "Parcours de la personne âgée" in page
    tree = response.context["axes"]
    assert [o.rollup.count for o in tree[0].objective_list] == [2, 1]
    assert tree[0].objective_list[0].rollup.progress == 30 and tree[0].objective_list[0].rollup.late == 1
    assert tree[0].rollup.count == 3 and tree[0].rollup.progress == 50 and tree[0].rollup.late == 1
    assert [a.code for a in tree[0].objective_list[0].action_list] == ["A-2", "A-10"]  # natural order
    assert "1 en retard" in page and "En retard" in page
    assert "Modifier l'objectif" not in page  # a reader edits nothing


def test_tree_has_a_query_ceiling(client, ght, make_member, plan, django_assert_max_num_queries):
    filiere = FiliereFactory(ght=ght)
    for position in range(1, 5):
        axis = AxisFactory(plan=plan, position=position)
        for _ in range(3):
            objective = ObjectiveFactory(axis=axis, filiere=filiere)
            ActionFactory.create_batch(6, objective=objective)
    ActionFactory(objective=None, plan=plan)  # an action without objective is listed apart
    pilot = make_member(ght, Role.PILOT)
    assign_perm("filieres.pilot_filiere", pilot, filiere)
    client.force_login(pilot)
    url = f"/{ght.slug}/plans/{plan.pk}/"
    client.get(url)
    # session, user, membership (GHTMixin), plan, axes, objectives, actions, the pilot's filières,
    # and the session save: the same for 73 actions as for 3.
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.context["total"].count == 73
    assert text(response).count("Modifier l'objectif") == 12
    with django_assert_max_num_queries(20):
        assert client.get(f"/{ght.slug}/plans/").status_code == 200


# --- Plans: office only ----------------------------------------------------------------------------


def test_office_creates_and_edits_a_plan(office_client, ght):
    response = office_client.post(f"/{ght.slug}/plans/nouveau/", PLAN)
    plan = Plan.objects.get(ght=ght)
    assert response.status_code == 302 and response.url == f"/{ght.slug}/plans/{plan.pk}/"
    assert (plan.period, plan.axis_label) == ("2024–2029", "ambition")
    office_client.post(f"/{ght.slug}/plans/{plan.pk}/modifier/", {**PLAN, "status": "active", "title": "PMSP"})
    plan.refresh_from_db()
    assert (plan.title, plan.status) == ("PMSP", "active")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_year": "2020"}, "L'année de fin doit être postérieure à l'année de début."),
        ({"end_year": "2040"}, "Un projet couvre au plus 10 ans."),
        ({"status": "active"}, "Un autre projet est déjà en vigueur dans ce GHT (« PMSP actuel »)"),
        ({"title": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_plans_are_refused_in_french_and_nothing_is_written(office_client, ght, plan, changes, message):
    response = office_client.post(f"/{ght.slug}/plans/nouveau/", {**PLAN, **changes})
    assert response.status_code == 200 and message in text(response)
    assert Plan.objects.filter(ght=ght).count() == 1


def test_the_active_plan_itself_may_be_saved_again(office_client, ght, plan):
    data = {**PLAN, "status": "active", "title": "Renommé"}
    assert office_client.post(f"/{ght.slug}/plans/{plan.pk}/modifier/", data).status_code == 302


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_only_the_office_writes_plans_and_axes(client, ght, make_member, plan, role):
    axis = AxisFactory(plan=plan, position=1, title="Avant")
    client.force_login(make_member(ght, role))
    posts = {
        f"/{ght.slug}/plans/nouveau/": PLAN,
        f"/{ght.slug}/plans/{plan.pk}/modifier/": {**PLAN, "title": "Piraté"},
        f"/{ght.slug}/plans/{plan.pk}/axes/nouveau/": {"position": "2", "title": "Nouvel axe"},
        f"/{ght.slug}/axes/{axis.pk}/modifier/": {"position": "1", "title": "Piraté"},
        f"/{ght.slug}/plans/{plan.pk}/objectifs/nouveau/": {"axis": axis.pk, "position": "1", "title": "Obj"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    plan.refresh_from_db()
    axis.refresh_from_db()
    assert (plan.title, axis.title) == ("PMSP actuel", "Avant")
    assert Plan.objects.count() == 1 and Axis.objects.count() == 1 and Objective.objects.count() == 0


# --- Axes and objectives ---------------------------------------------------------------------------


def test_office_adds_axes_and_objectives(office_client, ght, plan):
    assert office_client.get(f"/{ght.slug}/plans/{plan.pk}/axes/nouveau/").context["form"].initial["position"] == 1
    office_client.post(f"/{ght.slug}/plans/{plan.pk}/axes/nouveau/", {"position": "1", "title": "Gradation"})
    axis = Axis.objects.get(plan=plan)
    response = office_client.post(
        f"/{ght.slug}/axes/{axis.pk}/modifier/", {"position": "1", "title": "Gradation des soins"}
    )
    assert response.status_code == 302
    filiere = FiliereFactory(ght=ght)
    data = {"axis": axis.pk, "position": "1", "code": "1.1", "title": "Équipes mobiles", "filiere": filiere.pk}
    response = office_client.post(f"/{ght.slug}/plans/{plan.pk}/objectifs/nouveau/", data)
    objective = Objective.objects.get()
    assert response.status_code == 302 and (objective.ght, objective.filiere) == (ght, filiere)
    assert "Ambition 1" in text(office_client.get(f"/{ght.slug}/plans/{plan.pk}/"))


def test_duplicate_axis_rank_is_refused(office_client, ght, plan):
    AxisFactory(plan=plan, position=1)
    response = office_client.post(f"/{ght.slug}/plans/{plan.pk}/axes/nouveau/", {"position": "1", "title": "Bis"})
    assert "Ce rang est déjà pris dans ce projet." in text(response)
    assert Axis.objects.filter(plan=plan).count() == 1


def test_objective_choices_are_limited_to_the_ght_and_the_plan(office_client, ght, other_ght, plan):
    axis = AxisFactory(plan=plan, position=1)
    foreign_filiere = FiliereFactory(ght=other_ght)
    other_plan_axis = AxisFactory(plan=PlanFactory(ght=ght, start_year=2030, end_year=2035), position=1)
    url = f"/{ght.slug}/plans/{plan.pk}/objectifs/nouveau/"
    for data in (
        {"axis": axis.pk, "position": "1", "title": "X", "filiere": foreign_filiere.pk},
        {"axis": other_plan_axis.pk, "position": "1", "title": "X"},
    ):
        response = office_client.post(url, data)
        assert "Sélectionnez un choix valide" in text(response)
    assert Objective.objects.count() == 0


def test_pilot_edits_the_objectives_of_their_filiere_only(client, ght, pilot_setup):
    pilot, ger, other, mine, theirs = pilot_setup
    client.force_login(pilot)
    data = {"position": "5", "code": "G1", "title": "Objectif gériatrie révisé", "description": "Texte"}
    response = client.post(f"/{ght.slug}/objectifs/{mine.pk}/modifier/", {**data, "filiere": other.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Objectif gériatrie révisé"
    assert mine.filiere == ger  # the pilot cannot hand the objective to another filière
    assert client.get(f"/{ght.slug}/objectifs/{theirs.pk}/modifier/").status_code == 403
    assert client.post(f"/{ght.slug}/objectifs/{theirs.pk}/modifier/", data).status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Objectif urgences"
    page = text(client.get(f"/{ght.slug}/plans/{mine.axis.plan_id}/"))
    assert page.count("Modifier l'objectif") == 1


def test_a_demoted_pilot_keeps_no_right(client, ght, pilot_setup):
    pilot, _ger, _other, mine, _theirs = pilot_setup
    pilot.memberships.update(role=Role.READER)
    client.force_login(pilot)
    assert client.post(f"/{ght.slug}/objectifs/{mine.pk}/modifier/", {"title": "X"}).status_code == 403


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.OWNER, Role.READER])
def test_other_roles_cannot_edit_objectives(client, ght, make_member, pilot_setup, role):
    mine = pilot_setup[3]
    client.force_login(make_member(ght, role))
    assert client.post(f"/{ght.slug}/objectifs/{mine.pk}/modifier/", {"title": "X"}).status_code == 403
    mine.refresh_from_db()
    assert mine.title == "Objectif gériatrie"


def test_office_edits_any_objective(office_client, ght, pilot_setup):
    theirs = pilot_setup[4]
    data = {"axis": theirs.axis_id, "position": "1", "title": "Revu", "filiere": ""}
    assert office_client.post(f"/{ght.slug}/objectifs/{theirs.pk}/modifier/", data).status_code == 302
    theirs.refresh_from_db()
    assert (theirs.title, theirs.filiere) == ("Revu", None)
