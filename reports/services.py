"""Asking for a report, retrying it, and the worker's claim: the rules of report jobs in one place.

A request is validated by ``ReportRequestForm`` whoever makes it (page, API, command), then becomes a
``Report`` row; the build is queued on commit with the row's id only. The same request twice gives
the job already queued, running or (when its figures cannot have moved) already built.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ght_portal.models import Membership, Role
from reports.figures_cache import data_version
from reports.forms import ReportRequestForm
from reports.models import MAX_ATTEMPTS, Report

REPORT_ROLES = frozenset({Role.OFFICE, Role.DIRECTOR})
# A job still RUNNING this long after it started has lost its worker: the hard time limit
# (soft + 30 s, reports.tasks) has killed it by then.
STALE_AFTER = datetime.timedelta(seconds=settings.REPORT_SOFT_TIME_LIMIT + 90)


def can_request_reports(membership: Membership) -> bool:
    """The office and the directors / instance members ask for reports and download them."""
    return membership.role in REPORT_ROLES


def _require(membership: Membership, acting_user=None) -> None:
    if acting_user is not None and membership.user_id != acting_user.pk:
        raise PermissionDenied
    if not membership.is_active or not can_request_reports(membership):
        raise PermissionDenied(_("Seuls la cellule opérationnelle et les directions demandent des rapports."))


def enqueue(report: Report) -> None:
    """Queue the build once the row is committed (a worker must be able to read it)."""
    from reports.tasks import build_report

    transaction.on_commit(lambda: build_report.delay(report.pk))


def _reusable(ght_id: int, fingerprint: str) -> Report | None:
    """A job for the same request that is queued, running, or built on figures that have not moved."""
    pending = Report.objects.filter(ght_id=ght_id, fingerprint=fingerprint).pending().first()
    if pending is not None:
        return pending
    built = (
        Report.objects.filter(ght_id=ght_id, fingerprint=fingerprint, status=Report.Status.DONE)
        .exclude(file="")
        .order_by("-finished_at")
        .first()
    )
    if built is None:
        return None
    if built.campaign_id is not None:
        return built  # a closed checkpoint's figures are frozen
    # Today's figures: the same only on the same day (« en retard » moves) and the same data.
    if built.data_as_of == timezone.localdate() and built.data_version == (data_version(ght_id) or "-"):
        return built
    return None


def request_report(*, membership: Membership, data: Mapping, acting_user=None) -> tuple[Report, bool]:
    """Validate ``data`` (kind, plan, year, filiere, campaign: ids or objects) and return the job with
    ``created`` False when an identical one is queued, running or still true. Raises ValidationError
    (French messages, by field) or PermissionDenied; writes nothing when it raises."""
    _require(membership, acting_user)
    form = ReportRequestForm(data={key: getattr(value, "pk", value) for key, value in data.items()}, ght=membership.ght)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    cleaned = form.cleaned_data
    fingerprint = Report.make_fingerprint(
        cleaned["kind"],
        cleaned["plan"].pk,
        cleaned["year"],
        getattr(cleaned["filiere"], "pk", None),
        getattr(cleaned["campaign"], "pk", None),
    )
    existing = _reusable(membership.ght_id, fingerprint)
    if existing is not None:
        return existing, False
    report = Report(
        ght_id=membership.ght_id,
        kind=cleaned["kind"],
        plan=cleaned["plan"],
        year=cleaned["year"],
        filiere=cleaned["filiere"],
        campaign=cleaned["campaign"],
        requested_by=membership.user,
    )
    try:
        with transaction.atomic():
            report.save()
            enqueue(report)
    except IntegrityError:
        # Another request for the same thing committed first (double click, two tabs): use it.
        return Report.objects.get(ght_id=membership.ght_id, fingerprint=fingerprint, status__in=Report.PENDING), False
    return report, True


@transaction.atomic
def retry_report(*, membership: Membership, report: Report, acting_user=None) -> Report:
    """Queue a failed job again (the attempts count starts over: a person decided to try again)."""
    _require(membership, acting_user)
    if report.ght_id != membership.ght_id:
        raise PermissionDenied
    updated = Report.objects.filter(pk=report.pk, status=Report.Status.FAILED).update(
        status=Report.Status.REQUESTED, progress=0, step="", attempts=0, error="", started_at=None, finished_at=None
    )
    if not updated:
        raise ValidationError(_("Seul un rapport en échec peut être relancé."))
    report.refresh_from_db()
    enqueue(report)
    return report


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
    from django.core.files.base import ContentFile

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
