"""A real Celery worker on Redis builds the annual review end to end; a redelivered message or a
second worker never builds it twice."""

from __future__ import annotations

import pytest

from reports.documents import services
from reports.models import Report
from reports.tasks import build_report
from tests import worker
from tests.reports_world import ReportWorld, pdf_text
from tests.worker import assert_ran_in_worker

pytestmark = pytest.mark.worker

celery_worker = worker.celery_worker  # fixtures, found by pytest under these names
tasks = worker.tasks


@pytest.fixture
def world(transactional_db, ght, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return ReportWorld(ght, make_member)


def test_a_worker_builds_the_review_asked_for(world, tasks):
    report, created = services.request_report(
        membership=world.director.memberships.get(),
        data={"kind": "costrat", "plan": world.plan.pk, "year": world.year},
        acting_user=world.director,
    )
    assert created
    run = tasks.wait_for("reports.tasks.build_report")
    assert_ran_in_worker(run)
    assert run["retval"] == "done"
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts) == (Report.Status.DONE, 100, 1)
    assert report.page_count >= 8 and report.file_size > 10_000
    with report.file.open("rb") as handle:
        words = pdf_text(handle.read())
    assert "GHT Alpha" in words and "7 actions suivies" in words and "GHT Bêta" not in words


def test_a_message_delivered_twice_builds_once(world, tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # queued by hand below, twice
        report, _ = services.request_report(
            membership=world.office.memberships.get(),
            data={"kind": "roadmap", "plan": world.plan.pk, "year": world.year, "filiere": world.geriatrics.pk},
            acting_user=world.office,
        )
    build_report.delay(report.pk)
    build_report.delay(report.pk)
    runs = tasks.wait_for_all("reports.tasks.build_report", 2)
    assert sorted(run["retval"] for run in runs) == ["done", "not-claimed"]
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.attempts == 1
