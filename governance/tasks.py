"""Background jobs of governance: the checkpoint reminders and the weekly digest (governance.checkpoints.reminders).

Tasks take ids and re-read everything (the campaign in its GHT, still open) inside; sending is made
idempotent by the ReminderLog claims, so the beat's periodic task can run often, be delivered twice,
or run on two workers at once without sending anything twice.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from governance.checkpoints import reminders
from governance.models import Campaign


def _parse(now: str | None) -> datetime.datetime:
    """``now`` travels as ISO text (JSON serializer); tests pass it, the beat does not."""
    if now is None:
        return timezone.now()
    moment = datetime.datetime.fromisoformat(now)
    if timezone.is_naive(moment):
        raise ValueError(f"now must carry its time zone: {now!r}")
    return moment


@shared_task
def send_due_reminders(now: str | None = None) -> dict[str, int]:
    """The beat's one periodic job: send whatever reminder or digest is due and not yet sent."""
    return reminders.send_due_reminders(_parse(now))


@shared_task
def remind_campaign_opening(ght_id: int, campaign_id: int, now: str | None = None) -> int:
    """Queued by ``remind_opening`` when a campaign opens."""
    return reminders.send_opening(ght_id, campaign_id, _parse(now))


def remind_opening(campaign: Campaign) -> None:
    """Called by the checkpoint service when it opens a campaign: queue the opening mails.

    Safe anywhere: inside a transaction the task is queued when it commits (never for a rolled-back
    opening), outside it is queued at once. The task re-reads the campaign; the periodic job sends the
    same mails (once) if this one is lost.
    """
    ght_id, campaign_id = campaign.ght_id, campaign.pk
    transaction.on_commit(lambda: remind_campaign_opening.delay(ght_id, campaign_id), robust=True)
