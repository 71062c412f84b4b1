"""A real Celery worker for tests: a thread consuming from the Redis broker of the settings.

Eager mode (on for the rest of the suite) is switched off while the worker runs, and every task's
thread is recorded, so a test cannot pass by running the task inline. The worker consumes from a
queue of its own, so a development worker on the same Redis cannot steal these messages.

Import the fixtures into a test module (``from tests.worker import celery_worker, tasks``); a module
that needs tasks to run side by side overrides ``celery_worker`` with ``worker_fixture(pool=...)``.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connections

from ght_portal.celery import app as celery_app

WAIT_SECONDS = 15


class TaskRecorder:
    """Which tasks ran, in which thread, eagerly or not; lets a test wait for one to finish."""

    def __init__(self):
        self.runs: list[dict] = []
        self.finished = threading.Condition()

    def on_prerun(self, sender=None, task=None, **kwargs):
        with self.finished:
            self.runs.append(
                {
                    "name": task.name,
                    "id": task.request.id,
                    "thread": threading.get_ident(),
                    "eager": bool(task.request.is_eager),
                    "done": False,
                }
            )

    def on_postrun(self, sender=None, task=None, state=None, retval=None, **kwargs):
        # The worker thread keeps its own DB connection; close it so that the flush at the end of
        # each transactional test never waits on it (Celery's Django fixup is not installed for an
        # embedded WorkController, it only hooks the CLI worker's worker_init).
        if threading.get_ident() != threading.main_thread().ident:
            connections.close_all()
        with self.finished:
            thread = threading.get_ident()
            for run in self.runs:
                if run["name"] == task.name and run["thread"] == thread and not run["done"]:
                    run.update(done=True, state=state, retval=retval)
                    break
            self.finished.notify_all()

    def wait_for(self, name: str, count: int = 1) -> dict:
        """Wait until ``count`` runs of ``name`` have finished; return the first one."""
        return self.wait_for_all(name, count)[0]

    def wait_for_all(self, name: str, count: int) -> list[dict]:
        deadline = time.monotonic() + WAIT_SECONDS
        with self.finished:
            while True:
                done = [run for run in self.runs if run["name"] == name and run["done"]]
                if len(done) >= count:
                    return done
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"{count} run(s) of {name} did not finish within {WAIT_SECONDS} s (runs: {self.runs})")
                self.finished.wait(remaining)


def _no_logging_setup(**kwargs):
    """With a receiver connected, the embedded worker leaves the root logger (and pytest's capture) alone."""


def _reset_router() -> None:
    """Celery builds its router once from ``task_routes``: rebuild it after changing them."""
    celery_app.amqp.flush_routes()
    celery_app.amqp.router = celery_app.amqp.Router()


@contextlib.contextmanager
def running_worker(pool: str = "solo", concurrency: int = 1):
    """A worker thread with eager mode off and a private queue, for as long as the block lasts."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "task_default_queue", "task_routes")}
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    conf.task_always_eager = False
    conf.task_default_queue = queue
    conf.task_routes = {"*": {"queue": queue}}  # the reports queue too: every task comes to this worker
    _reset_router()
    signals.setup_logging.connect(_no_logging_setup, weak=False)
    try:
        with start_worker(
            celery_app,
            pool=pool,
            concurrency=concurrency,
            perform_ping_check=False,
            queues=[queue],
            shutdown_timeout=15,
        ):
            yield
    finally:
        signals.setup_logging.disconnect(_no_logging_setup)
        for key, value in saved.items():
            conf[key] = value
        _reset_router()
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


def worker_fixture(pool: str = "solo", concurrency: int = 1):
    """A module-scoped ``celery_worker`` fixture running one worker for the whole module."""

    @pytest.fixture(scope="module")
    def celery_worker(django_db_setup):
        with running_worker(pool=pool, concurrency=concurrency):
            yield

    return celery_worker


celery_worker = worker_fixture()


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
