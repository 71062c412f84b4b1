"""The report build job: claim the row, re-check the requester, lay out the PDF, store it.

Runs on its own queue (``reports``) so that a long PDF never delays the mails, with a hard time limit
well under the broker's visibility timeout (no redelivery while it still runs). ``acks_late`` with
``reject_on_worker_lost`` gives a job whose worker died to another worker; the claim in
``state.claim`` makes that safe and caps the attempts.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.utils.translation import gettext as _

from reports.documents import state
from reports.revision import data_revision

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_SOFT_TIME_LIMIT + 30,
    max_retries=2,
)
def build_report(self, report_id: int) -> str:
    report = state.claim(report_id)
    if report is None:
        return "not-claimed"  # another worker has it, or it is finished, or it ran out of attempts
    if not state.still_allowed(report):
        state.fail(report, _("La personne qui a demandé ce rapport n'a plus accès à ce GHT ou plus ce droit."))
        return "refused"
    from reports.documents import build as documents  # WeasyPrint: loaded by workers, not by the web

    try:
        version = data_revision(report.ght_id)  # before reading: a change during the build means a newer one
        built = documents.build(report, progress=lambda percent, step: state.set_progress(report, percent, step))
        state.finish(
            report,
            name=report.download_name(),
            content=built.content,
            page_count=built.page_count,
            as_of=built.as_of,
            version=version,
        )
    except SoftTimeLimitExceeded:
        state.fail(
            report,
            _("La génération a dépassé %(seconds)s secondes et a été arrêtée.")
            % {"seconds": settings.REPORT_SOFT_TIME_LIMIT},
        )
        return "timeout"
    except (OperationalError, OSError) as error:
        # The database or the storage went away for a moment: give the job back and try again later.
        logger.warning("report %s: transient error %r, attempt %s", report_id, error, self.request.retries + 1)
        if self.request.retries < self.max_retries:
            state.release(report)
            raise self.retry(exc=error, countdown=30 * (self.request.retries + 1)) from error
        state.fail(report, _("Le stockage ou la base de données n'a pas répondu ; relancez dans quelques minutes."))
        return "failed"
    except Exception:
        logger.exception("report %s failed", report_id)
        state.fail(
            report,
            _(
                "Une erreur inattendue a interrompu la génération (rapport n° %(id)s). "
                "Elle est consignée dans le journal du serveur ; vous pouvez relancer."
            )
            % {"id": report_id},
        )
        return "failed"
    return "done"
