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
from django.utils.translation import gettext_lazy as _lazy

from actions.models import (
    Action,
    ActionUpdate,
    Indicator,
    Measurement,
    Milestone,
    Objective,
    Plan,
    status_date_errors,
)
from actions.permissions import can_create_action, can_edit_action, can_update_followup, piloted_filiere_ids
from ght_portal.errors import StaleWriteError
from ght_portal.formats import format_number, short_date
from ght_portal.models import Establishment, Membership
from ght_portal.tenancy import require_acting_member, require_office

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
    # Lines logged by the services for what simple-history does not track (relations, milestones,
    # indicators, measurements): see ``log_change``.
    notes: list[str] = field(default_factory=list)
    user_id: int | None = None


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
        entry = HistoryEntry(when=record.history_date, who=who, created=created, user_id=record.history_user_id)
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


def merge_logged_changes(entries: list[HistoryEntry], logged: Iterable[ActionUpdate]) -> list[HistoryEntry]:
    """Interleave the changes logged by the services (``ActionUpdate`` of kind CHANGE) with the field
    changes, oldest first. A log written in the same save as a historical record carries the record's
    date (``_save(when=…)``) and joins its entry: one edit reads as one entry."""
    by_key = {(entry.when, entry.user_id): entry for entry in entries}
    merged = list(entries)
    for update in logged:
        lines = [line for line in update.text.splitlines() if line.strip()]
        entry = by_key.get((update.created_at, update.author_id))
        if entry is None:
            who = str(update.author) if update.author_id else _("Import ou système")
            entry = HistoryEntry(when=update.created_at, who=who, user_id=update.author_id)
            by_key[(update.created_at, update.author_id)] = entry
            merged.append(entry)
        entry.notes.extend(lines)
    return sorted(merged, key=lambda entry: entry.when)


def action_history(action: Action, logged: Iterable[ActionUpdate] | None = None) -> list[HistoryEntry]:
    """The whole history of an action, newest first: its fields (simple-history) and what the services
    logged. Pass ``logged`` (its CHANGE updates, authors selected) when the page already has them."""
    records = action.history.select_related("history_user").order_by("history_date", "history_id")
    if logged is None:
        logged = action.updates.filter(kind=ActionUpdate.Kind.CHANGE).select_related("author")
    return list(reversed(merge_logged_changes(history_entries(action.ght_id, records), logged)))


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
    entries = history_entries(action.ght_id, records)
    if records:  # relations, milestones, indicators changed since then too
        logged = action.updates.filter(
            kind=ActionUpdate.Kind.CHANGE, created_at__gt=records[0].history_date
        ).select_related("author")
        entries = merge_logged_changes(entries, logged)
    return entries


class StaleActionError(StaleWriteError):
    """Someone saved the action after the person opened it; ``changes`` says who changed what."""

    def __init__(self, action: Action, expected_version: int):
        self.current_version = action.version
        self.changes = changes_since(action, expected_version)
        super().__init__(self.describe(), code="stale")

    def describe(self) -> str:
        parts = []
        for entry in self.changes:
            when = formats.date_format(timezone.localtime(entry.when), "DATETIME_FORMAT")
            details = [f"{c.label} : {c.old} → {c.new}" for c in entry.changes] + entry.notes
            detail = " ; ".join(details) or _("modification")
            parts.append(_("%(who)s, le %(when)s — %(detail)s") % {"who": entry.who, "when": when, "detail": detail})
        changed = " / ".join(parts) if parts else _("détail indisponible")
        return _(
            "Cette action a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte : %(changes)s. "
            "Vos modifications n'ont pas été enregistrées. Vérifiez-les au regard de ces changements, "
            "puis enregistrez de nouveau."
        ) % {"changes": changed}


# --- Checks shared by the mutations ----------------------------------------------------------------


def lock_at_version(action: Action, expected_version: int) -> Action:
    """The action, locked for this transaction; ``StaleActionError`` if its version moved on. Public for
    the writers of other apps that move an action without editing it (governance's proposal, in the API)."""
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


def _check_pilot_scope(
    membership: Membership, data: dict, piloted: Collection[int], current: Action | None = None
) -> None:
    """A pilot (not the office) keeps every action they write inside one of their filières. What ``data``
    leaves out (an edit of a few fields, as the API's PATCH) keeps the ``current`` action's value."""
    if membership.is_office:
        return
    if current is not None:
        data = {"filieres": current.filieres.all(), "objective": current.objective, **data}
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


def _save(action: Action, acting_user, when: datetime.datetime | None = None) -> None:
    """Validate the whole row (French messages from the model), then save: one history record,
    dated ``when`` if given (so that the changes logged with it join the same history entry)."""
    action.full_clean()
    action._history_user = acting_user
    if when is not None:
        action._history_date = when
    try:
        action.save()
    finally:
        action.__dict__.pop("_history_date", None)


def log_change(action: Action, acting_user, lines: Iterable[str], when: datetime.datetime | None = None):
    """Record in the action's history what simple-history does not track (one CHANGE entry); nothing
    when there is nothing to say."""
    lines = [line for line in lines if line]
    if not lines:
        return None
    entry = ActionUpdate(
        action=action,
        ght_id=action.ght_id,
        author=acting_user,
        kind=ActionUpdate.Kind.CHANGE,
        text="\n".join(lines),
        created_at=when or timezone.now(),
    )
    entry.full_clean()
    entry.save()
    return entry


STATUS_DATE_LABELS = {"done_on": _lazy("Date de réalisation corrigée"), "stopped_on": _lazy("Date d'arrêt corrigée")}


@transaction.atomic
def correct_status_dates(
    *, acting_user, membership: Membership, action: Action, dates: dict, reason: str, expected_version: int
) -> Action:
    """The office corrects when an action was achieved or stopped (``dates``: ``done_on`` and/or
    ``stopped_on``, None to say « inconnue »), saying why: one history record, one log line per date."""
    require_office(acting_user, membership)
    locked = lock_at_version(action, expected_version)
    if locked.ght_id != membership.ght_id:
        raise PermissionDenied
    dates = {name: dates[name] for name in STATUS_DATE_LABELS if name in dates}
    errors = status_date_errors(locked.status, locked.start_date, dates, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in dates.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Dites pourquoi la date est corrigée : le motif est gardé dans l'historique.")}
        )
    lines = [
        _("%(label)s : %(before)s → %(after)s (motif : %(reason)s)")
        % {
            "label": STATUS_DATE_LABELS[name],
            "before": _shown(getattr(locked, name)),
            "after": _shown(dates[name]),
            "reason": reason,
        }
        for name in changed
    ]
    _apply(locked, dates, changed)
    when = timezone.now()
    _save(locked, acting_user, when)
    log_change(locked, acting_user, lines, when)
    return locked


def _names(items: Iterable) -> dict[int, str]:
    return {item.pk: str(item) for item in items}


def set_relations(action: Action, acting_user, wanted: dict, when: datetime.datetime | None = None, *, new=False):
    """Give the action the filières, establishments and contributors named in ``wanted`` and record
    what changed in its history (simple-history does not follow these relations): the one way every
    writer — forms, import — changes them."""
    names = [name for name in M2M_FIELDS if name in wanted]
    before = {} if new else {name: _names(getattr(action, name).all()) for name in names}
    for name in names:
        getattr(action, name).set(wanted[name] or [])
    after = {name: _names(wanted[name] or ()) for name in names}
    log_change(action, acting_user, relation_changes(before, after), when)


def relation_changes(before: dict[str, dict[int, str]], after: dict[str, dict[int, str]]) -> list[str]:
    """« Filières : ajout de X ; retrait de Y », one line per relation that changed."""
    lines = []
    for name in M2M_FIELDS:
        if name not in after:
            continue
        old, new = before.get(name, {}), after[name]
        added = sorted(new[pk] for pk in new.keys() - old.keys())
        removed = sorted(old[pk] for pk in old.keys() - new.keys())
        if not added and not removed:
            continue
        parts = []
        if added:
            parts.append(_("ajout de %(names)s") % {"names": ", ".join(added)})
        if removed:
            parts.append(_("retrait de %(names)s") % {"names": ", ".join(removed)})
        label = str(Action._meta.get_field(name).verbose_name).capitalize()
        lines.append(f"{label} : {' ; '.join(parts)}")
    return lines


# --- Mutations -------------------------------------------------------------------------------------


@transaction.atomic
def create_action(*, acting_user, membership: Membership, plan: Plan, data: dict) -> Action:
    """A new action in ``plan``: the office anywhere, a pilot only in the filières they pilot."""
    require_acting_member(acting_user, membership)
    piloted = piloted_filiere_ids(membership)
    if plan.ght_id != membership.ght_id or not can_create_action(membership, piloted):
        raise PermissionDenied
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError(_("Ce projet est archivé : on n'y ajoute plus d'actions."))
    _check_tenant(plan.ght_id, data)
    _check_pilot_scope(membership, data, piloted)
    action = Action(plan=plan, ght_id=plan.ght_id)
    _apply(action, data, EDIT_FIELDS)
    when = timezone.now()
    _save(action, acting_user, when)
    set_relations(action, acting_user, {name: data.get(name) for name in M2M_FIELDS}, when, new=True)
    return action


@transaction.atomic
def update_action(*, acting_user, membership: Membership, action: Action, data: dict, expected_version: int) -> Action:
    """Every field of an action (office, pilot of its filières); refused if someone saved it meanwhile."""
    require_acting_member(acting_user, membership)
    piloted = piloted_filiere_ids(membership)
    if not can_edit_action(membership, action, piloted):
        raise PermissionDenied
    locked = lock_at_version(action, expected_version)
    _check_tenant(locked.ght_id, data)
    _check_pilot_scope(membership, data, piloted, locked)
    _apply(locked, data, EDIT_FIELDS)
    when = timezone.now()
    _save(locked, acting_user, when)  # Action.save() moves the version on
    set_relations(locked, acting_user, {name: data[name] for name in M2M_FIELDS if name in data}, when)
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
    require_acting_member(acting_user, membership)
    if not can_update_followup(membership, action, piloted):
        raise PermissionDenied
    locked = lock_at_version(action, expected_version)
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
    require_acting_member(acting_user, membership)
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


# --- Milestones, indicators and their measurements -------------------------------------------------
# They do not change the action's row (so no version move), but each change is logged in the action's
# history. The action row is locked first: two people changing the same action's milestones or
# indicators are served one after the other, each seeing what the other wrote.

MILESTONE_FIELDS = ("title", "due_date", "done_on")
INDICATOR_FIELDS = ("name", "unit", "baseline", "target", "target_date")


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return short_date(value)
    if isinstance(value, Decimal):
        return format_number(value)
    return Truncator(str(value)).chars(160)


def _field_changes(instance, data: dict, fields: Iterable[str]) -> list[str]:
    """« Échéance : 30/06/2026 → 31/07/2026 » for each field that ``data`` changes."""
    parts = []
    for name in fields:
        if name in data and getattr(instance, name) != data[name]:
            label = str(type(instance)._meta.get_field(name).verbose_name).capitalize()
            parts.append(f"{label} : {_shown(getattr(instance, name))} → {_shown(data[name])}")
    return parts


def _lock_action(action: Action) -> Action:
    return Action.objects.select_for_update().get(pk=action.pk, ght_id=action.ght_id)


def _check_not_future(name: str, value: datetime.date | None, message: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError({name: message})


def _check_done_on(done_on: datetime.date | None) -> None:
    _check_not_future("done_on", done_on, _("La date d'atteinte ne peut pas être dans le futur."))


def _editable_action(acting_user, membership: Membership, action: Action) -> Action:
    """The action, locked; PermissionDenied unless the member edits every field of it (office, pilot)."""
    require_acting_member(acting_user, membership)
    locked = _lock_action(action)
    if not can_edit_action(membership, locked):
        raise PermissionDenied
    return locked


def _followed_action(acting_user, membership: Membership, action: Action) -> Action:
    """The action, locked; PermissionDenied unless the member updates its follow-up (owner too)."""
    require_acting_member(acting_user, membership)
    locked = _lock_action(action)
    if not can_update_followup(membership, locked):
        raise PermissionDenied
    return locked


@transaction.atomic
def add_milestone(*, acting_user, membership: Membership, action: Action, data: dict) -> Milestone:
    """A new milestone of the action (office, pilot of its filières)."""
    locked = _editable_action(acting_user, membership, action)
    _check_done_on(data.get("done_on"))
    milestone = Milestone(action=locked, ght_id=locked.ght_id)
    _apply(milestone, data, MILESTONE_FIELDS)
    milestone.full_clean()
    milestone.save()
    line = _("Jalon ajouté : « %(title)s », échéance le %(due)s") % {
        "title": milestone.title,
        "due": short_date(milestone.due_date),
    }
    if milestone.done_on:
        line += _(", atteint le %(date)s") % {"date": short_date(milestone.done_on)}
    log_change(locked, acting_user, [line])
    return milestone


@transaction.atomic
def update_milestone(*, acting_user, membership: Membership, milestone: Milestone, data: dict) -> Milestone:
    """Title, due date and date reached of a milestone (office, pilot of the action's filières)."""
    locked = _editable_action(acting_user, membership, milestone.action)
    current = Milestone.objects.get(pk=milestone.pk, action=locked)
    _check_done_on(data.get("done_on"))
    parts = _field_changes(current, data, MILESTONE_FIELDS)
    if not parts:
        return current
    title = current.title
    _apply(current, data, MILESTONE_FIELDS)
    current.full_clean()
    current.save()
    log_change(locked, acting_user, [_("Jalon « %(title)s » modifié — ") % {"title": title} + " ; ".join(parts)])
    return current


@transaction.atomic
def delete_milestone(*, acting_user, membership: Membership, milestone: Milestone) -> None:
    locked = _editable_action(acting_user, membership, milestone.action)
    current = Milestone.objects.get(pk=milestone.pk, action=locked)
    current.delete()
    line = _("Jalon supprimé : « %(title)s » (échéance le %(due)s)") % {
        "title": current.title,
        "due": short_date(current.due_date),
    }
    log_change(locked, acting_user, [line])


@transaction.atomic
def set_milestone_done(
    *, acting_user, membership: Membership, milestone: Milestone, done_on: datetime.date | None
) -> Milestone:
    """Mark a milestone reached on ``done_on``, or not reached (None): the owner may, as well as editors."""
    locked = _followed_action(acting_user, membership, milestone.action)
    current = Milestone.objects.get(pk=milestone.pk, action=locked)
    _check_done_on(done_on)
    if current.done_on == done_on:
        return current
    current.done_on = done_on
    current.save(update_fields=["done_on"])
    if done_on is None:
        line = _("Jalon « %(title)s » marqué comme non atteint") % {"title": current.title}
    else:
        line = _("Jalon « %(title)s » atteint le %(date)s") % {"title": current.title, "date": short_date(done_on)}
    log_change(locked, acting_user, [line])
    return current


def _indicator_summary(indicator: Indicator) -> str:
    unit = f" {indicator.unit}" if indicator.unit else ""
    parts = []
    if indicator.baseline is not None:
        parts.append(_("référence %(value)s") % {"value": format_number(indicator.baseline) + unit})
    if indicator.target is not None:
        target = _("cible %(value)s") % {"value": format_number(indicator.target) + unit}
        if indicator.target_date:
            target += _(" au %(date)s") % {"date": short_date(indicator.target_date)}
        parts.append(target)
    return f" ({', '.join(parts)})" if parts else ""


@transaction.atomic
def add_indicator(*, acting_user, membership: Membership, action: Action, data: dict) -> Indicator:
    """A new indicator of the action (office, pilot of its filières)."""
    locked = _editable_action(acting_user, membership, action)
    indicator = Indicator(action=locked, ght_id=locked.ght_id)
    _apply(indicator, data, INDICATOR_FIELDS)
    indicator.full_clean()
    indicator._history_user = acting_user
    indicator.save()
    line = _("Indicateur ajouté : « %(name)s »") % {"name": indicator.name} + _indicator_summary(indicator)
    log_change(locked, acting_user, [line])
    return indicator


@transaction.atomic
def update_indicator(*, acting_user, membership: Membership, indicator: Indicator, data: dict) -> Indicator:
    locked = _editable_action(acting_user, membership, indicator.action)
    current = Indicator.objects.get(pk=indicator.pk, action=locked)
    parts = _field_changes(current, data, INDICATOR_FIELDS)
    if not parts:
        return current
    name = current.name
    _apply(current, data, INDICATOR_FIELDS)
    current.full_clean()
    current._history_user = acting_user
    current.save()
    log_change(locked, acting_user, [_("Indicateur « %(name)s » modifié — ") % {"name": name} + " ; ".join(parts)])
    return current


@transaction.atomic
def delete_indicator(*, acting_user, membership: Membership, indicator: Indicator) -> None:
    """An indicator and its measurements (office, pilot); the log keeps how many measurements went."""
    locked = _editable_action(acting_user, membership, indicator.action)
    current = Indicator.objects.get(pk=indicator.pk, action=locked)
    count = current.measurements.count()
    current._history_user = acting_user
    current.delete()
    line = _("Indicateur supprimé : « %(name)s » et ses %(count)s mesure(s)") % {"name": current.name, "count": count}
    log_change(locked, acting_user, [line])


@transaction.atomic
def record_measurement(
    *,
    acting_user,
    membership: Membership,
    indicator: Indicator,
    measured_on: datetime.date | None,
    value: Decimal | None,
    comment: str = "",
) -> Measurement:
    """A dated value of an indicator (owner, pilot, office); one per indicator and date."""
    locked = _followed_action(acting_user, membership, indicator.action)
    current = Indicator.objects.select_for_update().get(pk=indicator.pk, action=locked)
    errors = {}
    if measured_on is None:
        errors["measured_on"] = _("Indiquez la date de la mesure.")
    elif measured_on > timezone.localdate():
        errors["measured_on"] = _("La date de mesure ne peut pas être dans le futur.")
    elif current.measurements.filter(measured_on=measured_on).exists():
        errors["measured_on"] = _("Une mesure existe déjà à cette date pour cet indicateur.")
    if value is None:
        errors["value"] = _("Saisissez la valeur mesurée.")
    if errors:
        raise ValidationError(errors)
    measurement = Measurement(
        indicator=current, ght_id=current.ght_id, measured_on=measured_on, value=value, comment=comment.strip()
    )
    measurement.full_clean()
    measurement.save()
    unit = f" {current.unit}" if current.unit else ""
    line = _("Mesure de « %(name)s » au %(date)s : %(value)s") % {
        "name": current.name,
        "date": short_date(measured_on),
        "value": format_number(value) + unit,
    }
    log_change(locked, acting_user, [line])
    return measurement
