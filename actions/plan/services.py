"""Mutations of the plan's structure — plans, axes, objectives — for the web's forms and the API alike.

Each is atomic, takes the acting user by keyword, checks the permission contract (``actions.permissions``:
the office writes the structure, a pilot the objectives of their filière, without moving them) and
raises ``ValidationError`` with a French message, by field, when a rule refuses the change. A unique
rule broken by a concurrent request between the check and the insert gives the same message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from actions.models import Axis, Objective, Plan
from actions.permissions import can_edit_objective, can_manage_plan
from ght_portal.models import Membership
from ght_portal.tenancy import require_acting_member, require_office

# What a pilot of the objective's filière may change in it (the rest is the office's).
OBJECTIVE_TEXT_FIELDS = frozenset({"position", "code", "title", "description"})


def _save(row, acting_user, race: dict | None = None) -> None:
    """Validate the whole row (French messages of the model), then save it, its history naming
    ``acting_user``; ``race`` is the refusal of a unique rule that a concurrent request broke after the check."""
    row.full_clean()
    row._history_user = acting_user
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        if race is None:
            raise
        raise ValidationError(race) from error


@transaction.atomic
def save_plan(*, acting_user, membership: Membership, plan: Plan) -> Plan:
    """Create or edit a plan of the office's GHT; at most one plan of a GHT is in force."""
    require_office(acting_user, membership)
    if plan._state.adding:
        plan.ght_id = membership.ght_id
    elif not Plan.objects.filter(pk=plan.pk, ght_id=membership.ght_id).exists():
        raise PermissionDenied
    if plan.status == Plan.Status.ACTIVE:
        current = Plan.objects.filter(ght_id=plan.ght_id, status=Plan.Status.ACTIVE).exclude(pk=plan.pk).first()
        if current is not None:
            message = _("Un autre projet est déjà en vigueur dans ce GHT (« %(title)s ») ; archivez-le d'abord.")
            raise ValidationError({"status": message % {"title": current.title}})
    _save(plan, acting_user, {"status": _("Un autre projet est déjà en vigueur dans ce GHT ; archivez-le d'abord.")})
    return plan


@transaction.atomic
def save_axis(*, acting_user, membership: Membership, axis: Axis) -> Axis:
    """Create or edit an axis of a plan of the office's GHT; each rank once per plan."""
    require_office(acting_user, membership)
    if axis.plan.ght_id != membership.ght_id:
        raise PermissionDenied
    if not axis._state.adding and not Axis.objects.filter(pk=axis.pk, plan_id=axis.plan_id).exists():
        raise PermissionDenied  # an axis stays in its plan
    taken = {"position": _("Ce rang est déjà pris dans ce projet.")}
    if Axis.objects.filter(plan_id=axis.plan_id, position=axis.position).exclude(pk=axis.pk).exists():
        raise ValidationError(taken)
    axis.inherit_ght()
    _save(axis, acting_user, taken)
    return axis


@transaction.atomic
def save_objective(*, acting_user, membership: Membership, objective: Objective) -> Objective:
    """Create an objective (office) or edit one: the office anything, within its plan; a pilot of its
    filière its wording and rank, never its axis or its filière."""
    require_acting_member(acting_user, membership)
    if objective.axis.ght_id != membership.ght_id:
        raise PermissionDenied
    if objective._state.adding:
        if not can_manage_plan(membership):
            raise PermissionDenied
    else:
        stored = Objective.objects.select_related("axis").get(pk=objective.pk, ght_id=membership.ght_id)
        if not can_edit_objective(membership, stored):
            raise PermissionDenied
        moved = (objective.axis_id, objective.filiere_id) != (stored.axis_id, stored.filiere_id)
        if moved and not can_manage_plan(membership):
            raise PermissionDenied(_("Seule la cellule opérationnelle change l'axe ou la filière d'un objectif."))
        if objective.axis.plan_id != stored.axis.plan_id:
            raise ValidationError({"axis": _("Un objectif reste dans son projet : choisissez un axe de ce projet.")})
    objective.inherit_ght()
    _save(objective, acting_user)
    return objective
