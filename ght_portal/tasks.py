"""Background jobs of the core: sending mail and periodic housekeeping."""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage
from django.utils import timezone

from ght_portal.models import Invitation

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def send_email(subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text mail; retried only on transient SMTP/network errors, a few times."""
    EmailMessage(subject=subject, body=body, to=to).send()


@shared_task
def housekeeping() -> dict:
    """Purge expired sessions, and invitations (with the names and e-mails they hold) 30 days after
    their link expired, whether they were used, cancelled or ignored: memberships and their history
    keep the record of who joined (RGPD: keep no more than needed)."""
    sessions, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    cutoff = timezone.now() - timedelta(days=30)
    invitations, _ = Invitation.objects.filter(expires_at__lt=cutoff).delete()
    logger.info("housekeeping: %s sessions, %s invitations purged", sessions, invitations)
    return {"sessions": sessions, "invitations": invitations}
