"""Endpoints of the tenancy core: the caller's GHTs, each GHT's establishments and members."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from ght_portal.api.base import GHTScopedViewSet, ReadMixin, refuse_repeated_parameters
from ght_portal.api.errors import NOT_FOUND
from ght_portal.api.serializers import GHTModelSerializer
from ght_portal.models import Establishment, Membership, Role
from ght_portal.tenancy import membership_for, user_memberships


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


class EstablishmentViewSet(ReadMixin, GHTScopedViewSet):
    """The GHT's establishments (support, members, associates, partners): everyone reads."""

    doc = "Les établissements du GHT (support, membres, associés, partenaires) et leurs numéros FINESS."
    queryset = Establishment.objects.all()
    serializer_class = EstablishmentSerializer
    lookup_url_kwarg = "establishment_id"
    filterset_class = EstablishmentFilter
    ordering_fields = ["name", "town"]
    ordering = ["name", "pk"]


class MemberSerializer(GHTModelSerializer):
    user = serializers.IntegerField(source="user_id", help_text="L'identifiant à donner comme responsable, pilote…")
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = Membership
        fields = ["id", "user", "full_name", "role", "etag"]


class MemberFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)


class MemberViewSet(ReadMixin, GHTScopedViewSet):
    """The active members: whom the office and the pilots may name as owner, contributor or pilot (the
    web's forms offer them the same people)."""

    doc = (
        "Les membres actifs du GHT, que la cellule opérationnelle et les pilotes désignent comme responsables, "
        "contributeurs ou pilotes (`user` est l'identifiant à donner)."
    )
    queryset = Membership.objects.all()
    serializer_class = MemberSerializer
    lookup_url_kwarg = "membership_id"
    read_roles = frozenset({Role.OFFICE, Role.PILOT})
    filterset_class = MemberFilter
    ordering_fields: list[str] = []
    ordering = ["user__full_name", "pk"]

    def get_queryset(self):
        return super().get_queryset().active().select_related("user")
