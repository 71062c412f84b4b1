"""The API of governance: instances and their seats, meetings (with attendance) and their agenda items,
decisions, and the filière's proposal of an action to the instances.

Everyone reads. The office manages instances and seats; the office and the instance's secretaries record
its meetings, agendas, attendance and decisions (``governance.permissions.can_record``, the web's rule); the
office or a pilot of the action's filière proposes it. Every write is a ``governance.services`` function.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action as operation

from actions.api import ActionSerializer, VersionedActionMixin, with_representation
from actions.models import Action
from actions.permissions import PilotedMixin, can_edit_action
from actions.services import lock_at_version
from filieres.models import Filiere
from ght_portal.api.base import CreateMixin, DestroyMixin, GHTScopedViewSet, ReadMixin, UpdateMixin
from ght_portal.api.fields import GHTRelatedField, MemberField
from ght_portal.api.filters import IdFilter
from ght_portal.api.serializers import GHTModelSerializer
from ght_portal.models import Role
from governance import services
from governance.models import AgendaItem, Attendance, Decision, Instance, InstanceMember, Meeting
from governance.permissions import RECORDER_ROLES, can_record

User = get_user_model()


class SeatSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = InstanceMember
        fields = ["id", "user", "full_name", "role"]
        read_only_fields = fields


class InstanceSerializer(GHTModelSerializer):
    seats = SeatSerializer(source="members", many=True, read_only=True)

    class Meta:
        model = Instance
        fields = ["id", "name", "short_name", "kind", "description", "position", "seats", "etag"]


class InstanceViewSet(ReadMixin, CreateMixin, UpdateMixin, GHTScopedViewSet):
    doc = (
        "Les instances du GHT (comité stratégique, CMG, CSIRMT, collège…) et qui y siège. La cellule "
        "opérationnelle les crée et les modifie ; les sièges se gèrent dans `instance-members`."
    )
    queryset = Instance.objects.all()
    serializer_class = InstanceSerializer
    lookup_url_kwarg = "instance_id"
    filterset_fields = ["kind"]
    ordering_fields = ["position", "name"]
    ordering = ["position", "name", "pk"]

    def get_queryset(self):
        seats = InstanceMember.objects.select_related("user").order_by("role", "user__full_name", "pk")
        return super().get_queryset().prefetch_related(Prefetch("members", queryset=seats))

    def create_object(self, data: dict) -> Instance:
        instance = Instance(ght=self.ght, **data)
        return services.save_instance(acting_user=self.request.user, membership=self.membership, instance=instance)

    def check_write(self, instance: Instance, fields: set[str]) -> None:
        """The office only: the role gate said so already."""

    def update_object(self, instance: Instance, data: dict) -> Instance:
        for name, value in data.items():
            setattr(instance, name, value)
        return services.save_instance(acting_user=self.request.user, membership=self.membership, instance=instance)


class InstanceMemberSerializer(GHTModelSerializer):
    instance = serializers.PrimaryKeyRelatedField(read_only=True)
    user = serializers.PrimaryKeyRelatedField(read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = InstanceMember
        fields = ["id", "instance", "user", "full_name", "role", "etag"]


class InstanceMemberCreateSerializer(InstanceMemberSerializer):
    instance = GHTRelatedField(queryset=Instance.objects.all())
    user = MemberField(queryset=User.objects.all())


class InstanceChildFilter(django_filters.FilterSet):
    instance = IdFilter(field_name="instance_id")


class InstanceMemberViewSet(ReadMixin, CreateMixin, UpdateMixin, DestroyMixin, GHTScopedViewSet):
    """Seats of the instances: everyone reads, the office seats, changes and removes (the web's rules, in
    ``services.add_instance_member`` & co: a member of the GHT, one president, a secretary who records)."""

    doc = (
        "Qui siège dans chaque instance, et avec quel rôle (président·e, secrétaire, membre). La cellule "
        "opérationnelle ajoute, modifie et retire les sièges : une personne membre active du GHT, une seule "
        "présidence par instance, un·e secrétaire ayant le rôle « Direction / membre d'instance » ou « Cellule "
        "opérationnelle »."
    )
    queryset = InstanceMember.objects.all()
    serializer_class = InstanceMemberSerializer
    create_serializer_class = InstanceMemberCreateSerializer
    lookup_url_kwarg = "instance_member_id"
    filterset_class = InstanceChildFilter
    ordering_fields: list[str] = []
    ordering = ["instance_id", "role", "user__full_name", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("instance", "user")

    def create_object(self, data: dict) -> InstanceMember:
        return services.add_instance_member(
            acting_user=self.request.user,
            membership=self.membership,
            **{"role": InstanceMember.SeatRole.MEMBER, **data},
        )

    def check_write(self, seat: InstanceMember, fields: set[str]) -> None:
        """The office only: the role gate said so already."""

    def update_object(self, seat: InstanceMember, data: dict) -> InstanceMember:
        if "role" not in data:
            return seat
        return services.change_instance_member_role(
            acting_user=self.request.user, membership=self.membership, seat=seat, role=data["role"]
        )

    def check_delete(self, seat: InstanceMember) -> None:
        """The office only: the role gate said so already."""

    def delete_object(self, seat: InstanceMember) -> None:
        services.remove_instance_member(acting_user=self.request.user, membership=self.membership, seat=seat)


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "action", "filiere", "text"]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = Attendance
        fields = ["user", "full_name", "status"]
        read_only_fields = fields


class AttendanceEntrySerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="La personne (identifiant).")
    status = serializers.ChoiceField(
        choices=Attendance.Status.choices, allow_blank=True, help_text="Vide : efface sa présence."
    )


class AttendanceSheetSerializer(serializers.Serializer):
    attendance = AttendanceEntrySerializer(many=True, allow_empty=False)


class MeetingSerializer(GHTModelSerializer):
    instance = serializers.PrimaryKeyRelatedField(read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(source="attendances", many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            *("id", "instance", "starts_at", "place", "visio_url", "minutes"),
            *("agenda", "attendance", "created_by", "created_at", "updated_at", "etag"),
        ]
        read_only_fields = ["created_by", "created_at", "updated_at"]


class MeetingCreateSerializer(MeetingSerializer):
    instance = GHTRelatedField(queryset=Instance.objects.all())


class MeetingFilter(django_filters.FilterSet):
    instance = IdFilter(field_name="instance_id")


class MeetingViewSet(ReadMixin, CreateMixin, UpdateMixin, GHTScopedViewSet):
    doc = (
        "Les séances des instances : date, lieu, ordre du jour, présences et compte rendu. La cellule "
        "opérationnelle et les secrétaires de l'instance les enregistrent (l'ordre du jour dans "
        "`agenda-items`, les présences par `…/attendance/`)."
    )
    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    create_serializer_class = MeetingCreateSerializer
    lookup_url_kwarg = "meeting_id"
    write_roles = RECORDER_ROLES
    object_writes = frozenset({"partial_update", "attendance"})
    filterset_class = MeetingFilter
    ordering_fields = ["starts_at"]
    ordering = ["-starts_at", "pk"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("instance")
            .prefetch_related(
                Prefetch("agenda", queryset=AgendaItem.objects.order_by("position", "pk")),
                Prefetch("attendances", queryset=Attendance.objects.select_related("user").order_by("user__full_name")),
            )
        )

    def create_object(self, data: dict) -> Meeting:
        self.require(can_record(self.membership, data["instance"]))
        meeting = Meeting(ght=self.ght, **data)
        return services.save_meeting(acting_user=self.request.user, membership=self.membership, meeting=meeting)

    def check_write(self, meeting: Meeting, fields: set[str]) -> None:
        self.require(can_record(self.membership, meeting.instance))

    def update_object(self, meeting: Meeting, data: dict) -> Meeting:
        for name, value in data.items():
            setattr(meeting, name, value)
        return services.save_meeting(acting_user=self.request.user, membership=self.membership, meeting=meeting)

    @extend_schema(
        request=AttendanceSheetSerializer,
        responses=MeetingSerializer,
        description=(
            "Enregistrer la feuille de présence (cellule opérationnelle, secrétaires de l'instance) : pour chaque "
            "personne listée, membre de l'instance ou déjà notée, sa présence ; un statut vide l'efface. Les "
            "personnes non listées gardent la leur."
        ),
    )
    @operation(detail=True, methods=["post"])
    def attendance(self, request, *args, **kwargs):
        self.check_write(self.get_object(), set())
        with self.locked() as meeting:
            sheet = AttendanceSheetSerializer(data=request.data)
            sheet.is_valid(raise_exception=True)
            statuses = {entry["user"]: entry["status"] for entry in sheet.validated_data["attendance"]}
            services.record_attendance(
                acting_user=request.user, membership=self.membership, meeting=meeting, statuses=statuses
            )
        return self.object_response(meeting)


class AgendaItemWriteSerializer(GHTModelSerializer):
    meeting = GHTRelatedField(queryset=Meeting.objects.all())
    action = GHTRelatedField(queryset=Action.objects.all(), allow_null=True, required=False)
    filiere = GHTRelatedField(queryset=Filiere.objects.all(), allow_null=True, required=False)

    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "position", "action", "filiere", "text", "etag"]
        read_only_fields = ["position"]


class AgendaMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "Monter"), ("down", "Descendre")])


class AgendaItemFilter(django_filters.FilterSet):
    meeting = IdFilter(field_name="meeting_id")


class AgendaItemViewSet(ReadMixin, CreateMixin, DestroyMixin, GHTScopedViewSet):
    """The agendas of the meetings: everyone reads, who records for the instance (``governance.permissions.can_record``)
    adds, moves and removes items through ``services.add_agenda_item`` & co."""

    doc = (
        "Les points de l'ordre du jour des séances : une action ou une filière du GHT, ou un intitulé libre "
        "(une note peut accompagner l'une ou l'autre). La cellule opérationnelle et les secrétaires de "
        "l'instance les ajoutent (en fin d'ordre du jour), les déplacent et les retirent."
    )
    queryset = AgendaItem.objects.all()
    serializer_class = AgendaItemWriteSerializer
    lookup_url_kwarg = "agenda_item_id"
    write_roles = RECORDER_ROLES
    object_writes = frozenset({"destroy", "move"})
    filterset_class = AgendaItemFilter
    ordering_fields: list[str] = []
    ordering = ["meeting_id", "position", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("meeting__instance")

    def create_object(self, data: dict) -> AgendaItem:
        self.require(can_record(self.membership, data["meeting"].instance))
        return services.add_agenda_item(acting_user=self.request.user, membership=self.membership, **data)

    def check_delete(self, item: AgendaItem) -> None:
        """Who records for the item's instance (a move asks the same)."""
        self.require(can_record(self.membership, item.meeting.instance))

    def delete_object(self, item: AgendaItem) -> None:
        services.remove_agenda_item(acting_user=self.request.user, membership=self.membership, item=item)

    @extend_schema(
        request=AgendaMoveSerializer,
        responses=AgendaItemWriteSerializer,
        description="Monter (`up`) ou descendre (`down`) le point d'un rang ; rien ne bouge en tête ou en fin.",
    )
    @operation(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        self.check_delete(self.get_object())
        with self.locked() as item:
            move = AgendaMoveSerializer(data=request.data)
            move.is_valid(raise_exception=True)
            offset = -1 if move.validated_data["direction"] == "up" else 1
            services.move_agenda_item(acting_user=request.user, membership=self.membership, item=item, offset=offset)
        return self.object_response(item)


class DecisionSerializer(GHTModelSerializer):
    instance = GHTRelatedField(queryset=Instance.objects.all())
    meeting = GHTRelatedField(queryset=Meeting.objects.all(), allow_null=True, required=False)
    actions = GHTRelatedField(queryset=Action.objects.all(), many=True, required=False)

    class Meta:
        model = Decision
        fields = [
            *("id", "instance", "meeting", "decided_on", "kind", "text", "actions", "stage"),
            *("recorded_by", "created_at", "etag"),
        ]
        read_only_fields = ["recorded_by", "created_at"]
        extra_kwargs = {"stage": {"help_text": "L'étape où la décision fait passer ses actions (vide : aucune)."}}


class DecisionFilter(django_filters.FilterSet):
    """The web list's filters (instance, kind, year), and the action concerned."""

    instance = IdFilter(field_name="instance_id")
    kind = django_filters.ChoiceFilter(choices=Decision.Kind.choices)
    year = django_filters.NumberFilter(field_name="decided_on__year", min_value=2000, max_value=2100)
    action = IdFilter(field_name="actions")


class DecisionViewSet(ReadMixin, CreateMixin, GHTScopedViewSet):
    doc = (
        "Les décisions des instances (avis, validations, arbitrages, informations), qui peuvent faire "
        "avancer l'étape des actions concernées. Elles ne se modifient pas une fois enregistrées."
    )
    queryset = Decision.objects.all()
    serializer_class = DecisionSerializer
    lookup_url_kwarg = "decision_id"
    write_roles = RECORDER_ROLES
    filterset_class = DecisionFilter
    ordering_fields = ["decided_on"]
    ordering = ["-decided_on", "-pk"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related(Prefetch("actions", queryset=Action.objects.only("pk")))

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()  # ``?action=`` follows a many-to-many

    def create_object(self, data: dict) -> Decision:
        self.require(can_record(self.membership, data["instance"]))
        return services.record_decision(acting_user=self.request.user, membership=self.membership, **data)


class ProposalViewSet(PilotedMixin, VersionedActionMixin, GHTScopedViewSet):
    """``actions/<id>/propose/``: the filière puts the action forward to the instances."""

    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    lookup_url_kwarg = "action_id"
    action_roles = {"propose": frozenset({Role.OFFICE, Role.PILOT})}
    object_writes = frozenset({"propose"})

    def get_queryset(self):
        return with_representation(super().get_queryset())

    @extend_schema(
        request=None,
        responses=ActionSerializer,
        description=(
            "Proposer l'action aux instances (étape « Proposée »), une première fois ou de nouveau après un "
            "refus ou un ajournement : la cellule opérationnelle, ou un pilote d'une filière de l'action."
        ),
    )
    @operation(detail=True, methods=["post"])
    def propose(self, request, *args, **kwargs):
        action = self.rights_action(self.get_object())
        self.require(can_edit_action(self.membership, action, self.piloted))
        expected = self.expected_version(action)
        with self.stale_as_412(action), transaction.atomic():
            lock_at_version(action, expected)
            proposed = services.propose_action(acting_user=request.user, membership=self.membership, action=action)
        return self.object_response(proposed)


ROUTES = [
    ("instances", InstanceViewSet, "instance"),
    ("instance-members", InstanceMemberViewSet, "instance-member"),
    ("meetings", MeetingViewSet, "meeting"),
    ("agenda-items", AgendaItemViewSet, "agenda-item"),
    ("decisions", DecisionViewSet, "decision"),
    ("actions", ProposalViewSet, "action-proposal"),
]
