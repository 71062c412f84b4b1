"""Services of the checkpoints (points d'étape): open a campaign, submit an update, send it back, close.

Each mutation is atomic, takes the acting user by keyword, checks the permission contract again
(views check it first to answer 403) and raises ``ValidationError`` with a French message when a rule
refuses the change, leaving nothing half-written.

Choices made here (the issue leaves them open):

- A submitted update is final for its author: it applies status, health and progress to the action
  (through ``actions.services.update_followup``, so the action's log and version rule hold) and its
  declared measurements become ``Measurement`` rows. To change it again, the project office sends it
  back with a comment; it can then be corrected and submitted again, until the campaign closes.
  Sending back does not undo what the submission applied to the action (it is in the action's log).
- The scope is fixed at opening: the open actions of the plan (or of the chosen filières) get one
  update each; actions created later are not in the campaign. Closing freezes one snapshot per
  update of the campaign.
- Once closed, a campaign never changes: submissions and send-backs are refused, snapshots are frozen.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actions import services as action_services
from actions.models import CLOSED_STATUSES, Action, ActionStatus, Indicator, Measurement, Plan, is_late
from actions.permissions import can_update_followup
from filieres.models import Filiere
from ght_portal.formats import short_date
from ght_portal.models import Membership
from ght_portal.tenancy import require_acting_member, require_office
from governance.checkpoints.state import ActionState, read_states
from governance.models import Campaign, CheckpointMeasurement, CheckpointUpdate, Snapshot
from governance.tasks import remind_opening


@dataclass(frozen=True)
class DeclaredMeasurement:
    """A new indicator value typed in an update's form."""

    indicator: Indicator
    measured_on: datetime.date
    value: Decimal


def scope_actions(plan: Plan, *, all_filieres: bool, filiere_ids: Collection[int]):
    """The open actions of the plan in the scope: all of them, or those of the filières (directly or
    through their objective's filière, as for the pilots' rights)."""
    queryset = Action.objects.filter(ght_id=plan.ght_id, plan=plan).exclude(status__in=CLOSED_STATUSES)
    if not all_filieres:
        queryset = queryset.in_filieres(filiere_ids)
    return queryset


def _overlapping(plan: Plan, all_filieres: bool, filiere_ids: set[int]) -> Campaign | None:
    """An open campaign of the plan whose scope shares an action family with this one.

    « All » overlaps everything; two filière scopes overlap when they share a filière.
    """
    open_campaigns = Campaign.objects.filter(ght_id=plan.ght_id, plan=plan).open()
    if all_filieres:
        return open_campaigns.first()
    return open_campaigns.filter(Q(all_filieres=True) | Q(filieres__in=filiere_ids)).distinct().first()


@transaction.atomic
def open_campaign(
    *,
    acting_user,
    membership: Membership,
    plan: Plan,
    title: str,
    deadline: datetime.date | None,
    all_filieres: bool,
    filieres: Iterable[Filiere] = (),
) -> Campaign:
    """Open a campaign and give every open action of its scope an update to fill, prefilled with the
    action's current status, health and progress — in a fixed number of queries."""
    require_office(acting_user, membership)
    filieres = list(filieres)
    errors: dict[str, str] = {}
    if plan.ght_id != membership.ght_id:
        errors["plan"] = _("Ce projet n'appartient pas à ce GHT.")
    if any(filiere.ght_id != membership.ght_id for filiere in filieres):
        errors["filieres"] = _("Cet élément n'appartient pas à ce GHT.")
    if not (title or "").strip():
        errors["title"] = _("Donnez un intitulé au point d'étape.")
    if deadline is None:
        errors["deadline"] = _("Indiquez la date limite.")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("La date limite ne peut pas être dans le passé.")
    if not all_filieres and not filieres:
        errors["filieres"] = _("Choisissez au moins une filière, ou toutes les actions ouvertes du projet.")
    if errors:
        raise ValidationError(errors)
    # Openings on the same plan are served one after the other, so two can never overlap.
    plan = Plan.objects.select_for_update().get(pk=plan.pk, ght_id=membership.ght_id)
    filiere_ids = {filiere.pk for filiere in filieres}
    if all_filieres:
        filiere_ids = set()
    if (clash := _overlapping(plan, all_filieres, filiere_ids)) is not None:
        raise ValidationError(
            _(
                "Le point d'étape « %(title)s » est déjà ouvert sur ce périmètre de ce projet : "
                "clôturez-le avant d'en ouvrir un autre."
            )
            % {"title": clash.title}
        )
    rows = list(
        scope_actions(plan, all_filieres=all_filieres, filiere_ids=filiere_ids)
        .values_list("pk", "status", "health", "progress")
        .distinct()
        .order_by("pk")
    )
    if not rows:
        raise ValidationError(_("Aucune action ouverte dans ce périmètre : il n'y a rien à mettre à jour."))
    campaign = Campaign(
        plan=plan,
        ght_id=plan.ght_id,
        title=title.strip(),
        deadline=deadline,
        all_filieres=all_filieres,
        opened_by=acting_user,
    )
    campaign.full_clean()
    campaign.save()
    if filiere_ids:
        campaign.filieres.set(filiere_ids)
    CheckpointUpdate.objects.bulk_create(
        CheckpointUpdate(
            ght_id=plan.ght_id,
            campaign=campaign,
            action_id=pk,
            status=status,
            health=health,
            progress=progress,
        )
        for pk, status, health, progress in rows
    )
    remind_opening(campaign)  # the opening mails go out once this transaction commits
    return campaign


def _lock_update(update: CheckpointUpdate) -> CheckpointUpdate:
    return (
        CheckpointUpdate.objects.select_for_update(of=("self",))
        .select_related("campaign", "action__objective")
        .get(pk=update.pk, ght_id=update.ght_id)
    )


def _refuse_if_closed(campaign: Campaign) -> None:
    if not campaign.is_open:
        raise ValidationError(
            _("Le point d'étape « %(title)s » est clos : cette mise à jour ne peut plus être modifiée ni soumise.")
            % {"title": campaign.title}
        )


def _followup_text(campaign: Campaign, achievements: str, blocking_points: str, next_steps: str) -> str:
    parts = [_("Point d'étape « %(title)s ».") % {"title": campaign.title}]
    for label, value in (
        (_("Réalisations"), achievements),
        (_("Points de blocage"), blocking_points),
        (_("Prochaines étapes"), next_steps),
    ):
        if value:
            parts.append(f"{label} : {value}")
    return "\n".join(parts)


@transaction.atomic
def submit_update(
    *,
    acting_user,
    membership: Membership,
    update: CheckpointUpdate,
    status: str,
    health: str,
    progress: int | None,
    achievements: str = "",
    blocking_points: str = "",
    next_steps: str = "",
    measurements: Iterable[DeclaredMeasurement] = (),
    expected_version: int,
    piloted: Collection[int] | None = None,
) -> CheckpointUpdate:
    """Fill and submit an update (the action's owner, a pilot of its filières, or the office).

    The status, health and progress go to the action through ``update_followup`` (logged, version
    checked: ``StaleActionError`` if the action was saved since the form was opened); each declared
    measurement becomes a ``Measurement`` of the action's indicator.
    """
    require_acting_member(acting_user, membership)
    current = _lock_update(update)
    action = current.action
    if not can_update_followup(membership, action, piloted):
        raise PermissionDenied
    _refuse_if_closed(current.campaign)
    if current.state == CheckpointUpdate.State.SUBMITTED:
        raise ValidationError(
            _(
                "Cette mise à jour est déjà soumise. Pour la modifier, demandez à la cellule opérationnelle "
                "de vous la renvoyer."
            )
        )
    errors: dict[str, str] = {}
    if status not in ActionStatus.values:
        errors["status"] = _("Choisissez un statut.")
    if health not in Action.Health.values:
        errors["health"] = _("Choisissez un état de santé.")
    if progress is None or not 0 <= int(progress) <= 100:
        errors["progress"] = _("L'avancement est un pourcentage entre 0 et 100.")
    measurements = list(measurements)
    today = timezone.localdate()
    indicator_ids = set()
    for declared in measurements:
        if declared.indicator.action_id != action.pk or declared.indicator.ght_id != action.ght_id:
            errors["__all__"] = _("Un des indicateurs n'appartient pas à cette action.")
        elif declared.measured_on > today:
            errors["__all__"] = _("La date d'une mesure ne peut pas être dans le futur (« %(name)s »).") % {
                "name": declared.indicator.name
            }
        elif declared.indicator.pk in indicator_ids:
            errors["__all__"] = _("Une seule nouvelle mesure par indicateur.")
        indicator_ids.add(declared.indicator.pk)
    if errors:
        raise ValidationError(errors)

    achievements, blocking_points, next_steps = (
        (achievements or "").strip(),
        (blocking_points or "").strip(),
        (next_steps or "").strip(),
    )
    action_services.update_followup(
        acting_user=acting_user,
        membership=membership,
        action=action,
        status=status,
        health=health,
        progress=int(progress),
        text=_followup_text(current.campaign, achievements, blocking_points, next_steps),
        expected_version=expected_version,
        piloted=piloted,
    )
    # Measurements: a resubmission (after a send-back) may carry one already recorded: kept as is.
    existing = {
        (row.indicator_id, row.measured_on): row.value
        for row in Measurement.objects.filter(
            ght_id=action.ght_id, indicator_id__in=indicator_ids, measured_on__in={m.measured_on for m in measurements}
        )
    }
    for declared in measurements:
        known = existing.get((declared.indicator.pk, declared.measured_on))
        if known is not None and known == declared.value:
            continue
        if known is not None:
            raise ValidationError(
                _("« %(name)s » a déjà une mesure différente au %(date)s.")
                % {"name": declared.indicator.name, "date": short_date(declared.measured_on)}
            )
        action_services.record_measurement(
            acting_user=acting_user,
            membership=membership,
            indicator=declared.indicator,
            measured_on=declared.measured_on,
            value=declared.value,
            comment=_("Point d'étape « %(title)s »") % {"title": current.campaign.title},
        )
    current.measurements.all().delete()
    CheckpointMeasurement.objects.bulk_create(
        CheckpointMeasurement(
            ght_id=current.ght_id,
            update=current,
            indicator=declared.indicator,
            measured_on=declared.measured_on,
            value=declared.value,
        )
        for declared in measurements
    )
    current.status, current.health, current.progress = status, health, int(progress)
    current.achievements, current.blocking_points, current.next_steps = achievements, blocking_points, next_steps
    current.state = CheckpointUpdate.State.SUBMITTED
    current.submitted_at = timezone.now()
    current.submitted_by = acting_user
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def return_update(*, acting_user, membership: Membership, update: CheckpointUpdate, comment: str) -> CheckpointUpdate:
    """The office sends a submitted update back for completion, with a comment saying what is missing."""
    require_office(acting_user, membership)
    current = _lock_update(update)
    if current.ght_id != membership.ght_id:
        raise PermissionDenied
    _refuse_if_closed(current.campaign)
    if current.state != CheckpointUpdate.State.SUBMITTED:
        raise ValidationError(_("Seule une mise à jour soumise peut être renvoyée."))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Dites ce qu'il faut compléter ou corriger.")})
    current.state = CheckpointUpdate.State.RETURNED
    current.return_comment = comment.strip()
    current.returned_at = timezone.now()
    current.returned_by = acting_user
    current.save(update_fields=["state", "return_comment", "returned_at", "returned_by"])
    return current


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def _snapshot(campaign: Campaign, state: ActionState, update: CheckpointUpdate | None, codes: dict, now) -> Snapshot:
    """One action frozen as the figures read it (``update`` None: outside the campaign's scope)."""
    filiere_ids = sorted(state.filiere_ids, key=lambda pk: codes.get(pk, ""))
    return Snapshot(
        ght_id=campaign.ght_id,
        campaign=campaign,
        action_id=state.pk,
        action_code=state.code,
        action_title=state.title,
        axis_position=state.axis_position,
        axis_title=state.axis_title,
        objective_title=state.objective_title,
        filiere_ids=filiere_ids,
        filiere_codes=[codes.get(pk, "?") for pk in filiere_ids],
        lead_establishment_id=state.lead_establishment_id,
        establishment_ids=sorted(state.establishment_ids),
        in_scope=update is not None,
        owner_name=state.owner_name,
        status=state.status,
        health=state.health,
        progress=state.progress,
        start_date=state.start_date,
        due_date=state.due_date,
        done_on=state.done_on,
        stopped_on=state.stopped_on,
        is_late=is_late(state.due_date, state.status, timezone.localdate(now)),
        achievements=update.achievements if update is not None else "",
        blocking_points=state.blocking_points,
        next_steps=state.next_steps,
        update_state=update.state if update is not None else "",
        indicators=[
            {
                "indicator_id": item.pk,
                "name": item.name,
                "unit": item.unit,
                "baseline": _decimal_text(item.baseline),
                "target": _decimal_text(item.target),
                "target_date": item.target_date.isoformat() if item.target_date else None,
                "value": _decimal_text(item.value),
                "measured_on": item.measured_on.isoformat() if item.measured_on else None,
            }
            for item in state.indicators
        ],
        taken_at=now,
    )


@transaction.atomic
def close_campaign(*, acting_user, membership: Membership, campaign: Campaign) -> Campaign:
    """Close the campaign and freeze every action of its plan as the figures read it, and the filières.

    The actions of the scope carry their update; the others are frozen as they stand, outside the
    scope. A fixed number of queries whatever the number of actions: the lock, the updates, the
    filières, the plan's state (``governance.checkpoints.state``), one bulk insert, the save.
    """
    require_office(acting_user, membership)
    # The plan comes with the lock (its save reads it), the lock on the campaign's row only.
    locked = Campaign.objects.select_related("plan").select_for_update(of=("self",))
    current = locked.get(pk=campaign.pk, ght_id=membership.ght_id)
    if not current.is_open:
        raise ValidationError(_("Ce point d'étape est déjà clos."))
    now = timezone.now()
    updates = {
        update.action_id: update for update in CheckpointUpdate.objects.filter(ght_id=current.ght_id, campaign=current)
    }
    filieres = list(Filiere.objects.filter(ght_id=current.ght_id).order_by("code").values("id", "code", "name", "kind"))
    codes = {filiere["id"]: filiere["code"] for filiere in filieres}
    states = read_states(current.ght_id, Action.objects.filter(plan_id=current.plan_id))
    Snapshot.objects.bulk_create(_snapshot(current, state, updates.get(state.pk), codes, now) for state in states)
    current.status = Campaign.Status.CLOSED
    current.closed_at = now
    current.closed_by = acting_user
    current.frozen_filieres = filieres
    current.save(update_fields=["status", "closed_at", "closed_by", "frozen_filieres"])
    return current
