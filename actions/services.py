"""Mutations of the plan's actions, and the reading of their history.

Each mutation is atomic, takes the acting user by keyword, checks the permission contract again
(``actions.permissions``; views check it first to answer 403), and raises ``ValidationError`` with a
French message when a rule refuses the change, leaving nothing half-written.

No lost updates: every edit carries the ``version`` the person saw. The row is locked
(``select_for_update``) and its version compared; a stale edit raises ``StaleActionError``, whose
message says who changed what since then (read from django-simple-history), and nothing is written.
``Action.save()`` moves the version on for every save of an existing action, whoever makes it.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from actions.models import Action, ActionUpdate, Objective, Plan
from actions.permissions import can_create_action, can_edit_action, can_update_followup, piloted_filiere_ids
from ght_portal.models import Establishment, Membership

User = get_user_model()

# Fields of an action that its edit form sets (the many-to-many ones are set after the save).
EDIT_FIELDS = (
    "objective",
    "code",
    "title",
    "description",
    "lead_establishment",
    "owner",
    "priority",
    "start_date",
    "due_date",
    "status",
    "health",
    "progress",
    "prs_references",
    "funding_source",
    "funding_amount",
)
M2M_FIELDS = ("filieres", "establishments", "contributors")
FOLLOWUP_FIELDS = ("status", "health", "progress")
# Bookkeeping columns that the history does not show.
HISTORY_EXCLUDED = ["id", "ght", "version", "created_at", "updated_at"]


# --- History ---------------------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    created: bool = False
    changes: list[FieldChange] = field(default_factory=list)


def _display(model_field, value, names: dict) -> str:
    """A stored value as a person reads it: choice labels, names instead of ids, French dates."""
    if value is None or value == "" or value == []:
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return names.get((model_field.name, value), f"#{value}")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, datetime.date | Decimal):
        return formats.localize(value)
    return Truncator(str(value)).chars(160)


FK_SOURCES = {
    "objective": lambda ght_id: Objective.objects.filter(ght_id=ght_id),
    "lead_establishment": lambda ght_id: Establishment.objects.filter(ght_id=ght_id),
    "owner": lambda ght_id: User.objects.all(),
    "plan": lambda ght_id: Plan.objects.filter(ght_id=ght_id),
}


def _related_names(ght_id: int, wanted: dict[str, set]) -> dict:
    """Names of the objectives, establishments and people that changes point to: one query per kind."""
    names = {}
    for name, ids in wanted.items():
        ids.discard(None)
        if ids:
            names.update({(name, row.pk): str(row) for row in FK_SOURCES[name](ght_id).filter(pk__in=ids)})
    return names


def history_entries(ght_id: int, records: Iterable) -> list[HistoryEntry]:
    """Turn consecutive historical records (oldest first) into "who changed which field from what to what".

    The first record is the baseline: it becomes a "created" entry only if it is the creation.
    Names of related rows are fetched once for all the changes (a fixed number of queries).
    """
    records = list(records)
    raw = []
    wanted: dict[str, set] = {name: set() for name in FK_SOURCES}
    for previous, record in zip([None, *records], records, strict=False):
        who = str(record.history_user) if record.history_user_id else _("Import ou système")
        if previous is None:
            if record.history_type == "+":
                raw.append((record, who, True, []))
            continue
        changes = record.diff_against(previous, excluded_fields=HISTORY_EXCLUDED).changes
        for change in changes:
            if change.field in wanted:
                wanted[change.field].update({change.old, change.new})
        if changes:
            raw.append((record, who, False, changes))
    names = _related_names(ght_id, wanted)
    entries = []
    for record, who, created, changes in raw:
        entry = HistoryEntry(when=record.history_date, who=who, created=created)
        for change in changes:
            model_field = Action._meta.get_field(change.field)
            entry.changes.append(
                FieldChange(
                    label=str(model_field.verbose_name).capitalize(),
                    old=_display(model_field, change.old, names),
                    new=_display(model_field, change.new, names),
                )
            )
        entries.append(entry)
    return entries


def action_history(action: Action) -> list[HistoryEntry]:
    """The whole history of an action, newest first."""
    records = action.history.select_related("history_user").order_by("history_date", "history_id")
    return list(reversed(history_entries(action.ght_id, records)))


def changes_since(action: Action, version: int) -> list[HistoryEntry]:
    """What was changed after the person loaded ``version`` of the action, oldest first."""
    records = (
        action.history.filter(version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    records = list(records)
    # Keep only the last record of the version the person saw, as the baseline for the diff.
    seen = [index for index, record in enumerate(records) if record.version == version]
    if seen:
        records = records[seen[-1] :]
    return history_entries(action.ght_id, records)


class StaleActionError(ValidationError):
    """Someone saved the action after the person opened it; ``changes`` says who changed what."""

    def __init__(self, action: Action, expected_version: int):
        self.current_version = action.version
        self.changes = changes_since(action, expected_version)
        super().__init__(self.describe(), code="stale")

    def describe(self) -> str:
        parts = []
        for entry in self.changes:
            when = formats.date_format(timezone.localtime(entry.when), "j F Y à H:i")
            detail = " ; ".join(f"{c.label} : {c.old} → {c.new}" for c in entry.changes) or _("modification")
            parts.append(_("%(who)s, le %(when)s — %(detail)s") % {"who": entry.who, "when": when, "detail": detail})
        changed = " / ".join(parts) if parts else _("détail indisponible")
        return _(
            "Cette action a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte : %(changes)s. "
            "Vos modifications n'ont pas été enregistrées. Vérifiez-les au regard de ces changements, "
            "puis enregistrez de nouveau."
        ) % {"changes": changed}


# --- Checks shared by the mutations ----------------------------------------------------------------


def _check_membership(acting_user, membership: Membership) -> None:
    if membership.user_id != acting_user.pk or not membership.is_active:
        raise PermissionDenied


def _lock(action: Action, expected_version: int) -> Action:
    """The action, locked for this transaction; ``StaleActionError`` if its version moved on."""
    locked = Action.objects.select_for_update().get(pk=action.pk, ght_id=action.ght_id)
    if expected_version is None or int(expected_version) != locked.version:
        raise StaleActionError(locked, int(expected_version or 0))
    return locked


def _check_tenant(ght_id: int, data: dict) -> None:
    """Every object the data links to is of the action's GHT (forms limit choices; this is the backstop)."""
    errors = {}
    for name in ("objective", "lead_establishment"):
        value = data.get(name)
        if value is not None and value.ght_id != ght_id:
            errors[name] = _("Cet élément n'appartient pas à ce GHT.")
    for name in ("filieres", "establishments"):
        if any(item.ght_id != ght_id for item in data.get(name) or ()):
            errors[name] = _("Cet élément n'appartient pas à ce GHT.")
    people = [data["owner"]] if data.get("owner") else []
    people += list(data.get("contributors") or ())
    if people:
        members = set(
            Membership.objects.active()
            .filter(ght_id=ght_id, user__in=[person.pk for person in people])
            .values_list("user_id", flat=True)
        )
        if data.get("owner") and data["owner"].pk not in members:
            errors["owner"] = _("Le responsable doit être un membre actif du GHT.")
        if any(person.pk not in members for person in data.get("contributors") or ()):
            errors["contributors"] = _("Les contributeurs doivent être des membres actifs du GHT.")
    if errors:
        raise ValidationError(errors)


def _check_pilot_scope(membership: Membership, data: dict, piloted: Collection[int]) -> None:
    """A pilot (not the office) keeps every action they write inside one of their filières."""
    if membership.is_office:
        return
    filieres = {filiere.pk for filiere in data.get("filieres") or ()}
    objective = data.get("objective")
    if objective is not None and objective.filiere_id is not None:
        filieres.add(objective.filiere_id)
    if not filieres & set(piloted):
        raise ValidationError({"filieres": _("L'action doit appartenir à au moins une des filières que vous pilotez.")})


def _apply(action: Action, data: dict, fields: Iterable[str]) -> None:
    for name in fields:
        if name in data:
            setattr(action, name, data[name])


def _save(action: Action, acting_user) -> None:
    """Validate the whole row (French messages from the model), then save: one history record."""
    action.full_clean()
    action._history_user = acting_user
    action.save()


# --- Mutations -------------------------------------------------------------------------------------


@transaction.atomic
def create_action(*, acting_user, membership: Membership, plan: Plan, data: dict) -> Action:
    """A new action in ``plan``: the office anywhere, a pilot only in the filières they pilot."""
    _check_membership(acting_user, membership)
    piloted = piloted_filiere_ids(membership)
    if plan.ght_id != membership.ght_id or not can_create_action(membership, piloted):
        raise PermissionDenied
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError(_("Ce projet est archivé : on n'y ajoute plus d'actions."))
    _check_tenant(plan.ght_id, data)
    _check_pilot_scope(membership, data, piloted)
    action = Action(plan=plan, ght_id=plan.ght_id)
    _apply(action, data, EDIT_FIELDS)
    _save(action, acting_user)
    for name in M2M_FIELDS:
        getattr(action, name).set(data.get(name) or [])
    return action


@transaction.atomic
def update_action(*, acting_user, membership: Membership, action: Action, data: dict, expected_version: int) -> Action:
    """Every field of an action (office, pilot of its filières); refused if someone saved it meanwhile."""
    _check_membership(acting_user, membership)
    piloted = piloted_filiere_ids(membership)
    if not can_edit_action(membership, action, piloted):
        raise PermissionDenied
    locked = _lock(action, expected_version)
    _check_tenant(locked.ght_id, data)
    _check_pilot_scope(membership, data, piloted)
    _apply(locked, data, EDIT_FIELDS)
    _save(locked, acting_user)  # Action.save() moves the version on
    for name in M2M_FIELDS:
        if name in data:
            getattr(locked, name).set(data[name] or [])
    return locked


@transaction.atomic
def update_followup(
    *,
    acting_user,
    membership: Membership,
    action: Action,
    status: str,
    health: str,
    progress: int,
    text: str = "",
    expected_version: int,
    piloted: Collection[int] | None = None,
) -> Action:
    """Status, health and progress (owner, pilot, office), logged as a dated update of the action."""
    _check_membership(acting_user, membership)
    if not can_update_followup(membership, action, piloted):
        raise PermissionDenied
    locked = _lock(action, expected_version)
    changed = (locked.status, locked.health, locked.progress) != (status, health, progress)
    if not changed and not text.strip():
        return locked  # nothing to record: a resubmitted form is not a new update
    _apply(locked, {"status": status, "health": health, "progress": progress}, FOLLOWUP_FIELDS)
    if changed:
        _save(locked, acting_user)  # Action.save() moves the version on
    log = ActionUpdate(
        action=locked,
        ght_id=locked.ght_id,
        author=acting_user,
        kind=ActionUpdate.Kind.UPDATE,
        text=text.strip() or _("Mise à jour du statut, de l'état de santé et de l'avancement."),
        status=status,
        health=health,
        progress=progress,
    )
    log.full_clean()
    log.save()
    return locked


@transaction.atomic
def add_comment(*, acting_user, membership: Membership, action: Action, text: str) -> ActionUpdate:
    """A dated comment in the action's log (owner, pilot, office); it changes no field of the action."""
    _check_membership(acting_user, membership)
    if not can_update_followup(membership, action):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Écrivez un commentaire.")})
    comment = ActionUpdate(
        action=action, ght_id=action.ght_id, author=acting_user, kind=ActionUpdate.Kind.COMMENT, text=text.strip()
    )
    comment.full_clean()
    comment.save()
    return comment
