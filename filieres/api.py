"""The API of the filières, their pilots and working groups.

Everyone reads (as on the filière page). The office creates and edits a filière, names and removes
its pilots and working-group members; a pilot of the filière edits its description and SWOT (a PATCH
of those fields only). Every write is a ``filieres.services`` function, as for the web forms.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from rest_framework import serializers

from filieres import services
from filieres.forms import SWOT_FIELDS
from filieres.models import Filiere, Pilot, WorkingGroupMember
from filieres.permissions import can_edit_filiere_text
from ght_portal.api.base import CreateMixin, DestroyMixin, GHTScopedViewSet, ReadMixin, UpdateMixin
from ght_portal.api.fields import GHTRelatedField, MemberField
from ght_portal.api.filters import IdFilter
from ght_portal.api.serializers import GHTModelSerializer
from ght_portal.models import Establishment, Role

User = get_user_model()

OFFICE_AND_PILOTS = frozenset({Role.OFFICE, Role.PILOT})
# What a pilot of the filière may change (the web's « Description et analyse » form).
TEXT_FIELDS = frozenset({"description", *SWOT_FIELDS})


class PilotSerializer(GHTModelSerializer):
    filiere = serializers.PrimaryKeyRelatedField(read_only=True)
    user = MemberField(queryset=User.objects.all())
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    establishment = GHTRelatedField(queryset=Establishment.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Pilot
        fields = ["id", "filiere", "user", "full_name", "establishment", "pilot_role", "etag"]


class PilotCreateSerializer(PilotSerializer):
    filiere = GHTRelatedField(queryset=Filiere.objects.all())


class WorkingGroupMemberSerializer(GHTModelSerializer):
    filiere = serializers.PrimaryKeyRelatedField(read_only=True)
    user = MemberField(queryset=User.objects.all())
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    establishment = GHTRelatedField(queryset=Establishment.objects.all(), allow_null=True, required=False)

    class Meta:
        model = WorkingGroupMember
        fields = ["id", "filiere", "user", "full_name", "establishment", "etag"]


class WorkingGroupMemberCreateSerializer(WorkingGroupMemberSerializer):
    filiere = GHTRelatedField(queryset=Filiere.objects.all())


class PersonSerializer(serializers.Serializer):
    """A pilot or a working-group member inside its filière's representation."""

    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    full_name = serializers.CharField(source="user.full_name")
    establishment = serializers.IntegerField(source="establishment_id", allow_null=True)


class PilotInFiliereSerializer(PersonSerializer):
    pilot_role = serializers.ChoiceField(choices=Pilot.PilotRole.choices)


class FiliereSerializer(GHTModelSerializer):
    establishments = GHTRelatedField(queryset=Establishment.objects.all(), many=True, required=False)
    pilots = PilotInFiliereSerializer(many=True, read_only=True)
    working_group = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Filiere
        fields = [
            *("id", "name", "code", "kind", "description", *SWOT_FIELDS, "establishments", "is_active"),
            *("pilots", "working_group", "created_at", "updated_at", "etag"),
        ]
        read_only_fields = ["created_at", "updated_at"]


class FiliereViewSet(ReadMixin, CreateMixin, UpdateMixin, GHTScopedViewSet):
    doc = (
        "Les filières (médicales ou fonctions support) avec leurs pilotes et leur groupe de travail. "
        "La cellule opérationnelle les crée et les modifie ; un pilote de la filière en modifie la "
        "description et l'analyse (forces, faiblesses, opportunités, menaces)."
    )
    queryset = Filiere.objects.all()
    serializer_class = FiliereSerializer
    lookup_url_kwarg = "filiere_id"
    action_roles = {"partial_update": OFFICE_AND_PILOTS}
    filterset_fields = ["kind", "is_active"]
    ordering_fields = ["name", "code"]
    ordering = ["name", "pk"]

    def get_queryset(self):
        people = ("user",)
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "establishments",
                Prefetch("pilots", queryset=Pilot.objects.select_related(*people).order_by("user__full_name", "pk")),
                Prefetch(
                    "working_group",
                    queryset=WorkingGroupMember.objects.select_related(*people).order_by("user__full_name", "pk"),
                ),
            )
        )

    def create_object(self, data: dict) -> Filiere:
        establishments = data.pop("establishments", None)
        filiere = Filiere(ght=self.ght, **data)
        return services.save_filiere(acting_user=self.request.user, filiere=filiere, establishments=establishments)

    def check_write(self, filiere: Filiere, fields: set[str]) -> None:
        if fields <= TEXT_FIELDS:
            self.require(can_edit_filiere_text(self.membership, filiere))
        else:
            self.require(self.membership.is_office)

    def update_object(self, filiere: Filiere, data: dict) -> Filiere:
        establishments = data.pop("establishments", None)
        for name, value in data.items():
            setattr(filiere, name, value)
        return services.save_filiere(acting_user=self.request.user, filiere=filiere, establishments=establishments)


class FiliereChildFilter(django_filters.FilterSet):
    filiere = IdFilter(field_name="filiere_id")


class PeopleViewSet(ReadMixin, CreateMixin, DestroyMixin, GHTScopedViewSet):
    """Pilots and working-group members: everyone reads, the office names and removes them."""

    filterset_class = FiliereChildFilter
    ordering_fields: list[str] = []
    ordering = ["filiere_id", "user__full_name", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("user", "filiere")

    def check_delete(self, person) -> None:
        """The service refuses anyone but the office; the role gate already did (403)."""


class PilotViewSet(PeopleViewSet):
    doc = (
        "Les pilotes des filières. La cellule opérationnelle les désigne et les retire ; un pilote doit "
        "aussi avoir le rôle « Pilote de filière » dans le GHT pour modifier sa filière."
    )
    queryset = Pilot.objects.all()
    serializer_class = PilotSerializer
    create_serializer_class = PilotCreateSerializer
    lookup_url_kwarg = "pilot_id"

    def create_object(self, data: dict) -> Pilot:
        return services.add_pilot(acting_user=self.request.user, **{"establishment": None, **data})

    def delete_object(self, pilot: Pilot) -> None:
        services.remove_pilot(acting_user=self.request.user, pilot=pilot)


class WorkingGroupMemberViewSet(PeopleViewSet):
    doc = "Les membres des groupes de travail des filières : la cellule opérationnelle les gère."
    queryset = WorkingGroupMember.objects.all()
    serializer_class = WorkingGroupMemberSerializer
    create_serializer_class = WorkingGroupMemberCreateSerializer
    lookup_url_kwarg = "working_group_member_id"

    def create_object(self, data: dict) -> WorkingGroupMember:
        return services.add_working_group_member(acting_user=self.request.user, **{"establishment": None, **data})

    def delete_object(self, member: WorkingGroupMember) -> None:
        services.remove_working_group_member(acting_user=self.request.user, member=member)


ROUTES = [
    ("filieres", FiliereViewSet, "filiere"),
    ("pilots", PilotViewSet, "pilot"),
    ("working-group-members", WorkingGroupMemberViewSet, "working-group-member"),
]
