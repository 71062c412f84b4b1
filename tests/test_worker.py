"""The real thing: a Celery worker thread consuming from the Redis broker of the settings.

Eager mode (on for the rest of the suite) is switched off for this module, and every task's
thread is recorded, so a test cannot pass by running the task inline. The worker consumes from a
queue of its own, so a development worker on the same Redis cannot steal these messages.
"""

import re
import threading
import time
import uuid
from datetime import timedelta

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from ght_portal import services
from ght_portal.celery import app as celery_app
from ght_portal.models import Invitation, Role
from ght_portal.tasks import housekeeping

pytestmark = pytest.mark.worker

WAIT_SECONDS = 15


class TaskRecorder:
    """Which tasks ran, in which thread, eagerly or not; lets a test wait for one to finish."""

    def __init__(self):
        self.runs: list[dict] = []
        self.finished = threading.Condition()

    def on_prerun(self, sender=None, task=None, **kwargs):
        self.runs.append(
            {"name": task.name, "thread": threading.get_ident(), "eager": bool(task.request.is_eager), "done": False}
        )

    def on_postrun(self, sender=None, task=None, state=None, retval=None, **kwargs):
        # The worker thread keeps its own DB connection; close it so that the flush at the end of
        # each transactional test never waits on it (Celery's Django fixup is not installed for an
        # embedded WorkController, it only hooks the CLI worker's worker_init).
        if threading.get_ident() != threading.main_thread().ident:
            connections.close_all()
        with self.finished:
            for run in self.runs:
                if run["name"] == task.name and not run["done"]:
                    run.update(done=True, state=state, retval=retval)
                    break
            self.finished.notify_all()

    def wait_for(self, name: str) -> dict:
        deadline = time.monotonic() + WAIT_SECONDS
        with self.finished:
            while True:
                done = [run for run in self.runs if run["name"] == name and run["done"]]
                if done:
                    return done[0]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"task {name} did not finish within {WAIT_SECONDS} s (runs seen: {self.runs})")
                self.finished.wait(remaining)


def _no_logging_setup(**kwargs):
    """With a receiver connected, the embedded worker leaves the root logger (and pytest's capture) alone."""


@pytest.fixture(scope="module")
def celery_worker(django_db_setup):
    """One worker thread for the module, with eager mode off and a private queue."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "task_default_queue")}
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    conf.task_always_eager = False
    conf.task_default_queue = queue
    signals.setup_logging.connect(_no_logging_setup, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=15):
            yield
    finally:
        signals.setup_logging.disconnect(_no_logging_setup)
        for key, value in saved.items():
            conf[key] = value
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


@pytest.fixture
def tasks(celery_worker, transactional_db):
    """Records the tasks run during one test; the data is committed, so the worker's connection sees it."""
    recorder = TaskRecorder()
    signals.task_prerun.connect(recorder.on_prerun, weak=False)
    signals.task_postrun.connect(recorder.on_postrun, weak=False)
    yield recorder
    signals.task_prerun.disconnect(recorder.on_prerun)
    signals.task_postrun.disconnect(recorder.on_postrun)


def assert_ran_in_worker(run: dict) -> None:
    assert run["eager"] is False, "the task ran eagerly: task_always_eager was not switched off"
    assert run["thread"] != threading.get_ident(), "the task ran in the test's thread, not in the worker"
    assert run["state"] == "SUCCESS", run


def wait_for_outbox(count: int) -> list:
    deadline = time.monotonic() + WAIT_SECONDS
    while len(mail.outbox) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{count} mail(s) expected within {WAIT_SECONDS} s, got {len(mail.outbox)}")
        time.sleep(0.05)
    return mail.outbox


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
