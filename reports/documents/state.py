"""The state of a report job as the worker moves it: claim, progress, finish, release, fail.

Apart from the services (which create and retry jobs) so that the task imports these and the services
import the task, never both ways. Every change is a conditional UPDATE: two workers cannot both take
or finish a job.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ght_portal.models import Membership
from reports.models import MAX_ATTEMPTS, Report
from reports.permissions import can_request_reports

# A job still RUNNING this long after it started has lost its worker: the hard time limit
# (soft + 30 s, reports.tasks) has killed it by then.
STALE_AFTER = datetime.timedelta(seconds=settings.REPORT_SOFT_TIME_LIMIT + 90)


def claim(report_id: int) -> Report | None:
    """Take the job for this worker, or None when another worker has it or it is finished.

    A queued job is taken; a RUNNING one only once its worker is surely gone (redelivered by
    acks_late after a crash), and only while it has attempts left — then it is marked failed.
    """
    now = timezone.now()
    claimable = Q(status=Report.Status.REQUESTED) | Q(status=Report.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    with transaction.atomic():
        taken = Report.objects.filter(claimable, pk=report_id, attempts__lt=MAX_ATTEMPTS).update(
            status=Report.Status.RUNNING, started_at=now, attempts=F("attempts") + 1, progress=0, step=""
        )
        if not taken:
            Report.objects.filter(claimable, pk=report_id, attempts__gte=MAX_ATTEMPTS).update(
                status=Report.Status.FAILED,
                finished_at=now,
                error=_(
                    "La génération a été interrompue %(count)s fois (arrêt du serveur ou mémoire insuffisante). "
                    "Relancez-la ; si l'échec se répète, prévenez l'administrateur de la plateforme."
                )
                % {"count": MAX_ATTEMPTS},
            )
            return None
    return Report.objects.select_related("ght", "plan", "filiere", "campaign", "requested_by").get(pk=report_id)


def set_progress(report: Report, progress: int, step: str) -> None:
    """Seen at once by the polling page (the worker is not inside a transaction)."""
    Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).update(progress=progress, step=step)


def still_allowed(report: Report) -> bool:
    """Re-checked inside the worker: the person who asked is still a member allowed to ask."""
    if report.requested_by_id is None:
        return False
    membership = Membership.objects.active().filter(ght_id=report.ght_id, user_id=report.requested_by_id).first()
    return membership is not None and can_request_reports(membership)


def finish(
    report: Report, *, name: str, content: bytes, page_count: int, as_of: datetime.date, version: str | None = None
) -> None:
    report.file.save(name, ContentFile(content), save=False)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE,
        progress=100,
        step="",
        file=report.file.name,
        file_size=len(content),
        page_count=page_count,
        data_as_of=as_of,
        data_version=version or "",
        finished_at=timezone.now(),
        error="",
    )


def release(report: Report) -> None:
    """Give a running job back to the queue (a transient error; the retry claims it again)."""
    Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).update(status=Report.Status.REQUESTED, step="")


def fail(report: Report, reason: str) -> None:
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.FAILED, error=reason, finished_at=timezone.now(), step=""
    )
