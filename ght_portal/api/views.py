"""Endpoints of the tenancy core: the caller's GHTs, each GHT's establishments, members and invitations."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action as operation
from rest_framework.response import Response

from ght_portal import services
from ght_portal.api.base import (
    CreateMixin,
    DestroyMixin,
    GHTScopedViewSet,
    ReadMixin,
    UpdateMixin,
    refuse_repeated_parameters,
)
from ght_portal.api.errors import NOT_FOUND
from ght_portal.api.serializers import GHTModelSerializer
from ght_portal.models import Establishment, Invitation, Membership, Role
from ght_portal.tenancy import OFFICE_ONLY, membership_for, user_memberships


class GHTSerializer(serializers.ModelSerializer):
    """A GHT as one of its members sees it (from the membership: the GHT and the caller's role)."""

    slug = serializers.SlugField(source="ght.slug")
    name = serializers.CharField(source="ght.name")
    short_name = serializers.CharField(source="ght.short_name")
    region = serializers.CharField(source="ght.region")
    departements = serializers.ListField(child=serializers.CharField(), source="ght.departements")
    role = serializers.ChoiceField(choices=Role.choices, help_text="Votre rôle dans ce GHT.")

    class Meta:
        model = Membership
        fields = ["slug", "name", "short_name", "region", "departements", "role"]


class GHTViewSet(viewsets.GenericViewSet):
    """The GHTs the caller belongs to (any other GHT is 404, like a missing one)."""

    doc = "Les GHT dont vous êtes membre, avec votre rôle dans chacun ; un autre GHT répond 404."
    serializer_class = GHTSerializer
    queryset = Membership.objects.none()
    lookup_url_kwarg = "ght_slug"
    lookup_value_converter = "slug"
    http_method_names = ["get", "head"]
    filter_backends: list = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_repeated_parameters(request)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(user_memberships(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        membership = membership_for(request.user, kwargs["ght_slug"])
        if membership is None:
            raise exceptions.NotFound(NOT_FOUND)
        return Response(self.get_serializer(membership).data)


class EstablishmentSerializer(GHTModelSerializer):
    class Meta:
        model = Establishment
        fields = [
            "id",
            "name",
            "kind",
            "town",
            "role",
            "finess_juridique",
            "finess_geographique",
            "is_active",
            "etag",
        ]


class EstablishmentFilter(filters.FilterSet):
    class Meta:
        model = Establishment
        fields = ["role", "kind", "is_active"]


class EstablishmentViewSet(ReadMixin, CreateMixin, UpdateMixin, GHTScopedViewSet):
    """The GHT's establishments: everyone reads; the office creates and edits them through
    ``services.save_establishment`` (the web form's rules)."""

    doc = (
        "Les établissements du GHT (support, membres, associés, partenaires) et leurs numéros FINESS. La "
        "cellule opérationnelle les crée et les modifie : un nom et un FINESS géographique par GHT, un seul "
        "établissement support."
    )
    queryset = Establishment.objects.all()
    serializer_class = EstablishmentSerializer
    lookup_url_kwarg = "establishment_id"
    filterset_class = EstablishmentFilter
    ordering_fields = ["name", "town"]
    ordering = ["name", "pk"]

    def create_object(self, data: dict) -> Establishment:
        establishment = Establishment(ght=self.ght, **data)
        return services.save_establishment(acting_user=self.request.user, ght=self.ght, establishment=establishment)

    def check_write(self, establishment: Establishment, fields: set[str]) -> None:
        """The office only: the role gate said so already."""

    def update_object(self, establishment: Establishment, data: dict) -> Establishment:
        for name, value in data.items():
            setattr(establishment, name, value)
        return services.save_establishment(acting_user=self.request.user, ght=self.ght, establishment=establishment)


class MemberSerializer(GHTModelSerializer):
    user = serializers.IntegerField(
        source="user_id", read_only=True, help_text="L'identifiant à donner comme responsable, pilote…"
    )
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    is_active = serializers.BooleanField(
        required=False, help_text="Faux : l'accès à ce GHT est désactivé (la personne garde ses autres GHT)."
    )

    class Meta:
        model = Membership
        fields = ["id", "user", "full_name", "role", "is_active", "etag"]


class MemberFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)
    is_active = filters.BooleanFilter(help_text="Sans ce filtre : les membres actifs.")


class MemberViewSet(ReadMixin, UpdateMixin, GHTScopedViewSet):
    """The active members: whom the office and the pilots may name as owner, contributor or pilot (the
    web's forms offer them the same people). The office also sees the deactivated ones, and changes a
    member's role or access as on the web's member list (``services.change_member_role``,
    ``services.set_membership_active``: the last office member stays, nobody deactivates themself)."""

    doc = (
        "Les membres actifs du GHT, que la cellule opérationnelle et les pilotes désignent comme responsables, "
        "contributeurs ou pilotes (`user` est l'identifiant à donner). La cellule opérationnelle voit aussi "
        "les accès désactivés (`is_active=false`), change le rôle d'un membre et active ou désactive son accès ; "
        "le GHT garde toujours au moins une personne active dans la cellule opérationnelle."
    )
    queryset = Membership.objects.all()
    serializer_class = MemberSerializer
    lookup_url_kwarg = "membership_id"
    read_roles = frozenset({Role.OFFICE, Role.PILOT})
    filterset_class = MemberFilter
    ordering_fields: list[str] = []
    ordering = ["user__full_name", "pk"]

    def get_queryset(self):
        queryset = super().get_queryset().select_related("user")
        if getattr(self, "swagger_fake_view", False) or self.membership.is_office:
            return queryset
        return queryset.active()

    def list_queryset(self):
        queryset = self.get_queryset()
        return queryset if "is_active" in self.request.query_params else queryset.active()

    def check_write(self, membership: Membership, fields: set[str]) -> None:
        """The office only: the role gate said so already."""

    def update_object(self, membership: Membership, data: dict) -> Membership:
        user = self.request.user
        if "role" in data:
            membership = services.change_member_role(acting_user=user, membership=membership, role=data["role"])
        if "is_active" in data:
            membership = services.set_membership_active(
                acting_user=user, membership=membership, active=data["is_active"]
            )
        return membership


class InvitationSerializer(GHTModelSerializer):
    invited_by = serializers.IntegerField(source="invited_by_id", read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "full_name", "role", "invited_by", "created_at", "expires_at", "etag"]
        read_only_fields = ["created_at", "expires_at"]


class InvitationViewSet(ReadMixin, CreateMixin, DestroyMixin, GHTScopedViewSet):
    """Open invitations (the office, as on the web's member list): invite through ``services.invite_member``
    (the same mail, sent once the transaction commits), send a new link or cancel one
    (``services.resend_invitation``, ``services.revoke_invitation``)."""

    doc = (
        "Les invitations en attente. La cellule opérationnelle invite une personne (elle reçoit par e-mail "
        "un lien personnel pour rejoindre le GHT avec le rôle choisi), la renvoie ou l'annule."
    )
    queryset = Invitation.objects.all()
    serializer_class = InvitationSerializer
    lookup_url_kwarg = "invitation_id"
    read_roles = OFFICE_ONLY
    filterset_fields = ["role"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]

    object_writes = frozenset({"destroy", "resend"})

    def get_queryset(self):
        return super().get_queryset().open()

    @extend_schema(
        request=None,
        responses=InvitationSerializer,
        description="Renvoyer l'invitation : un nouveau lien, valable quelques jours (l'ancien ne sert plus).",
    )
    @operation(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        with self.locked() as invitation:
            resent = services.resend_invitation(acting_user=request.user, invitation=invitation)
        return self.object_response(resent)

    def create_object(self, data: dict) -> Invitation:
        return services.invite_member(acting_user=self.request.user, ght=self.ght, **data)

    def check_delete(self, invitation: Invitation) -> None:
        """The office only: the role gate said so already."""

    def delete_object(self, invitation: Invitation) -> None:
        services.revoke_invitation(acting_user=self.request.user, invitation=invitation)
