"""factory_boy factories for every model: the tenancy core, then the plan and the filières."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from actions.models import Action, ActionUpdate, Axis, Indicator, Measurement, Milestone, Objective, Plan
from filieres.models import Filiere, Pilot, WorkingGroupMember
from ght_portal.actors import system_actor
from ght_portal.models import GHT, Establishment, Membership, Region, Role, User

PASSWORD = "un-mot-de-passe-solide-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TrackedFactory(DjangoModelFactory):
    """A factory of a history-tracked model: like every writer, it names who writes (the tests run with
    ``HISTORY_ACTOR_REQUIRED``) — the system actor, or the person passed as ``_history_user=``. The
    instance keeps its actor, as a service's does: a test that saves it again writes as the same actor."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, _history_user=None, **kwargs):
        manager = cls._get_manager(model_class)
        lookup = {name: kwargs[name] for name in cls._meta.django_get_or_create}
        if lookup and (existing := manager.filter(**lookup).first()) is not None:
            return existing
        instance = model_class(*args, **kwargs)
        instance._history_user = _history_user or system_actor()
        instance.save(force_insert=True, using=manager.db)
        return instance


class GHTFactory(TrackedFactory):
    class Meta:
        model = GHT
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"GHT de test {n}")
    short_name = factory.Sequence(lambda n: f"GHT {n}")
    slug = factory.Sequence(lambda n: f"ght-{n}")
    departements = factory.LazyFunction(lambda: ["47"])
    region = Region.NAQ


class EstablishmentFactory(TrackedFactory):
    class Meta:
        model = Establishment

    ght = factory.SubFactory(GHTFactory)
    name = factory.Sequence(lambda n: f"Centre hospitalier n° {n}")
    kind = Establishment.Kind.CH
    town = "Agen"
    role = Establishment.Role.MEMBER


class MembershipFactory(TrackedFactory):
    class Meta:
        model = Membership

    ght = factory.SubFactory(GHTFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.READER


# --- Plan and filières (filieres/models.py, actions/models.py) -------------------------------------
# Children take their GHT from their parent on save (TenantModel.ght_from): pass only the parent.


class FiliereFactory(TrackedFactory):
    class Meta:
        model = Filiere

    ght = factory.SubFactory(GHTFactory)
    name = factory.Sequence(lambda n: f"Filière n° {n}")
    code = factory.Sequence(lambda n: f"F{n}")
    kind = Filiere.Kind.MEDICAL


class PilotFactory(DjangoModelFactory):
    class Meta:
        model = Pilot

    filiere = factory.SubFactory(FiliereFactory)
    user = factory.SubFactory(UserFactory)
    pilot_role = Pilot.PilotRole.CH_DOCTOR


class WorkingGroupMemberFactory(DjangoModelFactory):
    class Meta:
        model = WorkingGroupMember

    filiere = factory.SubFactory(FiliereFactory)
    user = factory.SubFactory(UserFactory)


class PlanFactory(TrackedFactory):
    class Meta:
        model = Plan

    ght = factory.SubFactory(GHTFactory)
    title = "Projet médico-soignant partagé"
    start_year = 2024
    end_year = 2029
    status = Plan.Status.DRAFT


class AxisFactory(TrackedFactory):
    class Meta:
        model = Axis

    plan = factory.SubFactory(PlanFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Axe n° {n}")


class ObjectiveFactory(TrackedFactory):
    class Meta:
        model = Objective

    axis = factory.SubFactory(AxisFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Objectif n° {n}")


class ActionFactory(TrackedFactory):
    """An action under an objective of its plan (the plan is the objective's)."""

    class Meta:
        model = Action

    objective = factory.SubFactory(ObjectiveFactory)
    plan = factory.LazyAttribute(lambda action: action.objective.axis.plan)
    code = factory.Sequence(lambda n: f"A-{n}")
    title = factory.Sequence(lambda n: f"Action n° {n}")
    status = Action.Status.IN_PROGRESS


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    title = factory.Sequence(lambda n: f"Jalon n° {n}")
    due_date = datetime.date(2026, 6, 30)


class IndicatorFactory(TrackedFactory):
    class Meta:
        model = Indicator

    action = factory.SubFactory(ActionFactory)
    name = factory.Sequence(lambda n: f"Indicateur n° {n}")
    unit = "%"
    baseline = Decimal("10")
    target = Decimal("50")


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    measured_on = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
    value = Decimal("20")


class ActionUpdateFactory(DjangoModelFactory):
    class Meta:
        model = ActionUpdate

    action = factory.SubFactory(ActionFactory)
    author = factory.SubFactory(UserFactory)
    kind = ActionUpdate.Kind.UPDATE
    text = "Point d'étape : travaux engagés."


# --- end of plan and filières factories ------------------------------------------------------------
