"""Who may change what in the plan: the one place where the permission contract is written.

- The project office (role OFFICE) edits everything of its GHT.
- A member with role PILOT edits the objectives and actions of the filières on which they hold the
  django-guardian object permission ``filieres.pilot_filiere`` (granted and removed with the Pilot
  rows by ``filieres.services``). Holding the grant without the PILOT role gives nothing: a pilot
  who is demoted loses their rights at once, without waiting for the grants to be cleaned up.
- The owner of an action (``Action.owner``), with role OWNER or PILOT, edits its follow-up fields
  (status, health, progress, update log, measurements, milestones done).
- Everyone else reads.

The functions are pure (no query) except ``piloted_filiere_ids``; pass its result as ``piloted`` when
checking many rows, so that a list costs one permission query whatever its size. ``followable_actions``
is ``can_update_followup`` as a queryset, for lists filtered in the database.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from guardian.shortcuts import get_objects_for_user

from actions.models import Action, Objective, in_filieres_q
from filieres.models import Filiere
from ght_portal.models import Membership, Role

PILOT_PERMISSION = "filieres.pilot_filiere"
# The roles that may reach a page or resource at all; the functions below then decide per object.
EDITOR_ROLES = frozenset({Role.OFFICE, Role.PILOT})  # can_edit_action, can_edit_objective, can_create_action
FOLLOWUP_ROLES = frozenset({Role.OFFICE, Role.PILOT, Role.OWNER})  # can_update_followup (checkpoint updates too)
FOLLOWUP_OWNER_ROLES = frozenset({Role.OWNER, Role.PILOT})  # an owner with one of these follows their actions


def can_manage_plan(membership: Membership) -> bool:
    """The plan's structure (plans, axes, every objective and action) is the office's."""
    return membership.role == Role.OFFICE


def piloted_filiere_ids(membership: Membership) -> frozenset[int]:
    """Ids of the filières of the membership's GHT that this PILOT member pilots (one query; none for other roles)."""
    if membership.role != Role.PILOT:
        return frozenset()
    filieres = get_objects_for_user(
        membership.user,
        PILOT_PERMISSION,
        klass=Filiere.objects.filter(ght_id=membership.ght_id),
        accept_global_perms=False,
        with_superuser=False,
    )
    return frozenset(filieres.values_list("pk", flat=True))


class PilotedMixin:
    """For a view or an API viewset with ``self.membership``: its piloted filières, read once a request."""

    @cached_property
    def piloted(self) -> frozenset[int]:
        return piloted_filiere_ids(self.membership)


def _piloted(membership: Membership, piloted: Collection[int] | None) -> Collection[int]:
    return piloted_filiere_ids(membership) if piloted is None else piloted


def can_edit_action(membership: Membership, action: Action, piloted: Collection[int] | None = None) -> bool:
    """Every field of the action: the office, or a pilot of one of its filières."""
    if action.ght_id != membership.ght_id:
        return False
    if can_manage_plan(membership):
        return True
    if membership.role != Role.PILOT:
        return False
    return action.in_filieres(_piloted(membership, piloted))


def can_update_followup(membership: Membership, action: Action, piloted: Collection[int] | None = None) -> bool:
    """Status, health, progress and the update log: whoever edits the action, and its owner."""
    if action.ght_id != membership.ght_id:
        return False
    if membership.role in FOLLOWUP_OWNER_ROLES and action.owner_id == membership.user_id:
        return True
    return can_edit_action(membership, action, piloted)


def can_edit_objective(membership: Membership, objective: Objective, piloted: Collection[int] | None = None) -> bool:
    """An objective: the office, or a pilot of the filière that owns it."""
    if objective.ght_id != membership.ght_id:
        return False
    if can_manage_plan(membership):
        return True
    if membership.role != Role.PILOT or objective.filiere_id is None:
        return False
    return objective.filiere_id in _piloted(membership, piloted)


def can_create_action(membership: Membership, piloted: Collection[int] | None = None) -> bool:
    """The office, or a pilot of at least one filière (the new action must then be in one of them)."""
    if can_manage_plan(membership):
        return True
    return membership.role == Role.PILOT and bool(_piloted(membership, piloted))


def followable_actions(membership: Membership, piloted: Collection[int] | None = None) -> QuerySet[Action]:
    """``can_update_followup`` spelled as a query: the actions of the GHT whose follow-up this member
    updates (for lists such as the checkpoint updates a person owes). Meant as a subquery
    (``action__in=…``): the join on the filières may repeat a row."""
    actions = Action.objects.filter(ght_id=membership.ght_id)
    if can_manage_plan(membership):
        return actions
    mine = Q(pk__in=[])
    if membership.role in FOLLOWUP_OWNER_ROLES:
        mine |= Q(owner_id=membership.user_id)
    pilots = set(_piloted(membership, piloted))
    if membership.role == Role.PILOT and pilots:
        mine |= in_filieres_q(pilots)
    return actions.filter(mine)
