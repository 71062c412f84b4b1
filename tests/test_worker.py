"""The real thing: a Celery worker thread consuming from the Redis broker of the settings
(tests/worker.py: eager mode off, every task's thread recorded, a private queue)."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import transaction
from django.utils import timezone

from ght_portal import services
from ght_portal.models import Invitation, Role
from ght_portal.tasks import housekeeping
from tests import worker
from tests.worker import assert_ran_in_worker, wait_for_outbox

# The worker's fixtures, under their names so that pytest finds them in this module.
celery_worker = worker.celery_worker
tasks = worker.tasks

pytestmark = pytest.mark.worker


def test_invitation_mail_is_sent_by_the_worker_after_commit(tasks, ght, office, client):
    with transaction.atomic():
        invitation = services.invite_member(
            acting_user=office,
            ght=ght,
            email="  Nadia.Nouvelle@Exemple.TEST ",
            full_name="Nadia Nouvelle",
            role=Role.PILOT,
        )
        time.sleep(0.3)  # would leave the worker time to send a mail queued too early
        assert mail.outbox == []
        assert tasks.runs == [], "a task was queued before the transaction committed"

    run = tasks.wait_for("ght_portal.tasks.send_email")
    assert_ran_in_worker(run)
    outbox = wait_for_outbox(1)
    time.sleep(0.2)  # a duplicate would arrive now
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["nadia.nouvelle@exemple.test"]
    assert message.subject == "Invitation à rejoindre le GHT Alpha sur GHT Portal"
    assert message.body.startswith("Bonjour Nadia Nouvelle,")
    assert f"{office.full_name} vous invite à rejoindre le GHT Alpha" in message.body
    assert "« Pilote de filière »" in message.body
    links = re.findall(r"https?://\S+/invitation/([\w-]+)/", message.body)
    assert len(links) == 1, message.body

    response = client.get(f"/invitation/{links[0]}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rejoindre le GHT Alpha" in page
    assert invitation.email in page
    assert len([run for run in tasks.runs if run["name"] == "ght_portal.tasks.send_email"]) == 1


def _invitation(ght, email: str, expires_at) -> Invitation:
    invitation = Invitation(ght=ght, email=email, full_name=email.split("@")[0], role=Role.READER)
    invitation.new_token()
    invitation.expires_at = expires_at
    invitation.save()
    return invitation


def test_housekeeping_purges_old_rows_and_keeps_recent_ones(tasks, ght):
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=now - timedelta(minutes=1))
    live_session = Session.objects.create(session_key="b" * 32, session_data="x", expire_date=now + timedelta(hours=1))
    stale = _invitation(ght, "ancienne@exemple.test", now - timedelta(days=31))
    expired_recently = _invitation(ght, "recente@exemple.test", now - timedelta(days=29))
    pending = _invitation(ght, "en-attente@exemple.test", now + timedelta(days=3))

    housekeeping.delay()

    run = tasks.wait_for("ght_portal.tasks.housekeeping")
    assert_ran_in_worker(run)
    assert run["retval"] == {"sessions": 1, "invitations": 1}
    assert list(Session.objects.values_list("session_key", flat=True)) == [live_session.session_key]
    assert not Invitation.objects.filter(pk=stale.pk).exists()
    assert set(Invitation.objects.values_list("pk", flat=True)) == {expired_recently.pk, pending.pk}
