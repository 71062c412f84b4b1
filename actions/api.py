"""The API of the plan: plans, axes, objectives, actions with their milestones, indicators,
measurements and log.

Rights are ``actions.permissions``' and every write is an ``actions.services`` function, as for the
web pages. The action list is filtered by the web list's own ``ActionFilter`` (same parameters, same
defaults) and costs a fixed number of queries per page: the many-to-many ids come as array subqueries.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action as operation

from actions import services
from actions.filters import ALL_PLANS, ActionFilter
from actions.models import Action, ActionUpdate, Axis, Indicator, Measurement, Milestone, Objective, Plan
from actions.permissions import (
    EDITOR_ROLES,
    FOLLOWUP_ROLES,
    PilotedMixin,
    can_create_action,
    can_edit_action,
    can_edit_objective,
    can_manage_plan,
    can_update_followup,
)
from actions.plan import services as plan_services
from filieres.models import Filiere
from ght_portal.api.base import CreateMixin, DestroyMixin, GHTScopedViewSet, ReadMixin, UpdateMixin
from ght_portal.api.errors import PreconditionFailed
from ght_portal.api.etags import version_etag
from ght_portal.api.fields import GHTRelatedField, MemberField
from ght_portal.api.filters import GHTFilterBackend, IdFilter
from ght_portal.api.serializers import GHTModelSerializer
from ght_portal.models import Establishment
from ght_portal.tenancy import OFFICE_ONLY, get_for_ght_or_404

User = get_user_model()


# --- Plan structure (read) ----------------------------------------------------------------------------


class PlanSerializer(GHTModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "title", "start_year", "end_year", "status", "axis_label", "created_at", "updated_at", "etag"]
        read_only_fields = ["created_at", "updated_at"]


class AxisSerializer(GHTModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Axis
        fields = ["id", "plan", "position", "title", "description", "etag"]


class AxisCreateSerializer(AxisSerializer):
    plan = GHTRelatedField(queryset=Plan.objects.all())


class ObjectiveSerializer(GHTModelSerializer):
    plan = serializers.IntegerField(source="axis.plan_id", read_only=True)
    axis = GHTRelatedField(queryset=Axis.objects.all(), help_text="Un axe du même projet.")
    filiere = GHTRelatedField(queryset=Filiere.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Objective
        fields = ["id", "plan", "axis", "position", "code", "title", "description", "filiere", "etag"]


def _set(row, data: dict):
    for name, value in data.items():
        setattr(row, name, value)
    return row


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Plan.Status.choices)


class AxisFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id")


class ObjectiveFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="axis__plan_id")
    axis = IdFilter(field_name="axis_id")
    filiere = IdFilter(field_name="filiere_id")


class PlanStructureMixin(CreateMixin, UpdateMixin):
    """Plans and axes: the office's (the role gate says so; the service checks it again)."""

    def check_write(self, row, fields: set[str]) -> None:
        """Nothing beyond the role: the office writes every plan and axis of its GHT."""

    def who(self) -> dict:
        return {"acting_user": self.request.user, "membership": self.membership}


class PlanViewSet(PlanStructureMixin, ReadMixin, GHTScopedViewSet):
    doc = (
        "Les projets médico-soignants partagés (PMSP) du GHT : celui en vigueur, les brouillons, les archivés. "
        "La cellule opérationnelle les crée et les modifie ; un seul est en vigueur à la fois."
    )
    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    lookup_url_kwarg = "plan_id"
    filterset_class = PlanFilter
    ordering_fields = ["start_year", "title"]
    ordering = ["-start_year", "pk"]

    def create_object(self, data: dict) -> Plan:
        return plan_services.save_plan(**self.who(), plan=Plan(ght=self.ght, **data))

    def update_object(self, plan: Plan, data: dict) -> Plan:
        return plan_services.save_plan(**self.who(), plan=_set(plan, data))


class AxisViewSet(PlanStructureMixin, ReadMixin, GHTScopedViewSet):
    doc = (
        "Le premier niveau des projets (ambitions, axes, engagements ou objectifs majeurs), par rang. "
        "La cellule opérationnelle les crée et les modifie."
    )
    queryset = Axis.objects.all()
    serializer_class = AxisSerializer
    create_serializer_class = AxisCreateSerializer
    lookup_url_kwarg = "axis_id"
    filterset_class = AxisFilter
    ordering_fields = ["position", "title"]
    ordering = ["plan_id", "position", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("plan")

    def create_object(self, data: dict) -> Axis:
        return plan_services.save_axis(**self.who(), axis=Axis(**data))

    def update_object(self, axis: Axis, data: dict) -> Axis:
        return plan_services.save_axis(**self.who(), axis=_set(axis, data))


class ObjectiveViewSet(PilotedMixin, ReadMixin, CreateMixin, UpdateMixin, GHTScopedViewSet):
    doc = (
        "Les objectifs, sous les axes ; une filière peut en être propriétaire. La cellule opérationnelle les "
        "crée et les modifie ; un pilote de la filière de l'objectif en modifie le rang, le code, l'intitulé "
        "et la description (pas l'axe ni la filière)."
    )
    queryset = Objective.objects.all()
    serializer_class = ObjectiveSerializer
    lookup_url_kwarg = "objective_id"
    action_roles = {"partial_update": EDITOR_ROLES}
    filterset_class = ObjectiveFilter
    ordering_fields = ["position", "code", "title"]
    ordering = ["axis__position", "position", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("axis")

    def create_object(self, data: dict) -> Objective:
        objective = Objective(**data)
        return plan_services.save_objective(
            acting_user=self.request.user, membership=self.membership, objective=objective
        )

    def check_write(self, objective: Objective, fields: set[str]) -> None:
        if fields <= plan_services.OBJECTIVE_TEXT_FIELDS:
            self.require(can_edit_objective(self.membership, objective, self.piloted))
        else:
            self.require(can_manage_plan(self.membership))

    def update_object(self, objective: Objective, data: dict) -> Objective:
        objective = _set(objective, data)
        return plan_services.save_objective(
            acting_user=self.request.user, membership=self.membership, objective=objective
        )


# --- Actions ------------------------------------------------------------------------------------------


def _ids(through, column: str) -> ArraySubquery:
    """The ids an action links to through ``through`` (filières, establishments, contributors), sorted."""
    return ArraySubquery(through.objects.filter(action_id=OuterRef("pk")).order_by(column).values(column))


class ActionSerializer(GHTModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(read_only=True)
    objective = GHTRelatedField(queryset=Objective.objects.all(), allow_null=True, required=False)
    filieres = GHTRelatedField(queryset=Filiere.objects.all(), many=True, required=False)
    lead_establishment = GHTRelatedField(queryset=Establishment.objects.all(), allow_null=True, required=False)
    establishments = GHTRelatedField(queryset=Establishment.objects.all(), many=True, required=False)
    owner = MemberField(queryset=User.objects.all(), allow_null=True, required=False)
    owner_name = serializers.SerializerMethodField()
    contributors = MemberField(queryset=User.objects.all(), many=True, required=False)
    is_late = serializers.SerializerMethodField(help_text="Échéance dépassée, ni réalisée ni abandonnée.")

    class Meta:
        model = Action
        # What the edit form and the import write (actions.services), and what the list shows about it.
        fields = [
            *("id", "plan", *services.EDIT_FIELDS, *services.M2M_FIELDS, "owner_name", "is_late"),
            *("done_on", "stopped_on", "governance_stage", "version", "created_at", "updated_at", "etag"),
        ]
        # The achievement and stop dates follow the status; the office corrects them (``…/dates/``).
        read_only_fields = ["done_on", "stopped_on", "governance_stage", "version", "created_at", "updated_at"]

    def get_owner_name(self, action) -> str | None:
        return action.owner.full_name if action.owner_id else None

    def get_is_late(self, action) -> bool:
        late = getattr(action, "is_late_db", None)
        return action.is_late if late is None else late

    def make_etag(self, instance, data) -> str:
        return version_etag(instance.pk, instance.version)


class ActionCreateSerializer(ActionSerializer):
    plan = GHTRelatedField(queryset=Plan.objects.all(), help_text="Le projet de l'action (il ne change plus ensuite).")


class FollowUpSerializer(serializers.Serializer):
    """The follow-up of the web's « Point de suivi »: what is not sent keeps its current value."""

    status = serializers.ChoiceField(choices=Action.Status.choices, required=False)
    health = serializers.ChoiceField(choices=Action.Health.choices, required=False)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=10_000, help_text="Le point de suivi.")


class StatusDatesSerializer(serializers.Serializer):
    """The office's correction of an achievement or stop date: what is not sent keeps its value."""

    done_on = serializers.DateField(
        required=False, allow_null=True, help_text="Date de réalisation (null : inconnue) ; pour une action réalisée."
    )
    stopped_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Date de suspension ou d'abandon (null : inconnue) ; pour une action suspendue ou abandonnée.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Motif de la correction, gardé dans l'historique ; obligatoire dès qu'une date change.",
    )


ACTION_FILTER_PARAMETERS = [
    OpenApiParameter(
        "plan",
        str,
        description=f"Identifiant d'un projet, ou « {ALL_PLANS} » ; sans ce paramètre : le projet en vigueur.",
    ),
    *(
        OpenApiParameter(name, int, description=f"Identifiant d'un(e) {label} du GHT.")
        for name, label in [
            ("axis", "axe"),
            ("objective", "objectif"),
            ("filiere", "filière"),
            ("establishment", "établissement (pilote ou concerné)"),
            ("owner", "responsable (identifiant de la personne)"),
        ]
    ),
]


def with_representation(actions):
    """What the representation of actions reads, in the same query: owner, late flag and the ids of the
    many-to-many relations (array subqueries), so a page of the list costs the same whatever its size."""
    return (
        actions.defer("search_vector")
        .select_related("owner")
        .annotate(
            filieres_ids=_ids(Action.filieres.through, "filiere_id"),
            establishments_ids=_ids(Action.establishments.through, "establishment_id"),
            contributors_ids=_ids(Action.contributors.through, "user_id"),
        )
        .annotate_late()
    )


class VersionedActionMixin:
    """Writes to an action: its rights, and the version named by If-Match (an action's ETag)."""

    def rights_action(self, action: Action) -> Action:
        """The action with what its rights are decided on (objective, filières)."""
        return get_for_ght_or_404(
            Action.objects.select_related("objective").prefetch_related("filieres"), self.ght, pk=action.pk
        )

    def expected_version(self, action: Action) -> int:
        """The version that If-Match names for this action (428 without it, 412 if it names another)."""
        for tag in self.if_match():
            match = re.fullmatch(r'"(\d+)-(\d+)"', tag)
            if match and int(match.group(1)) == action.pk:
                return int(match.group(2))
        raise PreconditionFailed(etag=version_etag(action.pk, action.version))

    @contextmanager
    def stale_as_412(self, action: Action):
        """The service's refusal of a stale version (who changed what since) as a 412, with the current ETag."""
        try:
            yield
        except services.StaleActionError as error:
            raise PreconditionFailed(error.messages[0], etag=version_etag(action.pk, error.current_version)) from None


@extend_schema_view(list=extend_schema(parameters=ACTION_FILTER_PARAMETERS))
class ActionViewSet(PilotedMixin, VersionedActionMixin, ReadMixin, CreateMixin, GHTScopedViewSet):
    doc = (
        "Les actions du plan. La liste a les filtres, la recherche et les tris de la liste web. "
        "Créer et tout modifier : la cellule opérationnelle, ou un pilote dans ses filières ; le suivi "
        "(statut, santé, avancement, point de suivi) : aussi le responsable de l'action."
    )
    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    create_serializer_class = ActionCreateSerializer
    lookup_url_kwarg = "action_id"
    write_roles = EDITOR_ROLES
    action_roles = {"followup": FOLLOWUP_ROLES, "dates": OFFICE_ONLY}
    object_writes = frozenset({"partial_update", "followup", "dates"})
    filterset_class = ActionFilter
    filter_backends = [GHTFilterBackend]  # ActionFilter's own ``sort`` orders the list

    def filterset_kwargs(self) -> dict:
        return {"ght": self.ght}

    def get_queryset(self):
        return with_representation(super().get_queryset())

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.order_by(*(queryset.query.order_by or ["code"]), "pk")  # as the web list

    def check_create(self) -> None:
        self.require(can_create_action(self.membership, self.piloted))

    def create_object(self, data: dict) -> Action:
        plan = data.pop("plan")
        return services.create_action(acting_user=self.request.user, membership=self.membership, plan=plan, data=data)

    def partial_update(self, request, *args, **kwargs):
        action = self.rights_action(self.get_object())
        self.require(can_edit_action(self.membership, action, self.piloted))
        expected = self.expected_version(action)
        serializer = self.get_serializer(action, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with self.stale_as_412(action):
            updated = services.update_action(
                acting_user=request.user,
                membership=self.membership,
                action=action,
                data=serializer.validated_data,
                expected_version=expected,
            )
        return self.object_response(updated)

    @extend_schema(request=FollowUpSerializer, responses=ActionSerializer)
    @operation(detail=True, methods=["post"])
    def followup(self, request, *args, **kwargs):
        """Status, health and progress, logged as a dated update of the action (the web's follow-up)."""
        action = self.rights_action(self.get_object())
        self.require(can_update_followup(self.membership, action, self.piloted))
        expected = self.expected_version(action)
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with self.stale_as_412(action):
            updated = services.update_followup(
                acting_user=request.user,
                membership=self.membership,
                action=action,
                status=data.get("status", action.status),
                health=data.get("health", action.health),
                progress=data.get("progress", action.progress),
                text=data.get("text", ""),
                expected_version=expected,
                piloted=self.piloted,
            )
        return self.object_response(updated)

    @extend_schema(request=StatusDatesSerializer, responses=ActionSerializer)
    @operation(detail=True, methods=["post"])
    def dates(self, request, *args, **kwargs):
        """The office corrects the achievement or stop date, with a reason (the web's « Corriger la date »)."""
        action = self.rights_action(self.get_object())
        self.require(can_manage_plan(self.membership))
        expected = self.expected_version(action)
        serializer = StatusDatesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        with self.stale_as_412(action):
            updated = services.correct_status_dates(
                acting_user=request.user,
                membership=self.membership,
                action=action,
                dates=data,
                reason=reason,
                expected_version=expected,
            )
        return self.object_response(updated)


# --- What hangs under an action -----------------------------------------------------------------------


class ActionChildMixin(PilotedMixin):
    """Rights on a milestone, indicator, measurement or log entry are its action's."""

    def rights_action(self, action_id: int) -> Action:
        return get_for_ght_or_404(
            Action.objects.select_related("objective").prefetch_related("filieres"), self.ght, pk=action_id
        )

    def require_edit(self, action_id: int) -> Action:
        action = self.rights_action(action_id)
        self.require(can_edit_action(self.membership, action, self.piloted))
        return action

    def require_followup(self, action_id: int) -> Action:
        action = self.rights_action(action_id)
        self.require(can_update_followup(self.membership, action, self.piloted))
        return action


class ActionChildFilter(django_filters.FilterSet):
    action = IdFilter(field_name="action_id")


class MilestoneSerializer(GHTModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "action", "title", "due_date", "done_on", "etag"]
        read_only_fields = ["action"]


class MilestoneCreateSerializer(MilestoneSerializer):
    action = GHTRelatedField(queryset=Action.objects.all())

    class Meta(MilestoneSerializer.Meta):
        read_only_fields: list[str] = []


class MilestoneViewSet(ActionChildMixin, ReadMixin, CreateMixin, UpdateMixin, DestroyMixin, GHTScopedViewSet):
    doc = (
        "Les jalons des actions. Les créer, modifier ou supprimer : la cellule opérationnelle ou un pilote "
        "de l'action ; les marquer atteints (PATCH de `done_on` seul) : aussi le responsable."
    )
    queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    create_serializer_class = MilestoneCreateSerializer
    lookup_url_kwarg = "milestone_id"
    write_roles = EDITOR_ROLES
    action_roles = {"partial_update": FOLLOWUP_ROLES}
    filterset_class = ActionChildFilter
    ordering_fields = ["due_date"]
    ordering = ["due_date", "pk"]

    def create_object(self, data: dict) -> Milestone:
        action = self.require_edit(data.pop("action").pk)
        return services.add_milestone(
            acting_user=self.request.user, membership=self.membership, action=action, data=data
        )

    def check_write(self, milestone: Milestone, fields: set[str]) -> None:
        if fields <= {"done_on"}:
            self.require_followup(milestone.action_id)
        else:
            self.require_edit(milestone.action_id)

    def update_object(self, milestone: Milestone, data: dict) -> Milestone:
        kwargs = {"acting_user": self.request.user, "membership": self.membership, "milestone": milestone}
        if set(data) <= {"done_on"}:  # reached or not: the owner's part
            return services.set_milestone_done(**kwargs, done_on=data.get("done_on", milestone.done_on))
        return services.update_milestone(**kwargs, data=data)

    def check_delete(self, milestone: Milestone) -> None:
        self.require_edit(milestone.action_id)

    def delete_object(self, milestone: Milestone) -> None:
        services.delete_milestone(acting_user=self.request.user, membership=self.membership, milestone=milestone)


class IndicatorSerializer(GHTModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "action", "name", "unit", "baseline", "target", "target_date", "etag"]
        read_only_fields = ["action"]


class IndicatorCreateSerializer(IndicatorSerializer):
    action = GHTRelatedField(queryset=Action.objects.all())

    class Meta(IndicatorSerializer.Meta):
        read_only_fields: list[str] = []


class IndicatorViewSet(ActionChildMixin, ReadMixin, CreateMixin, UpdateMixin, DestroyMixin, GHTScopedViewSet):
    doc = "Les indicateurs des actions : la cellule opérationnelle ou un pilote de l'action les gère."
    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    create_serializer_class = IndicatorCreateSerializer
    lookup_url_kwarg = "indicator_id"
    write_roles = EDITOR_ROLES
    filterset_class = ActionChildFilter
    ordering_fields = ["name"]
    ordering = ["action_id", "pk"]

    def create_object(self, data: dict) -> Indicator:
        action = self.require_edit(data.pop("action").pk)
        return services.add_indicator(
            acting_user=self.request.user, membership=self.membership, action=action, data=data
        )

    def check_write(self, indicator: Indicator, fields: set[str]) -> None:
        self.require_edit(indicator.action_id)

    def update_object(self, indicator: Indicator, data: dict) -> Indicator:
        return services.update_indicator(
            acting_user=self.request.user, membership=self.membership, indicator=indicator, data=data
        )

    def check_delete(self, indicator: Indicator) -> None:
        self.require_edit(indicator.action_id)

    def delete_object(self, indicator: Indicator) -> None:
        services.delete_indicator(acting_user=self.request.user, membership=self.membership, indicator=indicator)


class MeasurementSerializer(GHTModelSerializer):
    indicator = GHTRelatedField(queryset=Indicator.objects.all())
    action = serializers.IntegerField(source="indicator.action_id", read_only=True)

    class Meta:
        model = Measurement
        fields = ["id", "indicator", "action", "measured_on", "value", "comment", "etag"]


class MeasurementFilter(django_filters.FilterSet):
    indicator = IdFilter(field_name="indicator_id")
    action = IdFilter(field_name="indicator__action_id")


class MeasurementViewSet(ActionChildMixin, ReadMixin, CreateMixin, GHTScopedViewSet):
    doc = "Les mesures datées des indicateurs : le responsable, un pilote ou la cellule les enregistre."
    queryset = Measurement.objects.all()
    serializer_class = MeasurementSerializer
    lookup_url_kwarg = "measurement_id"
    write_roles = FOLLOWUP_ROLES
    filterset_class = MeasurementFilter
    ordering_fields = ["measured_on"]
    ordering = ["indicator_id", "measured_on", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("indicator")

    def create_object(self, data: dict) -> Measurement:
        indicator = data["indicator"]
        self.require_followup(indicator.action_id)
        return services.record_measurement(
            acting_user=self.request.user,
            membership=self.membership,
            indicator=indicator,
            measured_on=data["measured_on"],
            value=data["value"],
            comment=data.get("comment", ""),
        )


class ActionUpdateSerializer(GHTModelSerializer):
    action = GHTRelatedField(queryset=Action.objects.all())
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = ActionUpdate
        fields = [
            *("id", "action", "kind", "created_at", "author", "author_name"),
            *("text", "status", "health", "progress", "etag"),
        ]
        read_only_fields = ["kind", "created_at", "author", "status", "health", "progress"]

    def get_author_name(self, update) -> str | None:
        return update.author.full_name if update.author_id else None


class ActionUpdateFilter(ActionChildFilter):
    kind = django_filters.ChoiceFilter(choices=ActionUpdate.Kind.choices)


class ActionUpdateViewSet(ActionChildMixin, ReadMixin, CreateMixin, GHTScopedViewSet):
    doc = (
        "Le journal des actions : points de suivi, commentaires et modifications, du plus récent au plus "
        "ancien. Créer une entrée ajoute un commentaire (le responsable, un pilote, la cellule)."
    )
    queryset = ActionUpdate.objects.all()
    serializer_class = ActionUpdateSerializer
    lookup_url_kwarg = "action_update_id"
    write_roles = FOLLOWUP_ROLES
    filterset_class = ActionUpdateFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("author")

    def create_object(self, data: dict) -> ActionUpdate:
        action = self.require_followup(data["action"].pk)
        return services.add_comment(
            acting_user=self.request.user, membership=self.membership, action=action, text=data["text"]
        )


ROUTES = [
    ("plans", PlanViewSet, "plan"),
    ("axes", AxisViewSet, "axis"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("actions", ActionViewSet, "action"),
    ("milestones", MilestoneViewSet, "milestone"),
    ("indicators", IndicatorViewSet, "indicator"),
    ("measurements", MeasurementViewSet, "measurement"),
    ("action-updates", ActionUpdateViewSet, "action-update"),
]
