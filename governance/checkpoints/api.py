"""The API of the checkpoints (points d'étape): campaigns, and the update each action owes.

Everyone reads the campaigns; the office opens and closes them. The updates are read by those who
fill them — the office all of them, a pilot or an owner those whose action's follow-up they update
(``actions.permissions.followable_actions``, the query form of ``can_update_followup``) — as on the
web's « Mes mises à jour » and follow-up pages. Every write is a ``governance.checkpoints.services`` function.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action as operation

from actions.models import Action, Indicator, Plan
from actions.permissions import FOLLOWUP_ROLES, PilotedMixin, can_update_followup, followable_actions
from filieres.models import Filiere
from ght_portal.api.base import CreateMixin, GHTScopedViewSet, ReadMixin
from ght_portal.api.fields import GHTRelatedField
from ght_portal.api.filters import IdFilter
from ght_portal.api.serializers import ApiModelSerializer, GHTModelSerializer
from ght_portal.tenancy import OFFICE_ONLY
from governance.checkpoints import services
from governance.models import Campaign, CheckpointMeasurement, CheckpointUpdate


class CampaignSerializer(GHTModelSerializer):
    plan = GHTRelatedField(queryset=Plan.objects.all())
    filieres = GHTRelatedField(queryset=Filiere.objects.all(), many=True, required=False)

    class Meta:
        model = Campaign
        fields = [
            *("id", "plan", "title", "deadline", "all_filieres", "filieres", "status"),
            *("opened_at", "opened_by", "closed_at", "closed_by", "etag"),
        ]
        read_only_fields = ["status", "opened_at", "opened_by", "closed_at", "closed_by"]


class CampaignFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    status = django_filters.ChoiceFilter(choices=Campaign.Status.choices)


class CampaignViewSet(ReadMixin, CreateMixin, GHTScopedViewSet):
    doc = (
        "Les points d'étape (juin, décembre) : chaque action ouverte du périmètre doit une mise à jour "
        "avant la date limite. La cellule opérationnelle les ouvre et les clôt ; la clôture fige la situation."
    )
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    lookup_url_kwarg = "campaign_id"
    action_roles = {"close": OFFICE_ONLY}
    object_writes = frozenset({"close"})
    filterset_class = CampaignFilter
    ordering_fields = ["deadline"]
    ordering = ["-deadline", "-pk"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("filieres")

    def create_object(self, data: dict) -> Campaign:
        return services.open_campaign(
            acting_user=self.request.user,
            membership=self.membership,
            plan=data["plan"],
            title=data["title"],
            deadline=data["deadline"],
            all_filieres=data.get("all_filieres", True),
            filieres=data.get("filieres", []),
        )

    @extend_schema(
        request=None,
        responses=CampaignSerializer,
        description="Clore le point d'étape : la situation de chaque action de son périmètre est figée.",
    )
    @operation(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        with self.locked() as campaign:
            closed = services.close_campaign(acting_user=request.user, membership=self.membership, campaign=campaign)
        return self.object_response(closed)


class DeclaredMeasurementSerializer(ApiModelSerializer):
    indicator = GHTRelatedField(queryset=Indicator.objects.all())

    class Meta:
        model = CheckpointMeasurement
        fields = ["indicator", "measured_on", "value"]


class CheckpointUpdateSerializer(GHTModelSerializer):
    action_version = serializers.IntegerField(
        source="action.version", read_only=True, help_text="La version de l'action quand la mise à jour a été lue."
    )
    measurements = DeclaredMeasurementSerializer(many=True, read_only=True)

    class Meta:
        model = CheckpointUpdate
        fields = [
            *("id", "campaign", "action", "action_version", "state", "status", "health", "progress"),
            *("achievements", "blocking_points", "next_steps", "measurements", "submitted_at", "submitted_by"),
            *("return_comment", "returned_at", "returned_by", "etag"),
        ]
        read_only_fields = fields


class SubmitSerializer(serializers.Serializer):
    """What the web's update form sends: the follow-up, the three texts, new indicator values."""

    status = serializers.ChoiceField(choices=Action.Status.choices)
    health = serializers.ChoiceField(choices=Action.Health.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    achievements = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    blocking_points = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    next_steps = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    measurements = DeclaredMeasurementSerializer(many=True, required=False)


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text="Ce qu'il faut compléter ou corriger.")


class CheckpointUpdateFilter(django_filters.FilterSet):
    campaign = IdFilter(field_name="campaign_id")
    action = IdFilter(field_name="action_id")
    state = django_filters.ChoiceFilter(choices=CheckpointUpdate.State.choices)


class CheckpointUpdateViewSet(PilotedMixin, ReadMixin, GHTScopedViewSet):
    doc = (
        "Les mises à jour de point d'étape, une par action du périmètre. La cellule opérationnelle les "
        "voit toutes et peut renvoyer une mise à jour soumise ; un pilote ou un responsable voit et soumet "
        "celles de ses actions."
    )
    queryset = CheckpointUpdate.objects.all()
    serializer_class = CheckpointUpdateSerializer
    lookup_url_kwarg = "update_id"
    read_roles = FOLLOWUP_ROLES
    action_roles = {"submit": FOLLOWUP_ROLES, "send_back": OFFICE_ONLY}
    object_writes = frozenset({"submit", "send_back"})
    filterset_class = CheckpointUpdateFilter
    ordering_fields = ["state"]
    ordering = ["campaign_id", "action__code", "pk"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("campaign", "action__objective")
            .prefetch_related("action__filieres", "measurements")
        )

    def list_queryset(self):
        return self.get_queryset().filter(action__in=followable_actions(self.membership, self.piloted))

    def check_read(self, update: CheckpointUpdate) -> None:
        self.require(can_update_followup(self.membership, update.action, self.piloted))

    @extend_schema(
        request=SubmitSerializer,
        responses=CheckpointUpdateSerializer,
        description=(
            "Soumettre la mise à jour : le statut, l'état de santé et l'avancement passent à l'action (dans son "
            "journal) et les nouvelles valeurs deviennent des mesures de ses indicateurs. Une mise à jour soumise "
            "ne se modifie plus, sauf si la cellule opérationnelle la renvoie."
        ),
    )
    @operation(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        self.check_read(self.get_object())
        with self.locked() as update:
            serializer = SubmitSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            submitted = services.submit_update(
                acting_user=request.user,
                membership=self.membership,
                update=update,
                status=data["status"],
                health=data["health"],
                progress=data["progress"],
                achievements=data.get("achievements", ""),
                blocking_points=data.get("blocking_points", ""),
                next_steps=data.get("next_steps", ""),
                measurements=[services.DeclaredMeasurement(**row) for row in data.get("measurements", [])],
                expected_version=update.action.version,  # the version the matching ETag was made from
                piloted=self.piloted,
            )
        return self.object_response(submitted)

    @extend_schema(
        request=ReturnSerializer,
        responses=CheckpointUpdateSerializer,
        description="Renvoyer une mise à jour soumise pour complément, avec un commentaire (cellule opérationnelle).",
    )
    @operation(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, *args, **kwargs):
        with self.locked() as update:
            serializer = ReturnSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            returned = services.return_update(
                acting_user=request.user,
                membership=self.membership,
                update=update,
                comment=serializer.validated_data["comment"],
            )
        return self.object_response(returned)


ROUTES = [
    ("campaigns", CampaignViewSet, "campaign"),
    ("checkpoint-updates", CheckpointUpdateViewSet, "checkpoint-update"),
]
