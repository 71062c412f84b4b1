"""The base of every endpoint under ``/api/v1/ghts/<ght_slug>/``: the same rules as ``GHTMixin``.

- The GHT is resolved once, from the URL, with the web's ``membership_for``: not a member → 404.
- ``read_roles`` / ``write_roles`` (and ``action_roles`` for named operations) say which roles may
  call; another role gets 403, and so does any write made with a read-only token. The API URL walk
  (tests/test_api_url_walk.py) reads ``allowed_roles`` to know which answer each role must get.
- Objects are fetched through ``get_for_ght_or_404`` (another GHT's id → 404); object-level rights are
  the app's permission functions (``actions.permissions``…), checked by each viewset (403).
- Writes to an existing object need ``If-Match`` (428 without); ``locked`` compares it with the current
  ETag under a row lock (412 when stale) and runs the write in the same transaction.
- Every write goes through the app's service function, as the web forms do.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response

from ght_portal.api.authentication import is_read_only
from ght_portal.api.errors import NOT_FOUND, PreconditionFailed, PreconditionRequired
from ght_portal.api.etags import parse_if_match
from ght_portal.models import GHT, Membership
from ght_portal.tenancy import ALL_ROLES, OFFICE_ONLY, SAFE_METHODS, get_for_ght_or_404, membership_for, scoped

ROLE_REFUSED = _("Votre rôle dans ce GHT ne permet pas cette opération.")
READ_ONLY_TOKEN = _("Ce jeton est en lecture seule : il ne permet aucune modification.")
REPEATED = _("Ce paramètre ne se donne qu'une fois.")
OBJECT_REFUSED = _("Vous n'avez pas le droit de modifier cet élément.")
BAD_IF_MATCH = _(
    "L'en-tête If-Match doit contenir l'ETag de l'objet tel que vous l'avez lu, entre guillemets ; "
    "« * » n'est pas accepté."
)


def refuse_repeated_parameters(request) -> None:
    """Every parameter of the API is given once: ``?status=a&status=b`` is a mistake, not a choice (400)."""
    repeated = [name for name, values in request.query_params.lists() if len(values) > 1]
    if repeated:
        raise exceptions.ValidationError({name: [REPEATED] for name in repeated})


class GHTScopedViewSet(viewsets.GenericViewSet):
    read_roles: frozenset[str] = ALL_ROLES
    write_roles: frozenset[str] = OFFICE_ONLY
    # Roles of named operations (e.g. {"followup": FOLLOWUP_ROLES}), whatever their method.
    action_roles: dict[str, frozenset[str]] = {}
    # Operations that change an existing object: they need If-Match (documented in the schema).
    object_writes: frozenset[str] = frozenset({"partial_update", "destroy"})
    lookup_value_converter = "int"
    # The request body of ``create`` when it differs from the representation (e.g. a parent to choose).
    create_serializer_class = None
    # The operation's description in the schema, in French (the docstrings are for developers).
    doc = ""
    http_method_names = ["get", "post", "patch", "delete", "head"]  # PATCH for updates, no PUT

    ght: GHT
    membership: Membership

    # --- Tenancy and roles ------------------------------------------------------------------------

    def allowed_roles(self, action: str | None, method: str) -> frozenset[str]:
        if action in self.action_roles:
            return self.action_roles[action]
        return self.read_roles if method in SAFE_METHODS else self.write_roles

    def is_object_write(self, action: str | None) -> bool:
        return action in self.object_writes

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication (401) and throttling (429)
        refuse_repeated_parameters(request)
        membership = membership_for(request.user, kwargs["ght_slug"])
        if membership is None:
            raise exceptions.NotFound(NOT_FOUND)
        membership.user = request.user  # already loaded: the permission helpers read it
        self.ght, self.membership = membership.ght, membership
        if self.action is None:
            return  # a method this URL does not serve: 405 follows
        if membership.role not in self.allowed_roles(self.action, request.method):
            raise exceptions.PermissionDenied(ROLE_REFUSED)
        if request.method not in SAFE_METHODS and is_read_only(request.auth):
            raise exceptions.PermissionDenied(READ_ONLY_TOKEN)

    def require(self, allowed: bool, message=OBJECT_REFUSED) -> None:
        if not allowed:
            raise exceptions.PermissionDenied(message)

    def get_serializer_class(self):
        if self.action == "create" and self.create_serializer_class is not None:
            return self.create_serializer_class
        return super().get_serializer_class()

    def filterset_kwargs(self) -> dict:
        """Extra arguments of the view's FilterSet (the action list's needs the GHT)."""
        return {}

    # --- Querysets and objects --------------------------------------------------------------------

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no GHT
            return self.queryset.none()
        return scoped(self.queryset.all(), self.ght)

    def list_queryset(self):
        """The rows the list shows; narrower than ``get_queryset`` where the web shows each person less."""
        return self.get_queryset()

    def get_object(self, queryset=None):
        """The URL's object of this GHT (404 otherwise), unfiltered by the list's query parameters."""
        queryset = self.get_queryset() if queryset is None else queryset
        return get_for_ght_or_404(queryset, self.ght, pk=self.kwargs[self.lookup_url_kwarg])

    def object_response(self, obj, status_code=status.HTTP_200_OK) -> Response:
        """The object as it now stands (read again with the list's annotations), with its ETag."""
        fresh = get_for_ght_or_404(self.get_queryset(), self.ght, pk=obj.pk)
        data = self.get_serializer(fresh).data
        headers = {"ETag": data["etag"]}
        if status_code == status.HTTP_201_CREATED:
            with suppress(NoReverseMatch):  # a resource without a page of its own has no Location
                headers["Location"] = reverse(
                    f"api:{self.basename}-detail", kwargs={"ght_slug": self.ght.slug, self.lookup_url_kwarg: fresh.pk}
                )
        return Response(data, status=status_code, headers=headers)

    # --- Conditional writes -----------------------------------------------------------------------

    def if_match(self) -> list[str]:
        """The ETags of the request's If-Match; 428 when it is missing or names none."""
        header = self.request.headers.get("If-Match", "").strip()
        if not header:
            raise PreconditionRequired()
        tags = parse_if_match(header)
        if not tags:
            raise PreconditionRequired(BAD_IF_MATCH)
        return tags

    def current_etag(self, obj) -> str:
        return self.get_serializer(obj).data["etag"]

    @contextmanager
    def locked(self):
        """The URL's object, locked for a transaction that holds the write: 412 unless the If-Match sent
        names its current ETag, so that a stale write changes nothing. Another GHT's object is 404 first."""
        self.get_object()
        tags = self.if_match()
        with transaction.atomic():
            current = self.get_object(self.get_queryset().select_for_update(of=("self",)))
            etag = self.current_etag(current)
            if etag not in tags:
                raise PreconditionFailed(etag=etag)
            yield current

    def fields_sent(self) -> set[str]:
        return set(self.request.data) if isinstance(self.request.data, dict) else set()


class ReadMixin:
    """``list`` (paginated, filtered, sorted) and ``retrieve`` (with its ETag header)."""

    def check_read(self, obj) -> None:
        """Object-level read rule, where the web has one (403)."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.list_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self.check_read(obj)
        data = self.get_serializer(obj).data
        return Response(data, headers={"ETag": data["etag"]})


class CreateMixin:
    """``create``: the role's right to create at all (403), validation (400), then ``create_object``:
    the rights on the chosen parent (403) and the app's service."""

    def check_create(self) -> None:
        """Refuse (403) before validation a member who may create nothing here (the web's page gate)."""

    def create_object(self, data: dict):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        self.check_create()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.object_response(self.create_object(serializer.validated_data), status.HTTP_201_CREATED)


class UpdateMixin:
    """``partial_update`` (PATCH): rights (403), If-Match (428, 412), validation (400), the service."""

    def check_write(self, obj, fields: set[str]) -> None:
        raise NotImplementedError

    def update_object(self, obj, data: dict):
        raise NotImplementedError

    def partial_update(self, request, *args, **kwargs):
        self.check_write(self.get_object(), self.fields_sent())
        with self.locked() as current:
            serializer = self.get_serializer(current, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            updated = self.update_object(current, serializer.validated_data)
        return self.object_response(updated)


class DestroyMixin:
    """``destroy`` (DELETE): rights (403), If-Match (428, 412), the service; 204."""

    def check_delete(self, obj) -> None:
        raise NotImplementedError

    def delete_object(self, obj) -> None:
        raise NotImplementedError

    def destroy(self, request, *args, **kwargs):
        self.check_delete(self.get_object())
        with self.locked() as current:
            self.delete_object(current)
        return Response(status=status.HTTP_204_NO_CONTENT)
