"""The base of every page about one action: the action fetched inside the GHT, the object-level check."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from actions.models import Action
from actions.permissions import PilotedMixin
from ght_portal.tenancy import GHTMixin, get_for_ght_or_404


class ActionPermissionMixin(PilotedMixin, GHTMixin):
    """Object-level checks on top of the role checks of GHTMixin (PermissionDenied → 403)."""

    def get_action(self, queryset=None) -> Action:
        queryset = queryset if queryset is not None else Action.objects.all()
        queryset = queryset.select_related("objective", "plan", "owner").prefetch_related("filieres")
        return get_for_ght_or_404(queryset, self.ght, pk=self.kwargs["action_id"])

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied
