"""Milestones, indicators and measurements of an action: each write by each role, bad input refused in
French with nothing written, and each change logged in the action's history (who, when, what)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from actions.models import ActionUpdate, Indicator, Measurement, Milestone
from ght_portal.models import Role
from tests import test_actions_pages as pages
from tests.factories import IndicatorFactory, MeasurementFactory, MilestoneFactory
from tests.helpers import text

world = pages.world
login = pages.login
url = pages.url

EDITORS = {Role.OFFICE: 302, Role.PILOT: 302, Role.OWNER: 403, Role.DIRECTOR: 403, Role.READER: 403}
FOLLOWERS = {Role.OFFICE: 302, Role.PILOT: 302, Role.OWNER: 302, Role.DIRECTOR: 403, Role.READER: 403}


@pytest.fixture
def milestone(world):
    return MilestoneFactory(action=world["mobile"], title="Charte signée", due_date=datetime.date(2025, 3, 31))


@pytest.fixture
def indicator(world):
    return IndicatorFactory(
        action=world["mobile"], name="Taux de patients vus", unit="%", baseline=Decimal(10), target=Decimal(50)
    )


def logged(action) -> list[str]:
    return list(action.updates.filter(kind=ActionUpdate.Kind.CHANGE).values_list("text", flat=True))


def kw(world, **extra) -> dict:
    return {"action_id": world["mobile"].pk, **extra}


# --- Milestones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), EDITORS.items())
def test_add_milestone_by_role(login, ght, world, role, expected):
    data = {"title": "Protocole commun validé", "due_date": "2026-06-30"}
    response = login(role).post(url("milestone_create", ght, **kw(world)), data)
    assert response.status_code == expected
    milestones = Milestone.objects.filter(action=world["mobile"])
    if expected == 302:
        assert response.url.endswith("#jalons")
        assert [m.title for m in milestones] == ["Protocole commun validé"]
        assert logged(world["mobile"]) == ["Jalon ajouté : « Protocole commun validé », échéance le 30/06/2026"]
    else:
        assert not milestones.exists() and not logged(world["mobile"])


def test_pilot_of_another_filiere_may_not_touch_its_milestones(login, ght, world):
    """The pilot pilots Gériatrie; « urgences » is in Psychiatrie (and owned by the pilot, who may then
    mark its milestones done, but not edit them)."""
    other = MilestoneFactory(action=world["urgences"])
    client = login(Role.PILOT)
    target = {"action_id": world["urgences"].pk}
    assert (
        client.post(url("milestone_create", ght, **target), {"title": "X", "due_date": "2026-01-01"}).status_code == 403
    )
    assert client.get(url("milestone_update", ght, milestone_id=other.pk, **target)).status_code == 403
    assert client.post(url("milestone_delete", ght, milestone_id=other.pk, **target)).status_code == 403
    assert Milestone.objects.filter(pk=other.pk).exists()


def test_milestone_of_another_action_answers_404(login, ght, world):
    other = MilestoneFactory(action=world["urgences"])
    response = login(Role.OFFICE).get(url("milestone_update", ght, milestone_id=other.pk, **kw(world)))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "due_date": "2026-06-30"}, "title", "Ce champ est obligatoire."),
        ({"title": "Jalon", "due_date": "31/02/2026"}, "due_date", "Saisissez une date valide."),
        ({"title": "Jalon", "due_date": "2026-06-30", "done_on": "2999-01-01"}, "done_on", "dans le futur"),
    ],
)
def test_bad_milestone_is_refused_in_french(login, ght, world, data, field, message):
    response = login(Role.OFFICE).post(url("milestone_create", ght, **kw(world)), data)
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Milestone.objects.exists() and not logged(world["mobile"])


def test_french_date_format_is_accepted(login, ght, world):
    data = {"title": "Jalon", "due_date": "30/06/2026"}
    assert login(Role.PILOT).post(url("milestone_create", ght, **kw(world)), data).status_code == 302
    assert Milestone.objects.get().due_date == datetime.date(2026, 6, 30)


@pytest.mark.parametrize(("role", "expected"), EDITORS.items())
def test_edit_milestone_by_role(login, ght, world, milestone, role, expected):
    data = {"title": "Charte signée par tous", "due_date": "2025-04-30"}
    response = login(role).post(url("milestone_update", ght, **kw(world, milestone_id=milestone.pk)), data)
    assert response.status_code == expected
    milestone.refresh_from_db()
    if expected == 302:
        assert (milestone.title, milestone.due_date) == ("Charte signée par tous", datetime.date(2025, 4, 30))
        assert logged(world["mobile"]) == [
            "Jalon « Charte signée » modifié — Intitulé : Charte signée → Charte signée par tous ; "
            "Échéance : 31/03/2025 → 30/04/2025"
        ]
    else:
        assert milestone.title == "Charte signée" and not logged(world["mobile"])


@pytest.mark.parametrize(("role", "expected"), EDITORS.items())
def test_delete_milestone_by_role(login, ght, world, milestone, role, expected):
    client = login(role)
    page = client.get(url("milestone_delete", ght, **kw(world, milestone_id=milestone.pk)))
    assert page.status_code == (200 if expected == 302 else 403)
    response = client.post(url("milestone_delete", ght, **kw(world, milestone_id=milestone.pk)))
    assert response.status_code == expected
    assert Milestone.objects.filter(pk=milestone.pk).exists() == (expected != 302)
    if expected == 302:
        assert logged(world["mobile"]) == ["Jalon supprimé : « Charte signée » (échéance le 31/03/2025)"]


@pytest.mark.parametrize(("role", "expected"), FOLLOWERS.items())
def test_mark_milestone_done_by_role(login, ght, world, milestone, role, expected):
    prefix = f"m{milestone.pk}"
    data = {f"{prefix}-done": "1", f"{prefix}-done_on": "2025-03-28"}
    response = login(role).post(url("milestone_done", ght, **kw(world, milestone_id=milestone.pk)), data)
    assert response.status_code == expected
    milestone.refresh_from_db()
    if expected == 302:
        assert milestone.done_on == datetime.date(2025, 3, 28)
        assert logged(world["mobile"]) == ["Jalon « Charte signée » atteint le 28/03/2025"]
    else:
        assert milestone.done_on is None and not logged(world["mobile"])


def test_owner_of_another_action_may_not_mark_it_done(login, ght, world, make_member):
    other = MilestoneFactory(action=world["urgences"])  # owned by the pilot member
    client = login(Role.OWNER)
    data = {f"m{other.pk}-done": "1", f"m{other.pk}-done_on": "2025-03-28"}
    target = {"action_id": world["urgences"].pk, "milestone_id": other.pk}
    assert client.post(url("milestone_done", ght, **target), data).status_code == 403
    # The pilot member owns « urgences »: as its owner they may mark its milestones, not edit them.
    client = login(Role.PILOT)
    assert client.post(url("milestone_done", ght, **target), data).status_code == 302
    other.refresh_from_db()
    assert other.done_on == datetime.date(2025, 3, 28)


def test_mark_milestone_not_done_and_bad_dates(login, ght, world, milestone):
    client = login(Role.OWNER)
    done_url = url("milestone_done", ght, **kw(world, milestone_id=milestone.pk))
    prefix = f"m{milestone.pk}"
    response = client.post(done_url, {f"{prefix}-done": "1", f"{prefix}-done_on": ""})
    assert response.status_code == 422
    assert "Indiquez la date à laquelle le jalon a été atteint." in text(response)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(done_url, {f"{prefix}-done": "1", f"{prefix}-done_on": tomorrow.isoformat()})
    assert response.status_code == 422
    assert "La date d'atteinte ne peut pas être dans le futur." in text(response)
    milestone.refresh_from_db()
    assert milestone.done_on is None and not logged(world["mobile"])

    Milestone.objects.filter(pk=milestone.pk).update(done_on=datetime.date(2025, 3, 1))
    response = client.post(done_url, {f"{prefix}-done": "0", f"{prefix}-done_on": "2025-03-01"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on is None
    assert logged(world["mobile"]) == ["Jalon « Charte signée » marqué comme non atteint"]


def test_milestone_changes_do_not_move_the_action_version(login, ght, world, milestone):
    version = world["mobile"].version
    login(Role.OFFICE).post(
        url("milestone_update", ght, **kw(world, milestone_id=milestone.pk)),
        {"title": "Autre", "due_date": "2025-05-01"},
    )
    world["mobile"].refresh_from_db()
    assert world["mobile"].version == version


# --- Indicators -------------------------------------------------------------------------------------

INDICATOR = {
    "name": "Délai de prise en charge",
    "unit": "jours",
    "baseline": "12,5",
    "target": "7",
    "target_date": "2027-12-31",
}


@pytest.mark.parametrize(("role", "expected"), EDITORS.items())
def test_add_indicator_by_role(login, ght, world, role, expected):
    response = login(role).post(url("indicator_create", ght, **kw(world)), INDICATOR)
    assert response.status_code == expected
    indicators = Indicator.objects.filter(action=world["mobile"])
    if expected == 302:
        indicator = indicators.get()
        assert (indicator.baseline, indicator.target) == (Decimal("12.5"), Decimal(7))
        assert indicator.target_date == datetime.date(2027, 12, 31)
        assert logged(world["mobile"]) == [
            "Indicateur ajouté : « Délai de prise en charge » (référence 12,5 jours, cible 7 jours au 31/12/2027)"
        ]
        assert indicator.history.get().history_user == world["members"][role]
    else:
        assert not indicators.exists() and not logged(world["mobile"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Ce champ est obligatoire."),
        ("baseline", "douze", "Saisissez un nombre."),
        ("target", "1,23456", "Assurez-vous qu’il n’y a pas plus de 4 chiffres après la virgule."),
        ("target_date", "2027-13-01", "Saisissez une date valide."),
    ],
)
def test_bad_indicator_is_refused_in_french(login, ght, world, field, value, message):
    response = login(Role.PILOT).post(url("indicator_create", ght, **kw(world)), {**INDICATOR, field: value})
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors[field]).replace("'", "’")
    assert message in errors
    assert not Indicator.objects.exists() and not logged(world["mobile"])


def test_decimal_with_spaces_and_point_accepted(login, ght, world):
    data = {**INDICATOR, "baseline": "1 250,5", "target": "2000.75"}
    assert login(Role.OFFICE).post(url("indicator_create", ght, **kw(world)), data).status_code == 302
    indicator = Indicator.objects.get()
    assert (indicator.baseline, indicator.target) == (Decimal("1250.5"), Decimal("2000.75"))


@pytest.mark.parametrize(("role", "expected"), EDITORS.items())
def test_edit_indicator_by_role(login, ght, world, indicator, role, expected):
    client = login(role)
    edit_url = url("indicator_update", ght, **kw(world, indicator_id=indicator.pk))
    page = client.get(edit_url)
    assert page.status_code == (200 if expected == 302 else 403)
    if expected == 302:
        assert 'value="10"' in page.content.decode()  # 10.0000 shown as people type it
    data = {"name": "Taux de patients vus", "unit": "%", "baseline": "10", "target": "62,5"}
    assert client.post(edit_url, data).status_code == expected
    indicator.refresh_from_db()
    if expected == 302:
        assert indicator.target == Decimal("62.5")
        assert logged(world["mobile"]) == ["Indicateur « Taux de patients vus » modifié — Cible : 50 → 62,5"]
    else:
        assert indicator.target == Decimal(50) and not logged(world["mobile"])


@pytest.mark.parametrize(("role", "expected"), EDITORS.items())
def test_delete_indicator_by_role(login, ght, world, indicator, role, expected):
    MeasurementFactory.create_batch(2, indicator=indicator)
    response = login(role).post(url("indicator_delete", ght, **kw(world, indicator_id=indicator.pk)))
    assert response.status_code == expected
    assert Indicator.objects.filter(pk=indicator.pk).exists() == (expected != 302)
    assert Measurement.objects.count() == (0 if expected == 302 else 2)
    if expected == 302:
        assert logged(world["mobile"]) == ["Indicateur supprimé : « Taux de patients vus » et ses 2 mesure(s)"]


# --- Measurements -----------------------------------------------------------------------------------


def measure(indicator, **values) -> dict:
    data = {"measured_on": "2025-06-30", "value": "12,5", "comment": "Relevé trimestriel"}
    data.update(values)
    return {f"i{indicator.pk}-{key}": value for key, value in data.items()}


@pytest.mark.parametrize(("role", "expected"), FOLLOWERS.items())
def test_record_measurement_by_role(login, ght, world, indicator, role, expected):
    response = login(role).post(
        url("measurement_create", ght, **kw(world, indicator_id=indicator.pk)), measure(indicator)
    )
    assert response.status_code == expected
    if expected == 302:
        measurement = indicator.measurements.get()
        assert (measurement.measured_on, measurement.value) == (datetime.date(2025, 6, 30), Decimal("12.5"))
        assert measurement.comment == "Relevé trimestriel"
        entry = world["mobile"].updates.get(kind=ActionUpdate.Kind.CHANGE)
        assert entry.text == "Mesure de « Taux de patients vus » au 30/06/2025 : 12,5 %"
        assert entry.author == world["members"][role]
    else:
        assert not indicator.measurements.exists() and not logged(world["mobile"])


def test_owner_of_another_action_may_not_measure(login, ght, world):
    other = IndicatorFactory(action=world["urgences"])
    response = login(Role.OWNER).post(
        url("measurement_create", ght, action_id=world["urgences"].pk, indicator_id=other.pk), measure(other)
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"value": ""}, "value", "Saisissez la valeur mesurée."),
        ({"value": "beaucoup"}, "value", "Saisissez un nombre."),
        ({"measured_on": ""}, "measured_on", "Ce champ est obligatoire."),
        ({"measured_on": "2999-01-01"}, "measured_on", "La date de mesure ne peut pas être dans le futur."),
        ({"measured_on": "2025-01-15"}, "measured_on", "Une mesure existe déjà à cette date pour cet indicateur."),
    ],
)
def test_bad_measurement_is_refused_in_french(login, ght, world, indicator, values, field, message):
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(2025, 1, 15), value=Decimal(11))
    response = login(Role.OWNER).post(
        url("measurement_create", ght, **kw(world, indicator_id=indicator.pk)), measure(indicator, **values)
    )
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert message in text(response)
    assert indicator.measurements.count() == 1 and not logged(world["mobile"])


def test_measurement_page_and_inline_form_share_their_names(login, ght, world, indicator):
    """The action page's inline form posts the same field names as the measurement page."""
    client = login(Role.OWNER)
    page = client.get(url("action_detail", ght, **kw(world))).content.decode()
    form_page = client.get(url("measurement_create", ght, **kw(world, indicator_id=indicator.pk))).content.decode()
    for name in (f'name="i{indicator.pk}-measured_on"', f'name="i{indicator.pk}-value"'):
        assert name in page and name in form_page
