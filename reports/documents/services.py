"""Asking for a report and retrying it (the worker's side of a job is in ``reports.documents.state``).

A request is validated by ``ReportRequestForm`` whoever makes it (page, API, command), then becomes a
``Report`` row; the build is queued on commit with the row's id only. The same request twice gives
the job already queued, running or (when its figures cannot have moved) already built.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ght_portal.models import Membership
from ght_portal.tenancy import require_acting_member
from reports.documents.forms import ReportRequestForm
from reports.models import Report
from reports.permissions import can_request_reports
from reports.revision import data_revision
from reports.tasks import build_report


def _require(membership: Membership, acting_user) -> None:
    require_acting_member(acting_user, membership)
    if not can_request_reports(membership):
        raise PermissionDenied(_("Seuls la cellule opérationnelle et les directions demandent des rapports."))


def enqueue(report: Report) -> None:
    """Queue the build once the row is committed (a worker must be able to read it)."""
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
    if built.data_as_of == timezone.localdate() and built.data_version == (data_revision(ght_id) or "-"):
        return built
    return None


def request_report(*, membership: Membership, data: Mapping, acting_user) -> tuple[Report, bool]:
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
def retry_report(*, membership: Membership, report: Report, acting_user) -> Report:
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
