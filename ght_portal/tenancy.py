"""Resolve the GHT once, at the edge, and reach tenant rows only through it.

Every GHT-scoped view uses ``GHTMixin``: the URL's ``ght_slug`` is looked up *together with* the
user's active membership, so "no such GHT" and "not your GHT" give the same 404; a member whose role
may not do the request gets 403. Views then query through ``scoped``/``get_for_ght_or_404``, which
put the GHT inside the query (never "fetch, then compare").
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from ght_portal.models import GHT, Membership, Role

ALL_ROLES = frozenset(Role.values)
OFFICE_ONLY = frozenset({Role.OFFICE})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# ``http_method_names`` of a page that only reads: any other method answers 405.
READ_ONLY_METHODS = ["get", "head", "options"]


def membership_for(user, ght_slug: str) -> Membership | None:
    """The user's active membership of the GHT with this slug, with the GHT loaded; None otherwise."""
    if not user.is_authenticated:
        return None
    return Membership.objects.active().select_related("ght").filter(user=user, ght__slug=ght_slug).first()


def acting_membership(acting_user, ght_id: int) -> Membership | None:
    """The acting user's active membership of the GHT, for a service given a person and a row only."""
    return Membership.objects.active().filter(ght_id=ght_id, user_id=acting_user.pk).first()


def require_acting_member(acting_user, membership: Membership) -> None:
    """Every write of a service starts here: the person acting is this membership's user and the
    membership is active (a deactivated member, or a membership passed for someone else, is refused)."""
    if membership.user_id != acting_user.pk or not membership.is_active:
        raise PermissionDenied


def require_office(acting_user, membership: Membership) -> None:
    """``require_acting_member``, and the membership is the project office's (the GHT's administrator)."""
    require_acting_member(acting_user, membership)
    if not membership.is_office:
        raise PermissionDenied


def user_memberships(user) -> models.QuerySet:
    """The user's active memberships, with their GHTs, by GHT name (home page and GHT switcher)."""
    return Membership.objects.active().filter(user=user).select_related("ght").order_by("ght__name")


def member_users(ght: GHT) -> models.QuerySet:
    """The people with an active membership of ``ght``, by name: the only choices a form may offer
    for an owner, a contributor, a pilot or an instance member."""
    from django.contrib.auth import get_user_model

    members = Membership.objects.active().filter(ght=ght).values("user_id")
    return get_user_model().objects.filter(pk__in=members).order_by("full_name", "pk")


def scoped(model_or_queryset, ght: GHT) -> models.QuerySet:
    """The rows of ``ght`` only: the one entry point for tenant data in views, forms and tasks."""
    queryset = model_or_queryset._default_manager.all() if isinstance(model_or_queryset, type) else model_or_queryset
    return queryset.filter(ght=ght)


def get_for_ght_or_404(model_or_queryset, ght: GHT, **lookup):
    """Fetch one row of ``ght``; another GHT's row is indistinguishable from a missing one (404)."""
    return get_object_or_404(scoped(model_or_queryset, ght), **lookup)


class GHTMixin(LoginRequiredMixin):
    """Gives views ``self.ght`` and ``self.membership``; 404 for non-members, 403 for a forbidden role.

    ``read_roles`` apply to GET/HEAD/OPTIONS, ``write_roles`` to every other method. The URL walk
    test reads these two attributes to know which answer each role must get.
    """

    read_roles: frozenset[str] = ALL_ROLES
    write_roles: frozenset[str] = OFFICE_ONLY

    ght: GHT
    membership: Membership

    def allowed_roles(self, method: str) -> frozenset[str]:
        return self.read_roles if method in SAFE_METHODS else self.write_roles

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = membership_for(request.user, kwargs["ght_slug"])
        if membership is None:
            raise Http404
        membership.user = request.user  # already loaded: the permission helpers read it
        self.ght = membership.ght
        self.membership = membership
        request.ght = membership.ght
        request.membership = membership
        if membership.role not in self.allowed_roles(request.method):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
