"""The action pages read: lists with filters, sorting and paging kept in the URL, « Mes actions »,
the action page with its log and history, and the query ceilings of each."""

import datetime

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from actions.models import Action, Plan
from ght_portal.models import Role
from tests.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AxisFactory,
    EstablishmentFactory,
    FiliereFactory,
    IndicatorFactory,
    MeasurementFactory,
    MilestoneFactory,
    ObjectiveFactory,
    PilotFactory,
    PlanFactory,
)
from tests.helpers import text


@pytest.fixture
def world(ght, make_member):
    """An active plan with two filières (the pilot pilots the first), two actions and an old plan."""
    members = {role: make_member(ght, role, full_name=f"Personne {role}") for role in Role.values}
    geriatrie = FiliereFactory(ght=ght, name="Gériatrie", code="GER")
    psy = FiliereFactory(ght=ght, name="Psychiatrie", code="PSY")
    PilotFactory(filiere=geriatrie, user=members[Role.PILOT])
    assign_perm("filieres.pilot_filiere", members[Role.PILOT], geriatrie)
    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE, title="PMSP 2024")
    axis = AxisFactory(plan=plan, title="Parcours des personnes âgées")
    objective = ObjectiveFactory(axis=axis, title="Soutenir les équipes mobiles", filiere=geriatrie)
    other_objective = ObjectiveFactory(axis=AxisFactory(plan=plan), title="Santé mentale")
    hopital = EstablishmentFactory(ght=ght, name="CH de Villeneuve")
    mobile = ActionFactory(
        objective=objective,
        code="GER-1",
        title="Uniformiser les équipes mobiles de gériatrie",
        description="Harmoniser les pratiques des équipes mobiles entre les hôpitaux.",
        owner=members[Role.OWNER],
        due_date=datetime.date(2020, 1, 1),
        status=Action.Status.IN_PROGRESS,
        progress=40,
        prs_references=["E1D2O1"],
    )
    mobile.filieres.add(geriatrie)
    mobile.establishments.add(hopital)
    urgences = ActionFactory(
        objective=other_objective,
        code="PSY-1",
        title="Unité psychiatrique aux urgences",
        owner=members[Role.PILOT],
        health=Action.Health.AT_RISK,
        due_date=datetime.date(2099, 1, 1),
        progress=10,
    )
    urgences.filieres.add(psy)
    old_plan = PlanFactory(ght=ght, status=Plan.Status.ARCHIVED, start_year=2017, end_year=2022, title="Ancien")
    old = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=old_plan)), code="OLD-1", title="Ancienne")
    return {
        "members": members,
        "plan": plan,
        "old_plan": old_plan,
        "axis": axis,
        "objective": objective,
        "geriatrie": geriatrie,
        "psy": psy,
        "hopital": hopital,
        "mobile": mobile,
        "urgences": urgences,
        "old": old,
    }


@pytest.fixture
def login(client, world):
    def login_as(role):
        client.force_login(world["members"][role])
        return client

    return login_as


def url(name, ght, **kwargs):
    return reverse(name, kwargs={"ght_slug": ght.slug, **kwargs})


def codes(response) -> list[str]:
    return [action.code for action, _form in response.context["rows"]]


# --- The list ---------------------------------------------------------------------------------------


def test_list_shows_the_active_plan_by_default(login, ght, world):
    response = login(Role.READER).get(url("action_list", ght))
    assert response.status_code == 200
    assert codes(response) == ["GER-1", "PSY-1"]
    page = text(response)
    assert "En retard" in page and "À risque" in page and "40 %" in page
    assert "Uniformiser les équipes mobiles de gériatrie" in page


def test_every_plan_or_an_old_one_on_request(login, ght, world):
    client = login(Role.READER)
    assert codes(client.get(url("action_list", ght), {"plan": "tous"})) == ["GER-1", "OLD-1", "PSY-1"]
    assert codes(client.get(url("action_list", ght), {"plan": world["old_plan"].pk})) == ["OLD-1"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"filiere": "geriatrie"}, ["GER-1"]),
        ({"establishment": "hopital"}, ["GER-1"]),
        ({"objective": "objective"}, ["GER-1"]),
        ({"axis": "axis"}, ["GER-1"]),
        ({"health": "at_risk"}, ["PSY-1"]),
        ({"status": "en_cours"}, ["GER-1", "PSY-1"]),
        ({"late": "oui"}, ["GER-1"]),
        ({"late": "non"}, ["PSY-1"]),
        ({"due_before": "2030-01-01"}, ["GER-1"]),
        ({"q": "équipe mobile"}, ["GER-1"]),  # French stemming: "équipes mobiles"
        ({"q": "hôpitaux"}, ["GER-1"]),  # in the description
        ({"q": "psy-1"}, ["PSY-1"]),  # a code as typed
        ({"q": "cardiologie"}, []),
    ],
)
def test_filters(login, ght, world, params, expected):
    params = {key: world[value].pk if value in world else value for key, value in params.items()}
    response = login(Role.READER).get(url("action_list", ght), params)
    assert codes(response) == expected


def test_owner_filter_and_sorting(login, ght, world):
    client = login(Role.READER)
    owner = world["members"][Role.OWNER]
    assert codes(client.get(url("action_list", ght), {"owner": owner.pk})) == ["GER-1"]
    assert codes(client.get(url("action_list", ght), {"sort": "-progress"})) == ["GER-1", "PSY-1"]
    assert codes(client.get(url("action_list", ght), {"sort": "progress"})) == ["PSY-1", "GER-1"]
    assert codes(client.get(url("action_list", ght), {"sort": "-due_date"})) == ["PSY-1", "GER-1"]


def test_choices_of_another_ght_are_refused_and_filter_nothing(login, ght, other_ght, world):
    foreign = FiliereFactory(ght=other_ght)
    response = login(Role.READER).get(url("action_list", ght), {"filiere": foreign.pk})
    assert "filiere" in response.context["filter"].form.errors
    assert "Certains filtres sont invalides" in text(response)
    assert codes(response) == ["GER-1", "PSY-1"]
    choices = dict(response.context["filter"].form.fields["filiere"].choices)
    assert str(foreign.pk) not in choices and str(world["psy"].pk) in choices


def test_paging_keeps_the_filters_in_the_links(login, ght, world):
    for number in range(30):
        ActionFactory(objective=world["objective"], code=f"Z-{number:02}")
    response = login(Role.READER).get(url("action_list", ght), {"status": "en_cours", "sort": "code"})
    assert len(codes(response)) == 25
    page = text(response)
    assert "?status=en_cours&sort=code&page=2" in page
    assert "Page 1 sur 2" in page
    second = login(Role.READER).get(url("action_list", ght), {"status": "en_cours", "sort": "code", "page": 2})
    assert len(codes(second)) == 7


def test_inline_forms_only_where_the_member_may_update(login, ght, world):
    def editable(role):
        response = login(role).get(url("action_list", ght))
        return [action.code for action, form in response.context["rows"] if form is not None]

    assert editable(Role.OFFICE) == ["GER-1", "PSY-1"]
    assert editable(Role.PILOT) == ["GER-1", "PSY-1"]  # pilots GER, owns PSY-1
    assert editable(Role.OWNER) == ["GER-1"]
    assert editable(Role.READER) == []
    assert editable(Role.DIRECTOR) == []


def test_nav_links(login, ght, world):
    page = text(login(Role.READER).get(url("my_actions", ght)))
    assert f'href="/{ght.slug}/mes-actions/" aria-current="page"' in page
    assert f'href="/{ght.slug}/actions/" >' in page or f'href="/{ght.slug}/actions/">' in page


# --- Mes actions -------------------------------------------------------------------------------------


def test_my_actions(login, ght, world):
    assert codes(login(Role.OWNER).get(url("my_actions", ght))) == ["GER-1"]
    # The pilot: the action they own and the actions of the filière they pilot.
    assert codes(login(Role.PILOT).get(url("my_actions", ght))) == ["GER-1", "PSY-1"]
    assert codes(login(Role.READER).get(url("my_actions", ght))) == []
    world["urgences"].contributors.add(world["members"][Role.READER])
    response = login(Role.READER).get(url("my_actions", ght), {"health": "at_risk"})
    assert codes(response) == ["PSY-1"]


# --- The action page --------------------------------------------------------------------------------


def test_action_page_shows_every_field_the_log_and_the_history(login, ght, world):
    action = world["mobile"]
    MilestoneFactory(action=action, title="Charte commune signée")
    indicator = IndicatorFactory(action=action, name="Patients vus par l'équipe", target=50)
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(2025, 1, 1), value=20)
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(2025, 6, 1), value=35)
    ActionUpdateFactory(action=action, text="Premier comité réuni.")
    action.status = Action.Status.SUSPENDED
    action._history_user = world["members"][Role.OFFICE]
    action.save()
    response = login(Role.READER).get(url("action_detail", ght, action_id=action.pk))
    assert response.status_code == 200
    page = text(response)
    for expected in [
        "GER-1",
        "Soutenir les équipes mobiles",
        "Parcours des personnes âgées",
        "Gériatrie",
        "CH de Villeneuve",
        "Personne owner",
        "E1D2O1",
        "Charte commune signée",
        "35 %",  # the latest measurement, not the first
        "50 %",
        "Premier comité réuni.",
        "En retard",
    ]:
        assert expected in page, expected
    # The history: who, which field, from what to what — labels, not codes.
    assert "Personne office" in page
    assert "Statut" in page and "En cours" in page and "Suspendue" in page
    assert "suspendue</ins>" not in page
    assert not response.context["can_edit"] and not response.context["can_follow"]
    assert "Mettre à jour le suivi" not in page


def test_history_names_people_and_objectives(login, ght, world):
    action = world["mobile"]
    action.owner = world["members"][Role.PILOT]
    action.objective = world["urgences"].objective
    action.save()
    history = login(Role.READER).get(url("action_detail", ght, action_id=action.pk)).context["history"]
    changes = {change.label: (change.old, change.new) for change in history[0].changes}
    assert changes["Responsable"] == ("Personne owner", "Personne pilot")
    assert changes["Objectif"][1].endswith("Santé mentale")


# --- Query ceilings ---------------------------------------------------------------------------------


@pytest.fixture
def big_world(world, ght, make_member):
    owners = [make_member(ght, Role.OWNER) for _ in range(5)]
    for number in range(65):
        action = ActionFactory(
            objective=world["objective"],
            code=f"B-{number:03}",
            owner=owners[number % 5],
            due_date=datetime.date(2025, 1, 1),
        )
        action.filieres.add(world["geriatrie"] if number % 2 else world["psy"])
        action.contributors.add(world["members"][Role.PILOT])
        ActionUpdateFactory(action=action)
    for number in range(40):
        action = world["mobile"]
        action.progress = number
        action.save()
        ActionUpdateFactory(action=action)
        IndicatorFactory(action=action) if number % 10 == 0 else None
        MilestoneFactory(action=action) if number % 10 == 0 else None
    return world


@pytest.mark.parametrize("role", [Role.PILOT, Role.OWNER])
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("action_list", {}),
        ("action_list", {"q": "action", "late": "oui", "sort": "-owner", "page": "2", "filiere": "geriatrie"}),
        ("my_actions", {}),
        ("action_detail", {}),
    ],
)
def test_query_ceilings(login, ght, big_world, role, name, params, django_assert_max_num_queries):
    kwargs = {"action_id": big_world["mobile"].pk} if name == "action_detail" else {}
    params = {key: big_world[value].pk if value in big_world else value for key, value in params.items()}
    client = login(role)
    client.get(url(name, ght, **kwargs), params)  # warm the session and caches
    # Session, user, membership (3), piloted filières (1), filters' choices (6), count, rows and
    # their filières (3), the GHT switcher (1), the session save (3): at most 20, for 60 actions or 600.
    with django_assert_max_num_queries(20):
        response = client.get(url(name, ght, **kwargs), params)
    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICE, Role.PILOT])
@pytest.mark.parametrize("name", ["action_update", "action_followup", "action_create"])
def test_form_pages_query_ceilings(login, ght, big_world, role, name, django_assert_max_num_queries):
    kwargs = {} if name == "action_create" else {"action_id": big_world["mobile"].pk}
    client = login(role)
    client.get(url(name, ght, **kwargs))
    # As above, plus the form's choices (objectives, filières, establishments, members) and the
    # action's current filières, establishments and contributors.
    with django_assert_max_num_queries(20):
        response = client.get(url(name, ght, **kwargs))
    assert response.status_code == 200
