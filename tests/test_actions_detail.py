"""The action page: milestones in date order with their state, indicators with baseline, target,
latest value, progress, sparkline and measurements; the full history, relations included (who,
when, added/removed which); and its query ceiling."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from actions import services
from actions.models import Action, ActionUpdate
from actions.pages.detail import progress_toward_target, sparkline
from ght_portal.models import Role
from tests import test_actions_pages as pages
from tests.factories import (
    EstablishmentFactory,
    FiliereFactory,
    IndicatorFactory,
    MeasurementFactory,
    MilestoneFactory,
)
from tests.helpers import text
from tests.test_actions_writes import edit_data

world = pages.world
login = pages.login
url = pages.url


def detail(client, ght, action):
    return client.get(url("action_detail", ght, action_id=action.pk))


# --- Milestones and indicators on the page ----------------------------------------------------------


def test_milestones_in_date_order_with_their_state(login, ght, world):
    action = world["mobile"]
    today = timezone.localdate()
    MilestoneFactory(action=action, title="Bilan final", due_date=today + datetime.timedelta(days=90))
    MilestoneFactory(
        action=action, title="Charte signée", due_date=datetime.date(2024, 3, 1), done_on=datetime.date(2024, 2, 27)
    )
    MilestoneFactory(action=action, title="Formation des équipes", due_date=today - datetime.timedelta(days=10))
    response = detail(login(Role.READER), ght, action)
    rows = [(m.title, state) for m, state, _form in response.context["milestones"]]
    assert rows == [("Charte signée", "done"), ("Formation des équipes", "late"), ("Bilan final", "upcoming")]
    page = text(response)
    assert "Atteint le 27/02/2024" in page and "En retard" in page and "À venir" in page
    # A reader sees no form; the owner may mark done, not edit.
    assert "Marquer atteint" not in page and "Ajouter un jalon" not in page
    page = text(detail(login(Role.OWNER), ght, action))
    assert "Marquer atteint" in page and "Marquer non atteint" in page and "Ajouter un jalon" not in page
    page = text(detail(login(Role.PILOT), ght, action))
    assert "Ajouter un jalon" in page and "Ajouter un indicateur" in page


def test_indicator_shows_baseline_target_latest_progress_and_history(login, ght, world):
    action = world["mobile"]
    indicator = IndicatorFactory(
        action=action,
        name="Patients vus par l'équipe mobile",
        unit="%",
        baseline=Decimal(10),
        target=Decimal(50),
        target_date=datetime.date(2027, 12, 31),
    )
    for month, value in enumerate(["12", "18,5", "30"], start=1):
        MeasurementFactory(
            indicator=indicator, measured_on=datetime.date(2025, month, 1), value=Decimal(value.replace(",", "."))
        )
    response = detail(login(Role.READER), ght, action)
    row = response.context["indicators"][0]
    assert row.latest.value == Decimal(30) and row.progress == 50  # (30 − 10) / (50 − 10)
    page = text(response)
    for expected in ("Patients vus par l'équipe mobile", "10 %", "50 % au 31/12/2027", "30 %", "(01/03/2025)", "50 %"):
        assert expected in page
    assert "Historique : 3 mesures" in page and "18,5 %" in page
    assert (
        'role="img"' in page
        and "Évolution de Patients vus par l'équipe mobile : 12 le 01/01/2025, 30 le 01/03/2025 (3 mesures)" in page
    )
    assert "<polyline" in page and "<script" not in page.split("<main", 1)[-1]


def test_progress_toward_target():
    assert progress_toward_target(Decimal(10), Decimal(50), Decimal(30)) == 50
    assert progress_toward_target(Decimal(20), Decimal(10), Decimal(15)) == 50  # a target below the baseline
    assert progress_toward_target(None, Decimal(200), Decimal(300)) == 100  # capped
    assert progress_toward_target(Decimal(10), Decimal(50), Decimal(0)) == 0
    assert progress_toward_target(Decimal(10), Decimal(10), Decimal(10)) is None
    assert progress_toward_target(Decimal(10), None, Decimal(10)) is None
    assert progress_toward_target(Decimal(10), Decimal(50), None) is None


def test_sparkline_coordinates():
    assert sparkline([Decimal(1)], None) is None
    chart = sparkline([Decimal(0), Decimal(10)], Decimal(20), width=100, height=20)
    assert chart.points == "3.0,17.0 97.0,10.0"  # the target (20) is the top of the scale
    assert chart.target_y == 3.0 and (chart.last_x, chart.last_y) == (97.0, 10.0)
    flat = sparkline([Decimal(5), Decimal(5)], None)
    assert flat.points.count(",") == 2  # no division by zero


# --- History of the relations -----------------------------------------------------------------------


def test_relation_changes_are_in_the_history_with_who_and_when(login, ght, world):
    action = world["mobile"]
    pilot = world["members"][Role.PILOT]
    cardio = FiliereFactory(ght=ght, name="Cardiologie", code="CAR")
    clinique = EstablishmentFactory(ght=ght, name="Clinique du Lac")
    data = edit_data(
        action,
        title="Équipes mobiles de gériatrie harmonisées",
        filieres=[world["geriatrie"].pk, cardio.pk],
        establishments=[clinique.pk],
        contributors=[world["members"][Role.READER].pk],
    )
    response = login(Role.OFFICE).post(url("action_update", ght, action_id=action.pk), data)
    assert response.status_code == 302
    action.refresh_from_db()
    history = detail(login(Role.READER), ght, action).context["history"]
    latest = history[0]
    assert latest.who == str(world["members"][Role.OFFICE])
    assert [change.label for change in latest.changes] == ["Intitulé"]  # the same edit: one entry
    assert latest.notes == [
        "Filières : ajout de CAR — Cardiologie",
        "Établissements concernés : ajout de Clinique du Lac ; retrait de CH de Villeneuve",
        "Contributeurs : ajout de Personne reader",
    ]
    assert abs(latest.when - timezone.now()) < datetime.timedelta(minutes=1)
    page = text(detail(login(Role.READER), ght, action))
    assert "Établissements concernés : ajout de Clinique du Lac ; retrait de CH de Villeneuve" in page
    assert pilot  # the pilot's rights are untouched by the office's edit


def test_relations_only_change_is_its_own_entry_and_moves_the_version(login, ght, world):
    action = world["mobile"]
    version = action.version
    data = edit_data(action, filieres=[world["geriatrie"].pk, world["psy"].pk], establishments=[world["hopital"].pk])
    assert login(Role.OFFICE).post(url("action_update", ght, action_id=action.pk), data).status_code == 302
    action.refresh_from_db()
    assert action.version == version + 1
    latest = services.action_history(action)[0]
    assert latest.who == str(world["members"][Role.OFFICE])
    assert latest.changes == [] and latest.notes == ["Filières : ajout de PSY — Psychiatrie"]


def test_creation_logs_the_initial_relations(login, ght, world):
    from tests.test_actions_writes import action_data

    response = login(Role.OFFICE).post(url("action_create", ght), action_data(world))
    assert response.status_code == 302
    action = Action.objects.get(code="GER-9")
    (entry,) = services.action_history(action)
    assert entry.created and entry.notes == [
        "Filières : ajout de GER — Gériatrie",
        "Établissements concernés : ajout de CH de Villeneuve",
        "Contributeurs : ajout de Personne pilot",
    ]


def test_stale_edit_message_names_the_other_persons_relation_changes(login, ght, world):
    action = world["mobile"]
    stale = edit_data(action, title="Ma version")
    first = edit_data(action, establishments=[])
    assert login(Role.OFFICE).post(url("action_update", ght, action_id=action.pk), first).status_code == 302
    response = login(Role.PILOT).post(url("action_update", ght, action_id=action.pk), stale)
    assert response.status_code == 422
    assert "Établissements concernés : retrait de CH de Villeneuve" in text(response)


def test_milestone_indicator_and_measurement_changes_in_the_history(login, ght, world):
    action = world["mobile"]
    office = login(Role.OFFICE)
    office.post(url("milestone_create", ght, action_id=action.pk), {"title": "Charte", "due_date": "2025-03-01"})
    office.post(url("indicator_create", ght, action_id=action.pk), {"name": "Délai", "unit": "jours", "target": "7"})
    indicator = action.indicators.get()
    owner = login(Role.OWNER)
    prefix = f"i{indicator.pk}"
    owner.post(
        url("measurement_create", ght, action_id=action.pk, indicator_id=indicator.pk),
        {f"{prefix}-measured_on": "2025-02-01", f"{prefix}-value": "9,5"},
    )
    history = detail(login(Role.READER), ght, action).context["history"]
    assert [(entry.who, entry.notes) for entry in history[:3]] == [
        (str(world["members"][Role.OWNER]), ["Mesure de « Délai » au 01/02/2025 : 9,5 jours"]),
        (str(world["members"][Role.OFFICE]), ["Indicateur ajouté : « Délai » (cible 7 jours)"]),
        (str(world["members"][Role.OFFICE]), ["Jalon ajouté : « Charte », échéance le 01/03/2025"]),
    ]
    # The log of updates and comments does not list them.
    assert not [
        u for u in detail(login(Role.READER), ght, action).context["updates"] if u.kind == ActionUpdate.Kind.CHANGE
    ]


# --- Query ceiling ----------------------------------------------------------------------------------


@pytest.fixture
def busy_action(world):
    """5 milestones, 3 indicators of 12 measurements each, and 30 history entries (field changes by
    different people, logged relation changes, updates and comments)."""
    action = world["mobile"]
    people = list(world["members"].values())
    for number in range(5):
        MilestoneFactory(action=action, due_date=datetime.date(2025, number + 1, 1))
    for _number in range(3):
        indicator = IndicatorFactory(action=action)
        for month in range(12):
            MeasurementFactory(
                indicator=indicator, measured_on=datetime.date(2024, month + 1, 15), value=Decimal(month * 3)
            )
    for number in range(20):
        action = Action.objects.get(pk=action.pk)
        action.progress = number
        action.owner = people[number % len(people)]
        action._history_user = people[(number + 1) % len(people)]
        action.save()
    for number in range(10):
        services.log_change(action, people[number % len(people)], [f"Filières : ajout de F{number}"])
    return action


@pytest.mark.parametrize("role", [Role.OFFICE, Role.PILOT, Role.OWNER, Role.READER])
def test_action_page_query_ceiling(login, ght, busy_action, role, django_assert_max_num_queries):
    client = login(role)
    client.get(url("action_detail", ght, action_id=busy_action.pk))  # warm the session
    # Session, user, membership (3); piloted filières (1); the action with its plan, objective, axis,
    # owner and lead establishment (1), its filières, establishments, contributors, milestones,
    # indicators and their measurements (6); the log read once (1); the history records (1) and the
    # names they point to (objectives, establishments, people: ≤ 3); the GHT switcher (1); the
    # session save (3): at most 20, whatever the number of milestones, measurements and entries.
    with django_assert_max_num_queries(20):
        response = client.get(url("action_detail", ght, action_id=busy_action.pk))
    assert response.status_code == 200
    assert len(response.context["history"]) >= 30
    assert [len(row.measurements) for row in response.context["indicators"]] == [12, 12, 12]
    assert len(response.context["milestones"]) == 5
