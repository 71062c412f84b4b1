"""E-mail reminders of the checkpoints and the weekly digest of owners' actions.

When: a campaign's people are reminded at opening, 7 days and 1 day before the deadline; the project
office gets a summary once the deadline has passed; owners get a digest on Monday morning. All moments
are in Europe/Paris. One periodic task (``governance.tasks.send_due_reminders``) asks "what is due
now?" every few minutes, so a beat that was down sends a missed reminder once when it comes back.

Never twice: every (event, recipient) is claimed by inserting a ``ReminderLog`` row with a unique key
in the transaction that queues the mail on commit. A second beat, a redelivered task or two workers
racing meet the unique key and send nothing. The price is "at most once": a mail whose claim committed
but whose queueing failed (broker down at that instant) is logged by ``transaction.on_commit(robust=True)``
and not retried.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from guardian.models import UserObjectPermission

from actions.models import CLOSED_STATUSES, Action, Plan
from actions.permissions import FOLLOWUP_OWNER_ROLES, PILOT_PERMISSION
from filieres.models import Filiere
from ght_portal.mail import send_templated_mail
from ght_portal.models import GHT, Membership, Role, User
from governance.models import Campaign, CheckpointUpdate, ReminderLog

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
SEND_TIME = datetime.time(7, 0)  # reminders and digests go out at the start of the working day
DEADLINE_REMINDER_DAYS = (7, 1)  # "plus que 7 jours", "dernier rappel : demain"
DIGEST_WEEKDAY = 0  # Monday
DIGEST_HORIZON_DAYS = 30
# A digest missed while the system was down is still sent during this window, not later in the week
# (a Thursday "weekly" digest would only duplicate next Monday's).
DIGEST_CATCH_UP = datetime.timedelta(days=2)

OWED_STATES = (CheckpointUpdate.State.TO_FILL, CheckpointUpdate.State.RETURNED)
OPENING = "opening"
DEADLINE = "deadline"


# --- Links (the checkpoint pages are named by their own module; these paths are the agreed ones) ----


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def my_updates_url(campaign: Campaign, ght: GHT) -> str:
    """« Mes mises à jour » of this campaign: what the recipient still owes."""
    return absolute(
        reverse("checkpoint_my_campaign_updates", kwargs={"ght_slug": ght.slug, "campaign_id": campaign.pk})
    )


def campaign_url(campaign: Campaign, ght: GHT) -> str:
    """The office's follow-up page of the campaign (completion by filière, who is late)."""
    return absolute(reverse("checkpoint_detail", kwargs={"ght_slug": ght.slug, "campaign_id": campaign.pk}))


# --- When -------------------------------------------------------------------------------------------


def at_paris(day: datetime.date, time: datetime.time = SEND_TIME) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=PARIS)


def deadline_end(campaign: Campaign) -> datetime.datetime:
    """The deadline day is included: updates may be submitted until midnight, Paris time."""
    return at_paris(campaign.deadline + datetime.timedelta(days=1), datetime.time(0, 0))


def office_summary_moment(campaign: Campaign) -> datetime.datetime:
    """The office's summary goes out the morning after the deadline, when it has passed."""
    return at_paris(campaign.deadline + datetime.timedelta(days=1))


def owed_event(campaign: Campaign, now: datetime.datetime) -> str | None:
    """The reminder that people who owe updates should have received by ``now`` (None: nothing due).

    Only the latest one counts: after a downtime spanning D-7 and D-1, people get the D-1 mail only.
    A moment before the opening is not an event (a campaign opened 3 days before its deadline has no
    D-7), and nobody is chased any more once the deadline has passed or the campaign is closed.
    """
    if campaign.status != Campaign.Status.OPEN or now >= deadline_end(campaign):
        return None
    due = OPENING if campaign.opened_at <= now else None
    for days in DEADLINE_REMINDER_DAYS:  # in chronological order
        moment = at_paris(campaign.deadline - datetime.timedelta(days=days))
        if campaign.opened_at < moment <= now:
            due = f"d-{days}"
    return due


def office_event_due(campaign: Campaign, now: datetime.datetime) -> bool:
    return campaign.status == Campaign.Status.OPEN and now >= office_summary_moment(campaign)


def digest_week(now: datetime.datetime) -> str | None:
    """The ISO week (``2026-W23``) whose digest is due at ``now``, or None outside the sending window."""
    local = now.astimezone(PARIS)
    monday = local.date() - datetime.timedelta(days=local.weekday() - DIGEST_WEEKDAY)
    start = at_paris(monday)
    if not start <= local < start + DIGEST_CATCH_UP:
        return None
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


# --- Who --------------------------------------------------------------------------------------------


@dataclass
class Owed:
    """What one person owes in one campaign."""

    user: User
    updates: list[CheckpointUpdate] = field(default_factory=list)


def _active_roles(ght_id: int, user_ids: Iterable[int]) -> dict[int, str]:
    rows = Membership.objects.active().filter(ght_id=ght_id, user_id__in=set(user_ids)).values_list("user_id", "role")
    return dict(rows)


def _pilots_by_filiere(filiere_ids: set[int]) -> dict[int, set[int]]:
    """{filière id: user ids holding the guardian grant on it} (one query)."""
    if not filiere_ids:
        return {}
    rows = UserObjectPermission.objects.filter(
        permission__codename=PILOT_PERMISSION.split(".", 1)[1],
        permission__content_type=ContentType.objects.get_for_model(Filiere),
        object_pk__in=[str(pk) for pk in filiere_ids],
    ).values_list("object_pk", "user_id")
    pilots: dict[int, set[int]] = defaultdict(set)
    for object_pk, user_id in rows:
        pilots[int(object_pk)].add(user_id)
    return pilots


def owed_by_person(campaign: Campaign) -> dict[int, Owed]:
    """{user id: what they owe} for an open campaign: each update still to fill or sent back goes to
    the people who may fill it under the permission contract (actions.permissions): the action's
    owner if an active member with role OWNER, PILOT or OFFICE, and the active PILOT members holding
    the pilot grant on one of the action's filières (its own or its objective's). A fixed number of
    queries, whatever the campaign's size."""
    updates = list(
        CheckpointUpdate.objects.filter(ght_id=campaign.ght_id, campaign=campaign, state__in=OWED_STATES)
        .select_related("action__objective")
        .prefetch_related("action__filieres")
        .order_by("action__code")
    )
    filieres_of = {update.pk: update.action.filiere_ids() for update in updates}
    pilots = _pilots_by_filiere(set().union(*filieres_of.values()) if updates else set())
    candidates = {update.action.owner_id for update in updates if update.action.owner_id}
    candidates |= {user_id for users in pilots.values() for user_id in users}
    roles = _active_roles(campaign.ght_id, candidates)
    owner_roles = {*FOLLOWUP_OWNER_ROLES, Role.OFFICE}

    recipients: dict[int, set[int]] = defaultdict(set)  # user id → update ids
    for update in updates:
        owner_id = update.action.owner_id
        if owner_id and roles.get(owner_id) in owner_roles:
            recipients[owner_id].add(update.pk)
        for filiere_id in filieres_of[update.pk]:
            for user_id in pilots.get(filiere_id, ()):
                if roles.get(user_id) == Role.PILOT:
                    recipients[user_id].add(update.pk)

    users = User.objects.in_bulk(recipients.keys())
    return {
        user_id: Owed(users[user_id], [update for update in updates if update.pk in update_ids])
        for user_id, update_ids in recipients.items()
    }


# --- Claiming: the one place that decides "send or not" ------------------------------------------------


def claim(ght_id: int, keys: dict[str, int]) -> set[str]:
    """Insert one ReminderLog per key ({key: recipient id}); return the keys inserted now.

    ``ON CONFLICT DO NOTHING``: a key already claimed (committed, or being claimed by a concurrent
    transaction, which we then wait for) is not returned. Must run inside the transaction that queues
    the mails, so that the claims and the mails commit — or vanish — together.
    """
    if not keys:
        return set()
    if not connection.in_atomic_block:
        raise RuntimeError("claim() must run in the transaction that queues the mails")
    table = connection.ops.quote_name(ReminderLog._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(keys))
    params: list = []
    now = timezone.now()
    for key, recipient_id in keys.items():
        params += [ght_id, key, recipient_id, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ght_id, key, recipient_id, created_at) VALUES {rows} "  # noqa: S608 (our own table name)
            "ON CONFLICT (key) DO NOTHING RETURNING key",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def _send(template: str, context: dict, user: User) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        send_templated_mail(template, {**context, "recipient": user}, user.email)


# --- The events ---------------------------------------------------------------------------------------


def _open_campaign(ght_id: int, campaign_id: int) -> Campaign | None:
    """The campaign, if it still exists in that GHT and is open (tasks re-check this inside)."""
    return (
        Campaign.objects.filter(ght_id=ght_id, pk=campaign_id, status=Campaign.Status.OPEN)
        .select_related("ght", "plan")
        .first()
    )


@transaction.atomic
def send_owed_reminders(campaign: Campaign, event: str) -> int:
    """One mail per person listing every update they owe in the campaign; returns the mails queued."""
    owed = owed_by_person(campaign)
    keys = {f"campaign:{campaign.pk}:{event}:user:{user_id}": user_id for user_id in owed}
    claimed = claim(campaign.ght_id, keys)
    template = "checkpoint_opening" if event == OPENING else "checkpoint_reminder"
    days_left = int(event.removeprefix("d-")) if event.startswith("d-") else None
    for key in sorted(claimed):
        person = owed[keys[key]]
        context = {
            "ght": campaign.ght,
            "campaign": campaign,
            "updates": person.updates,
            "count": len(person.updates),
            "days_left": days_left,
            "link": my_updates_url(campaign, campaign.ght),
        }
        _send(template, context, person.user)
    logger.info(
        "campaign %s %s: %s reminder(s) queued, %s already sent",
        campaign.pk,
        event,
        len(claimed),
        len(keys) - len(claimed),
    )
    return len(claimed)


def filiere_summary(campaign: Campaign) -> tuple[int, int, list[dict]]:
    """(updates owed, updates in scope, [{"name", "owed", "total"}] by filière, then « Sans filière »)."""
    updates = list(
        CheckpointUpdate.objects.filter(ght_id=campaign.ght_id, campaign=campaign)
        .select_related("action__objective")
        .prefetch_related("action__filieres")
    )
    names = dict(Filiere.objects.filter(ght_id=campaign.ght_id).values_list("pk", "name"))
    rows: dict[int | None, dict] = {}
    owed_total = 0
    for update in updates:
        owed = update.state in OWED_STATES
        owed_total += owed
        for filiere_id in update.action.filiere_ids() or {None}:
            row = rows.setdefault(filiere_id, {"name": names.get(filiere_id, ""), "owed": 0, "total": 0})
            row["owed"] += owed
            row["total"] += 1
    ordered = sorted((row for key, row in rows.items() if key is not None), key=lambda row: row["name"])
    if None in rows:
        ordered.append({**rows[None], "name": None})
    return owed_total, len(updates), ordered


@transaction.atomic
def send_office_summary(campaign: Campaign) -> int:
    """The deadline has passed: tell each active member of the project office how many updates are owed."""
    office = list(
        User.objects.filter(
            memberships__ght_id=campaign.ght_id,
            memberships__role=Role.OFFICE,
            memberships__is_active=True,
            is_active=True,
        )
    )
    keys = {f"campaign:{campaign.pk}:{DEADLINE}:user:{user.pk}": user.pk for user in office}
    claimed = claim(campaign.ght_id, keys)
    if not claimed:
        return 0
    owed, total, filieres = filiere_summary(campaign)
    users = {user.pk: user for user in office}
    context = {
        "ght": campaign.ght,
        "campaign": campaign,
        "owed": owed,
        "total": total,
        "filieres": filieres,
        "link": campaign_url(campaign, campaign.ght),
    }
    for key in sorted(claimed):
        _send("checkpoint_deadline", context, users[keys[key]])
    return len(claimed)


def send_opening(ght_id: int, campaign_id: int, now: datetime.datetime | None = None) -> int:
    """The opening mails, unless the campaign has closed or moved on to a later reminder meanwhile."""
    campaign = _open_campaign(ght_id, campaign_id)
    if campaign is None or owed_event(campaign, now or timezone.now()) != OPENING:
        return 0
    return send_owed_reminders(campaign, OPENING)


def send_campaign_reminders(ght_id: int, campaign_id: int, now: datetime.datetime) -> int:
    """Whatever is due for one campaign at ``now``: the people's reminder, then the office's summary."""
    campaign = _open_campaign(ght_id, campaign_id)
    if campaign is None:
        return 0
    sent = 0
    if event := owed_event(campaign, now):
        sent += send_owed_reminders(campaign, event)
    if office_event_due(campaign, now):
        sent += send_office_summary(campaign)
    return sent


# --- The weekly digest --------------------------------------------------------------------------------


def digest_actions(ght_id: int, today: datetime.date) -> dict[int, list[Action]]:
    """{owner id: their open actions of the GHT due within the horizon or overdue}, for active members
    who did not opt out; actions of archived plans are left out. One query."""
    horizon = today + datetime.timedelta(days=DIGEST_HORIZON_DAYS)
    active_members = Membership.objects.active().filter(ght_id=ght_id).values("user_id")
    actions = (
        Action.objects.filter(ght_id=ght_id, owner__in=active_members, due_date__lte=horizon)
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(plan__status=Plan.Status.ARCHIVED)
        .filter(owner__digest_opt_out=False)
        .select_related("owner")
        .order_by("due_date", "code")
    )
    by_owner: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        by_owner[action.owner_id].append(action)
    return by_owner


@transaction.atomic
def send_digests(ght_id: int, now: datetime.datetime) -> int:
    """This week's digest to each owner who has something to read (nobody else gets a mail)."""
    week = digest_week(now)
    ght = GHT.objects.filter(pk=ght_id).first()
    if week is None or ght is None:
        return 0
    today = now.astimezone(PARIS).date()
    by_owner = digest_actions(ght_id, today)
    keys = {f"digest:{ght_id}:{week}:user:{owner_id}": owner_id for owner_id in by_owner}
    claimed = claim(ght_id, keys)
    for key in sorted(claimed):
        actions = by_owner[keys[key]]
        late = [action for action in actions if action.due_date < today]
        soon = [action for action in actions if action.due_date >= today]
        context = {
            "ght": ght,
            "today": today,
            "horizon_days": DIGEST_HORIZON_DAYS,
            "late": [(action, (today - action.due_date).days, action_url(ght, action)) for action in late],
            "soon": [(action, (action.due_date - today).days, action_url(ght, action)) for action in soon],
            "profile_link": absolute(reverse("profile")),
        }
        _send("digest", context, actions[0].owner)
    return len(claimed)


def action_url(ght: GHT, action: Action) -> str:
    return absolute(reverse("action_detail", kwargs={"ght_slug": ght.slug, "action_id": action.pk}))


# --- What the beat runs -------------------------------------------------------------------------------


def send_due_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """Everything due at ``now`` across all GHTs; each campaign and each GHT's digest in its own
    transaction, so that one failure does not hold back the others' mails."""
    now = now or timezone.now()
    counts = {"campaigns": 0, "digests": 0}
    for ght_id, campaign_id in Campaign.objects.open().values_list("ght_id", "pk").order_by("pk"):
        counts["campaigns"] += send_campaign_reminders(ght_id, campaign_id, now)
    if digest_week(now) is not None:
        for ght_id in GHT.objects.values_list("pk", flat=True).order_by("pk"):
            counts["digests"] += send_digests(ght_id, now)
    return counts
