"""Reminders through a real Celery worker (tests/worker.py) with several threads: the periodic task
run again, or delivered twice at the same moment, never sends anyone a second mail for one event."""

import datetime
import time
import uuid
from collections import Counter

import pytest
from django.core import mail

from actions.models import Action
from governance.models import ReminderLog
from governance.tasks import send_due_reminders
from tests import worker
from tests.test_reminders import build_world, paris
from tests.worker import assert_ran_in_worker, wait_for_outbox, worker_fixture

pytestmark = pytest.mark.worker

# Several threads, so that two deliveries of the periodic task really run side by side.
celery_worker = worker_fixture(pool="threads", concurrency=4)
tasks = worker.tasks  # the recorder fixture, found by pytest under this name

TASK = "governance.tasks.send_due_reminders"


def kind(subject: str) -> str:
    for prefix, name in (
        ("Rappel : plus que 7 jours", "d-7"),
        ("Dernier rappel", "d-1"),
        ("Vos actions à suivre", "digest"),
    ):
        if subject.startswith(prefix):
            return name
    return "deadline" if "date limite passée" in subject else "opening"


def sent() -> Counter:
    """(recipient, event) → number of mails received."""
    return Counter((message.to[0], kind(message.subject)) for message in mail.outbox)


def fire_together(tasks, now: datetime.datetime, *, same_id: bool, expected_runs: int) -> list[dict]:
    """Two deliveries of the periodic task at once: a redelivered message (same id) or two beats."""
    task_id = str(uuid.uuid4())
    for _ in range(2):
        send_due_reminders.apply_async(kwargs={"now": now.isoformat()}, task_id=task_id if same_id else None)
    runs = tasks.wait_for_all(TASK, expected_runs)
    for run in runs:
        assert_ran_in_worker(run)
    return runs


def settle(count: int) -> None:
    """Wait for ``count`` mails, then long enough for a duplicate to show up."""
    wait_for_outbox(count)
    time.sleep(0.5)
    assert len(mail.outbox) == count, sent()


def test_each_person_gets_exactly_one_mail_per_event(tasks, ght, make_member, office):
    world = build_world(ght, make_member, office)
    owner, pilot = world["owner"].email, world["pilot"].email

    # Opening, the same message delivered twice concurrently: one run claims both mails, the other none.
    runs = fire_together(tasks, paris(2026, 6, 3, 10, 5), same_id=True, expected_runs=2)
    assert sorted(run["retval"]["campaigns"] for run in runs) == [0, 2]
    settle(2)
    assert sent() == {(owner, "opening"): 1, (pilot, "opening"): 1}

    # The beat restarted and fires again a quarter of an hour later: nothing new.
    send_due_reminders.delay(now=paris(2026, 6, 3, 10, 20).isoformat())
    assert tasks.wait_for_all(TASK, 3)[-1]["retval"] == {"campaigns": 0, "digests": 0}
    settle(2)

    # D-7 falls on a Tuesday inside the Monday digest window: with a late action the owner also gets
    # this week's digest. Two beats fire at once (distinct messages), then a third tick.
    Action.objects.filter(pk=world["actions"]["HOR-1"].pk).update(due_date=datetime.date(2026, 6, 20))
    runs = fire_together(tasks, paris(2026, 6, 23, 7, 5), same_id=False, expected_runs=5)
    send_due_reminders.delay(now=paris(2026, 6, 23, 7, 20).isoformat())
    tasks.wait_for_all(TASK, 6)
    settle(5)
    assert sent() == {
        (owner, "opening"): 1,
        (pilot, "opening"): 1,
        (owner, "d-7"): 1,
        (pilot, "d-7"): 1,
        (owner, "digest"): 1,
    }

    # The deadline has passed: the office's summary, delivered twice at once.
    fire_together(tasks, paris(2026, 7, 1, 7, 5), same_id=True, expected_runs=8)
    settle(6)
    assert sent()[(office.email, "deadline")] == 1
    assert ReminderLog.objects.count() == 6
    assert all(count == 1 for count in sent().values())
