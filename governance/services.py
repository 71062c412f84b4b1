"""Instances and who sits on them, meetings (séances), decisions, and the path of a project through
the instances (``Action.governance_stage``).

Who writes: the project office, and the secretaries of the instance concerned (a secretary must hold
the GHT role « Direction / membre d'instance », so that the role gate of the pages and this rule
agree). The instance's president reads, like every other member of the GHT: the secretary records
what the president chairs. A stage moves only through ``record_decision`` (a decision of the right
instance) or ``propose_action`` (the filière's own move), both against the one table ``TRANSITIONS``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Action
from actions.permissions import can_edit_action
from filieres.models import Filiere
from ght_portal.models import GHT, Membership, Role
from ght_portal.tenancy import require_acting_member, require_office
from governance.models import AgendaItem, Attendance, Decision, Instance, InstanceMember, Meeting
from governance.permissions import RECORDER_ROLES, can_record, secretary_instance_ids

Stage = Action.GovernanceStage
Seat = InstanceMember.SeatRole

# GHT roles that may record for an instance (the office always; a director when secretary of it).

# The usual instances of a GHT (comité stratégique, CMG and its bureau, CSIRMT, collège, comité des
# usagers…): kind, name, short name, description.
DEFAULT_INSTANCES = [
    (
        Instance.Kind.STRATEGIC,
        "Comité stratégique",
        "Costrat",
        "Décide : valide les projets, arbitre, reçoit la revue annuelle du PMSP.",
    ),
    (
        Instance.Kind.CMG,
        "Commission médicale de groupement",
        "CMG",
        "Propose et rend des avis sur les projets médicaux ; suit régulièrement le PMSP.",
    ),
    (Instance.Kind.CMG_BUREAU, "Bureau de la CMG", "Bureau CMG", "Consulté sur les projets avant l'avis de la CMG."),
    (Instance.Kind.CSIRMT, "CSIRMT de groupement", "CSIRMT", "Rend des avis sur le volet soins des projets."),
    (
        Instance.Kind.COLLEGE,
        "Collège des chefs d'établissement",
        "Collège",
        "Réflexion et concertation, chaque mois ; consulté sur les projets.",
    ),
    (Instance.Kind.USERS, "Comité des usagers", "Usagers", "Consulté et informé."),
]


def decisions_shown(ght: GHT) -> QuerySet:
    """The GHT's decisions as pages and reports list them: instance, meeting and recorder joined,
    the codes of the actions concerned prefetched in code order (one query for them all)."""
    return (
        Decision.objects.filter(ght=ght)
        .select_related("instance", "meeting", "recorded_by")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.only("pk", "code").order_by("code")))
    )


def ensure_default_instances(ght: GHT) -> list[Instance]:
    """Create the usual instances the GHT lacks (by kind; a name already taken is left alone). Idempotent:
    called for each new GHT (post_save of GHT), by ``load_demo``, and mirrored by migration 0002."""
    existing = list(Instance.objects.filter(ght=ght).values_list("kind", "name", "short_name"))
    kinds = {kind for kind, _name, _short in existing}
    names = {name for _kind, name, _short in existing}
    shorts = {short for _kind, _name, short in existing}
    missing = [
        Instance(ght=ght, kind=kind, name=name, short_name=short, description=description, position=position)
        for position, (kind, name, short, description) in enumerate(DEFAULT_INSTANCES, start=1)
        if kind not in kinds and name not in names and short not in shorts
    ]
    return Instance.objects.bulk_create(missing)


# --- The path of a project ---------------------------------------------------------------------------

OPINIONS = frozenset({Decision.Kind.FAVOURABLE, Decision.Kind.UNFAVOURABLE, Decision.Kind.RESERVED})
CONSULTING = frozenset({Instance.Kind.COLLEGE, Instance.Kind.CMG_BUREAU, Instance.Kind.CSIRMT_BUREAU})
CONSULTATIONS = OPINIONS | {Decision.Kind.INFORMATION}
OPINION_GIVERS = frozenset({Instance.Kind.CMG, Instance.Kind.CSIRMT})
DECIDERS = frozenset({Instance.Kind.STRATEGIC})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Transition:
    """``source`` → ``target`` by a decision of one of ``instance_kinds`` whose kind is one of
    ``decision_kinds``; no instance at all means the filière's own move (``propose_action``)."""

    source: str
    target: str
    instance_kinds: frozenset[str]
    decision_kinds: frozenset[str]

    @property
    def by_filiere(self) -> bool:
        return not self.instance_kinds


# filière proposes → collège and bureaux consult → CMG and CSIRMT give their avis → comité stratégique
# decides; a refused or postponed project may go round again (proposed anew, or straight to consultation).
TRANSITIONS: tuple[Transition, ...] = (
    Transition("", Stage.PROPOSED, NOBODY, NOBODY),
    Transition(Stage.REFUSED, Stage.PROPOSED, NOBODY, NOBODY),
    Transition(Stage.POSTPONED, Stage.PROPOSED, NOBODY, NOBODY),
    Transition(Stage.PROPOSED, Stage.CONSULTED, CONSULTING, CONSULTATIONS),
    Transition(Stage.REFUSED, Stage.CONSULTED, CONSULTING, CONSULTATIONS),
    Transition(Stage.POSTPONED, Stage.CONSULTED, CONSULTING, CONSULTATIONS),
    Transition(Stage.CONSULTED, Stage.OPINION, OPINION_GIVERS, OPINIONS),
    Transition(Stage.OPINION, Stage.OPINION, OPINION_GIVERS, OPINIONS),  # the second avis (CMG, then CSIRMT)
    Transition(
        Stage.OPINION, Stage.VALIDATED, DECIDERS, frozenset({Decision.Kind.VALIDATION, Decision.Kind.ARBITRATION})
    ),
    Transition(Stage.OPINION, Stage.REFUSED, DECIDERS, frozenset({Decision.Kind.ARBITRATION})),
    Transition(Stage.OPINION, Stage.POSTPONED, DECIDERS, frozenset({Decision.Kind.ARBITRATION})),
)


def find_transition(source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == source and t.target == target), None)


def stage_label(stage: str) -> str:
    return Stage(stage).label if stage else _("dans le plan, sans passage en instance")


def _labels(choices, values: Iterable[str]) -> str:
    return ", ".join(sorted(str(choices(value).label) for value in values))


def transition_error(action: Action, target: str, instance: Instance | None, kind: str | None) -> str | None:
    """Why this move is refused (a French sentence), or None when the table allows it."""
    source = action.governance_stage
    transition = find_transition(source, target)
    params = {"code": action.code, "source": stage_label(source), "target": stage_label(target)}
    if transition is None:
        return _("%(code)s : le passage de « %(source)s » à « %(target)s » n'est pas prévu.") % params
    if instance is None:
        if not transition.by_filiere:
            return _("%(code)s : le passage à « %(target)s » se fait par une décision d'instance.") % params
        return None
    if transition.by_filiere:
        return _("%(code)s : le passage à « %(target)s » est le fait de la filière, pas d'une instance.") % params
    if instance.kind not in transition.instance_kinds:
        params["instances"] = _labels(Instance.Kind, transition.instance_kinds)
        return _("%(code)s : le passage à « %(target)s » relève de : %(instances)s.") % params
    if kind not in transition.decision_kinds:
        params["kinds"] = _labels(Decision.Kind, transition.decision_kinds)
        return _("%(code)s : le passage à « %(target)s » demande une décision de nature : %(kinds)s.") % params
    return None


# --- Who writes -------------------------------------------------------------------------------------


def _require_recorder(acting_user, membership: Membership, instance: Instance) -> None:
    require_acting_member(acting_user, membership)
    if not can_record(membership, instance):
        raise PermissionDenied


# --- Instances and their members --------------------------------------------------------------------


@transaction.atomic
def save_instance(*, acting_user, membership: Membership, instance: Instance) -> Instance:
    """Create or edit an instance of the office's GHT (name, short name, kind, description)."""
    require_office(acting_user, membership)
    if instance._state.adding:
        instance.ght_id = membership.ght_id
    elif instance.ght_id != membership.ght_id:
        raise PermissionDenied
    instance.full_clean()
    instance.save()
    return instance


def _check_seat(instance: Instance, user, role: str, seat: InstanceMember | None = None) -> None:
    """A seat's holder is an active member of the GHT; a secretary can record (role « Direction »);
    an instance has one president at most. Reads under the instance's row lock."""
    member = Membership.objects.active().filter(ght_id=instance.ght_id, user=user).first()
    if member is None:
        raise ValidationError({"user": _("Cette personne n'est pas membre de ce GHT.")}, code="not_member")
    if role == Seat.SECRETARY and member.role not in RECORDER_ROLES:
        message = _(
            "Un·e secrétaire d'instance doit avoir le rôle « Direction / membre d'instance » ou « Cellule "
            "opérationnelle » dans le GHT ; %(name)s a le rôle « %(role)s »."
        ) % {"name": user, "role": member.get_role_display()}
        raise ValidationError({"role": message}, code="secretary_role")
    if role == Seat.PRESIDENT:
        president = (
            InstanceMember.objects.filter(instance=instance, role=Seat.PRESIDENT)
            .exclude(pk=seat.pk if seat else None)
            .select_related("user")
            .first()
        )
        if president is not None:
            message = _("%(instance)s a déjà un·e président·e (%(name)s) : changez d'abord son rôle.") % {
                "instance": instance.short_name,
                "name": president.user,
            }
            raise ValidationError({"role": message}, code="one_president")


def _lock_instance(instance: Instance) -> Instance:
    return Instance.objects.select_for_update().get(pk=instance.pk, ght_id=instance.ght_id)


@transaction.atomic
def add_instance_member(*, acting_user, membership: Membership, instance: Instance, user, role: str) -> InstanceMember:
    require_office(acting_user, membership)
    if instance.ght_id != membership.ght_id:
        raise PermissionDenied
    instance = _lock_instance(instance)
    if InstanceMember.objects.filter(instance=instance, user=user).exists():
        raise ValidationError({"user": _("Cette personne siège déjà dans cette instance.")}, code="duplicate")
    _check_seat(instance, user, role)
    return InstanceMember.objects.create(instance=instance, user=user, role=role)


@transaction.atomic
def change_instance_member_role(
    *, acting_user, membership: Membership, seat: InstanceMember, role: str
) -> InstanceMember:
    require_office(acting_user, membership)
    if seat.ght_id != membership.ght_id:
        raise PermissionDenied
    _lock_instance(seat.instance)
    _check_seat(seat.instance, seat.user, role, seat=seat)
    seat.role = role
    seat.save(update_fields=["role"])
    return seat


@transaction.atomic
def remove_instance_member(*, acting_user, membership: Membership, seat: InstanceMember) -> None:
    """The seat goes; the person's attendance at past meetings stays."""
    require_office(acting_user, membership)
    if seat.ght_id != membership.ght_id:
        raise PermissionDenied
    seat.delete()


# --- Meetings ---------------------------------------------------------------------------------------


@transaction.atomic
def save_meeting(*, acting_user, membership: Membership, meeting: Meeting) -> Meeting:
    """Create or edit a meeting (date, place or visio link, minutes) of an instance one records for."""
    _require_recorder(acting_user, membership, meeting.instance)
    if not meeting.place.strip() and not meeting.visio_url:
        raise ValidationError({"place": _("Indiquez un lieu ou un lien de visioconférence.")}, code="place_or_visio")
    if meeting._state.adding:
        meeting.created_by = acting_user
    elif not Meeting.objects.filter(pk=meeting.pk, instance_id=meeting.instance_id).exists():
        raise PermissionDenied  # a meeting never moves to another instance
    meeting.inherit_ght()
    meeting.full_clean()
    meeting.save()
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk, ght_id=meeting.ght_id)


@transaction.atomic
def add_agenda_item(
    *,
    acting_user,
    membership: Membership,
    meeting: Meeting,
    action: Action | None = None,
    filiere: Filiere | None = None,
    text: str = "",
) -> AgendaItem:
    """Append an item to the agenda: an action or an active filière of the GHT, or free text (a note may go
    with either)."""
    _require_recorder(acting_user, membership, meeting.instance)
    text = text.strip()
    if action is not None and filiere is not None:
        raise ValidationError(_("Un point de l'ordre du jour porte sur une action ou sur une filière, pas les deux."))
    if action is None and filiere is None and not text:
        raise ValidationError(_("Choisissez une action ou une filière, ou écrivez l'intitulé du point."))
    for related in (action, filiere):
        if related is not None and related.ght_id != meeting.ght_id:
            raise ValidationError(_("Cet élément n'appartient pas à ce GHT."), code="other_ght")
    if filiere is not None and not filiere.is_active:
        raise ValidationError({"filiere": _("Cette filière n'est plus active.")}, code="inactive_filiere")
    meeting = _lock_meeting(meeting)
    last = meeting.agenda.aggregate(last=Max("position"))["last"] or 0
    return AgendaItem.objects.create(meeting=meeting, position=last + 1, action=action, filiere=filiere, text=text)


@transaction.atomic
def move_agenda_item(*, acting_user, membership: Membership, item: AgendaItem, offset: int) -> None:
    """Swap the item with its neighbour above (offset -1) or below (+1); nothing at either end."""
    _require_recorder(acting_user, membership, item.meeting.instance)
    _lock_meeting(item.meeting)
    items = list(AgendaItem.objects.filter(meeting_id=item.meeting_id).order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + offset
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        other.position = position
    AgendaItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def remove_agenda_item(*, acting_user, membership: Membership, item: AgendaItem) -> None:
    _require_recorder(acting_user, membership, item.meeting.instance)
    item.delete()


def attendance_people(meeting: Meeting) -> list:
    """Whom the attendance form lists: the instance's current members, and whoever was already recorded."""
    from django.contrib.auth import get_user_model

    seated = InstanceMember.objects.filter(instance_id=meeting.instance_id).values("user_id")
    recorded = Attendance.objects.filter(meeting=meeting).values("user_id")
    return list(get_user_model().objects.filter(pk__in=seated.union(recorded)).order_by("full_name", "pk"))


@transaction.atomic
def record_attendance(*, acting_user, membership: Membership, meeting: Meeting, statuses: dict[int, str]) -> None:
    """Set each listed person's presence (an empty value removes it); anyone else is refused."""
    _require_recorder(acting_user, membership, meeting.instance)
    meeting = _lock_meeting(meeting)
    allowed = {user.pk for user in attendance_people(meeting)}
    strangers = set(statuses) - allowed
    if strangers:
        raise ValidationError(_("Seuls les membres de l'instance peuvent figurer dans la feuille de présence."))
    if any(status and status not in Attendance.Status.values for status in statuses.values()):
        raise ValidationError(_("Présence inconnue."))
    cleared = [user_id for user_id, status in statuses.items() if not status]
    Attendance.objects.filter(meeting=meeting, user_id__in=cleared).delete()
    rows = [
        Attendance(ght_id=meeting.ght_id, meeting=meeting, user_id=user_id, status=status)
        for user_id, status in statuses.items()
        if status
    ]
    Attendance.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["meeting", "user"], update_fields=["status"]
    )


# --- Decisions and stages ---------------------------------------------------------------------------


@transaction.atomic
def record_decision(
    *,
    acting_user,
    membership: Membership,
    instance: Instance,
    decided_on: datetime.date,
    kind: str,
    text: str,
    meeting: Meeting | None = None,
    actions: Iterable[Action] = (),
    stage: str = "",
) -> Decision:
    """Record a decision of ``instance`` and, when ``stage`` is given, move every action it concerns to
    that stage — both or neither. Each move must be in ``TRANSITIONS`` for this instance and kind."""
    _require_recorder(acting_user, membership, instance)
    actions = list(actions)
    errors: dict[str, list[str]] = {}
    if meeting is not None and (meeting.instance_id != instance.pk or meeting.ght_id != instance.ght_id):
        errors.setdefault("meeting", []).append(
            _("Cette séance n'est pas une séance de l'instance « %(name)s ».") % {"name": instance.short_name}
        )
    if decided_on > timezone.localdate():
        errors.setdefault("decided_on", []).append(_("Une décision ne peut pas être datée dans le futur."))
    if any(action.ght_id != instance.ght_id for action in actions):
        errors.setdefault("actions", []).append(_("Une des actions choisies n'appartient pas à ce GHT."))
    if stage and stage not in Stage.values:
        errors.setdefault("stage", []).append(_("Étape inconnue."))
    locked: list[Action] = []
    if stage and "actions" not in errors and "stage" not in errors:
        if not actions:
            errors.setdefault("actions", []).append(_("Choisissez les actions dont l'étape change."))
        # Lock the actions and read their stage afresh: two decisions at once cannot both move them.
        locked = list(
            Action.objects.select_for_update()
            .filter(ght_id=instance.ght_id, pk__in=[a.pk for a in actions])
            .order_by("code")
        )
        for action in locked:
            if message := transition_error(action, stage, instance, kind):
                errors.setdefault("stage", []).append(message)
    if errors:
        raise ValidationError(errors)
    decision = Decision(
        instance=instance,
        meeting=meeting,
        decided_on=decided_on,
        kind=kind,
        text=text,
        stage=stage,
        recorded_by=acting_user,
    )
    decision.inherit_ght()
    decision.full_clean()
    decision.save()
    decision.actions.set(actions)
    for action in locked:
        action.governance_stage = stage
        action._history_user = acting_user
        action.save(update_fields=["governance_stage", "updated_at"])
    return decision


@transaction.atomic
def propose_action(*, acting_user, membership: Membership, action: Action) -> Action:
    """The filière's move: put the action forward to the instances (first time, or again after a refusal
    or a postponement). The office, or a pilot of one of the action's filières."""
    require_acting_member(acting_user, membership)
    if not can_edit_action(membership, action):
        raise PermissionDenied
    current = Action.objects.select_for_update().get(pk=action.pk, ght_id=membership.ght_id)
    if message := transition_error(current, Stage.PROPOSED, None, None):
        raise ValidationError(message, code="transition")
    current.governance_stage = Stage.PROPOSED
    current._history_user = acting_user
    current.save(update_fields=["governance_stage", "updated_at"])
    return current


def action_governance(membership: Membership, action: Action, *, can_edit: bool) -> dict:
    """What the action page shows of the action's path: its decisions (one query), whether this member
    may propose it (``can_edit``: the office or a pilot of its filière) or record a decision about it."""
    decisions = list(
        action.governance_decisions.filter(ght_id=action.ght_id)
        .select_related("instance", "meeting")
        .order_by("decided_on", "id")
    )
    proposable = find_transition(action.governance_stage, Stage.PROPOSED) is not None
    recorder = membership.role == Role.OFFICE or bool(secretary_instance_ids(membership))
    return {
        "governance_decisions": decisions,
        "can_propose": can_edit and proposable,
        "can_record_decision": recorder,
    }
