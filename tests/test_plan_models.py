"""The plan's data model: GHT inheritance, uniqueness, the "en retard" rule and field validation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.models import Action, ActionUpdate, Axis, Objective, Plan
from actions.validators import validate_prs_reference
from filieres.models import Pilot
from ght_portal.actors import system_actor
from ght_portal.tenancy import scoped
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
    UserFactory,
    WorkingGroupMemberFactory,
)

TODAY = datetime.date(2026, 3, 15)


def messages(error: ValidationError, field: str) -> list[str]:
    return [str(message) for message in error.value.message_dict[field]]


# --- GHT copied from the parent -------------------------------------------------------------------


def test_every_child_takes_its_ght_from_its_parent(ght):
    plan = PlanFactory(ght=ght)
    axis = AxisFactory(plan=plan)
    objective = ObjectiveFactory(axis=axis)
    action = ActionFactory(objective=objective)
    filiere = FiliereFactory(ght=ght)
    rows = [
        axis,
        objective,
        action,
        MilestoneFactory(action=action),
        MeasurementFactory(indicator=IndicatorFactory(action=action)),
        ActionUpdateFactory(action=action),
        PilotFactory(filiere=filiere),
        WorkingGroupMemberFactory(filiere=filiere),
    ]
    for row in rows:
        row.refresh_from_db()
        assert row.ght_id == ght.id, type(row).__name__
    assert list(scoped(Action, ght)) == [action]


def test_child_whose_parent_is_in_another_ght_is_refused(ght, other_ght):
    plan = PlanFactory(ght=other_ght)
    with pytest.raises(ValueError, match="differs"):
        Axis(ght=ght, plan=plan, position=1, title="Axe").save()
    with pytest.raises(ValueError, match="differs"):
        Pilot(ght=ght, filiere=FiliereFactory(ght=other_ght), user=UserFactory(), pilot_role="other").save()
    assert not Axis.objects.exists()


def test_moving_a_child_under_a_parent_of_another_ght_is_refused(ght, other_ght):
    axis = AxisFactory(plan=PlanFactory(ght=ght))
    axis.plan = PlanFactory(ght=other_ght)
    with pytest.raises(ValueError, match="differs"):
        axis.save()


def test_optional_links_into_another_ght_are_refused_by_clean(ght, other_ght):
    objective = ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght)))
    objective.filiere = FiliereFactory(ght=other_ght)
    with pytest.raises(ValidationError) as error:
        objective.full_clean()
    assert messages(error, "filiere") == ["Cet élément n'appartient pas à ce GHT."]

    action = ActionFactory(objective=objective)
    action.lead_establishment = EstablishmentFactory(ght=other_ght)
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "lead_establishment" in error.value.message_dict


# --- Uniqueness -----------------------------------------------------------------------------------


def test_action_code_is_unique_per_plan_but_reusable_in_another_plan(ght):
    action = ActionFactory(code="FMS-3", objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))))
    duplicate = Action(plan=action.plan, code="FMS-3", title="Doublon")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Une action porte déjà ce code dans ce projet." in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()

    next_plan = PlanFactory(ght=ght, start_year=2029, end_year=2034)
    ActionFactory(objective=None, plan=next_plan, code="FMS-3", title="Suite")
    assert Action.objects.filter(code="FMS-3").count() == 2


def test_one_active_plan_per_ght(ght, other_ght):
    PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    PlanFactory(ght=ght, status=Plan.Status.ARCHIVED, start_year=2017, end_year=2022)
    PlanFactory(ght=other_ght, status=Plan.Status.ACTIVE)  # another GHT: allowed
    second = Plan(ght=ght, title="Nouveau", start_year=2029, end_year=2034, status=Plan.Status.ACTIVE)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "Un autre projet est déjà en vigueur dans ce GHT" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    second.status = Plan.Status.DRAFT
    second._history_user = system_actor()
    second.save()


def test_plan_period(ght):
    plan = PlanFactory(ght=ght, start_year=2024, end_year=2029)
    assert plan.period == "2024–2029"
    plan.end_year = 2024
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert messages(error, "end_year") == ["L'année de fin doit être postérieure à l'année de début."]
    plan.end_year = 2035
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert messages(error, "end_year") == ["Un projet couvre au plus 10 ans."]
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()
    plan.end_year = 2034
    plan.full_clean()


# --- "En retard" ----------------------------------------------------------------------------------

LATE_CASES = [
    # (status, due date, late?)
    (Action.Status.IN_PROGRESS, TODAY - datetime.timedelta(days=1), True),
    (Action.Status.TO_START, TODAY - datetime.timedelta(days=1), True),
    (Action.Status.SUSPENDED, TODAY - datetime.timedelta(days=1), True),
    (Action.Status.DONE, TODAY - datetime.timedelta(days=1), False),
    (Action.Status.ABANDONED, TODAY - datetime.timedelta(days=1), False),
    (Action.Status.IN_PROGRESS, TODAY, False),  # due today: not late yet
    (Action.Status.IN_PROGRESS, TODAY + datetime.timedelta(days=1), False),
    (Action.Status.IN_PROGRESS, None, False),
]


def test_late_queryset_annotation_and_property_agree(ght, monkeypatch):
    plan = PlanFactory(ght=ght)
    expected = {}
    for number, (status, due_date, late) in enumerate(LATE_CASES):
        action = ActionFactory(
            objective=None, plan=plan, code=str(number), title="Action", status=status, due_date=due_date
        )
        expected[action.pk] = late
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)

    assert set(scoped(Action, ght).late(TODAY).values_list("pk", flat=True)) == {
        pk for pk, late in expected.items() if late
    }
    assert set(Action.objects.late().values_list("pk", flat=True)) == {pk for pk, late in expected.items() if late}
    for action in scoped(Action, ght).annotate_late(TODAY):
        assert action.is_late_db is expected[action.pk], action.code
        assert action.is_late is expected[action.pk], action.code


# --- Field validation -----------------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["E1D2O1", "E12D3O10"])
def test_prs_reference_accepted(reference):
    validate_prs_reference(reference)


@pytest.mark.parametrize("reference", ["E1D2", "e1d2o1", "E1 D2 O1", "1D2O1", "E1D2O1 "])
def test_prs_reference_refused_with_french_message(reference):
    with pytest.raises(ValidationError) as error:
        validate_prs_reference(reference)
    assert "n'est pas une référence d'objectif du PRS" in error.value.messages[0]
    assert "E1D2O1" in error.value.messages[0]


def test_prs_references_validated_on_the_action(ght):
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))))
    action.prs_references = ["E1D2O1", "E2D1O3"]
    action.full_clean()
    action.prs_references = ["E1D2O1", "objectif 3"]
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "prs_references" in error.value.message_dict


def test_progress_bounds(ght):
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))))
    for value in (0, 100):
        action.progress = value
        action.full_clean()
    action.progress = 101
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "progress" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()


def test_funding_amount_not_negative(ght):
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))))
    action.funding_source = Action.FundingSource.FIR
    action.funding_amount = Decimal("-1")
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "funding_amount" in error.value.message_dict


def test_due_date_before_start_refused(ght):
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))))
    action.start_date = datetime.date(2025, 6, 1)
    action.due_date = datetime.date(2025, 5, 31)
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert messages(error, "due_date") == ["L'échéance ne peut pas précéder la date de début."]
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()
    action.due_date = action.start_date
    action.full_clean()


def test_objective_from_another_plan_refused(ght):
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))))
    other_plan = PlanFactory(ght=ght, start_year=2017, end_year=2022)
    foreign_objective = ObjectiveFactory(axis=AxisFactory(plan=other_plan))
    action.objective = foreign_objective
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert messages(error, "objective") == ["Cet objectif n'appartient pas au projet de l'action."]
    with pytest.raises(ValueError, match="not in plan"):
        action.save()
    assert Action.objects.get(pk=action.pk).objective.axis.plan != other_plan


def test_factories_build_a_whole_plan(ght):
    filiere = FiliereFactory(ght=ght, code="GER", name="Gériatrie")
    filiere.establishments.add(EstablishmentFactory(ght=ght))
    PilotFactory(filiere=filiere)
    WorkingGroupMemberFactory(filiere=filiere)
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght)), filiere=filiere))
    action.filieres.add(filiere)
    action.contributors.add(UserFactory())
    MilestoneFactory(action=action)
    MeasurementFactory(indicator=IndicatorFactory(action=action))
    ActionUpdateFactory(action=action, kind=ActionUpdate.Kind.COMMENT)
    assert str(filiere) == "GER — Gériatrie"
    assert list(filiere.actions.all()) == [action]
    assert scoped(Objective, ght).get().filiere == filiere
    assert action.history.count() == 1


def test_every_save_of_an_existing_action_moves_its_version_on(db):
    action = ActionFactory()
    assert action.version == 1
    action.title = "Nouvel intitulé"
    action.save()
    action.progress = 40
    action.save(update_fields=["progress"])
    action.refresh_from_db()
    assert action.version == 3
