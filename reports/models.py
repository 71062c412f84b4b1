"""Report jobs: one row per PDF asked for, its parameters, its state, who asked and the stored file.

The row is the job: Celery only carries its id. A worker claims it with a conditional update, so a
redelivered message or a second worker can never build it twice; the state, the progress and the
reason of a failure are read from here by the page that polls it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Plan
from filieres.models import Filiere
from ght_portal.formats import short_date
from ght_portal.models import TenantModel
from governance.models import Campaign

# Tries of one job before it is marked failed for good (a worker killed for memory is requeued
# by acks_late; without a cap the same job would be retried forever).
MAX_ATTEMPTS = 3


def report_path(report: Report, filename: str) -> str:
    """Per GHT and per year; the name is not guessable, the file is only served through a view."""
    import secrets

    return f"reports/{report.ght_id}/{report.year}/{report.kind}-{report.pk}-{secrets.token_hex(6)}.pdf"


class ReportQuerySet(models.QuerySet):
    def pending(self) -> ReportQuerySet:
        return self.filter(status__in=Report.PENDING)


class Report(TenantModel):
    class Kind(models.TextChoices):
        STRATEGIC_REVIEW = "costrat", _("Bilan annuel du PMSP — comité stratégique")
        CMG_REVIEW = "cmg", _("Bilan annuel du PMSP — CMG (filières médicales)")
        ROADMAP = "roadmap", _("Feuille de route d'une filière")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    PENDING = (Status.REQUESTED, Status.RUNNING)

    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reports", verbose_name=_("projet"))
    year = models.PositiveSmallIntegerField(_("année"))
    filiere = models.ForeignKey(
        Filiere, on_delete=models.CASCADE, null=True, blank=True, related_name="reports", verbose_name=_("filière")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("chiffres du point d'étape"),
        help_text=_("Vide : les chiffres du jour de la génération."),
    )
    # The parameters in one string, so that "the same request twice" is one unique index away.
    fingerprint = models.CharField(max_length=120, editable=False)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape"), max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    data_as_of = models.DateField(_("chiffres au"), null=True, blank=True)
    # The revision of the GHT's data the build read (reports.revision.data_revision): a finished
    # report of today's figures is handed out again only while it is still the current one.
    data_version = models.CharField(max_length=64, blank=True, editable=False)
    file = models.FileField(_("fichier"), upload_to=report_path, blank=True, max_length=200)
    file_size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("motif de l'échec"), blank=True)

    objects = ReportQuerySet.as_manager()

    ght_from = "plan"

    class Meta:
        verbose_name = _("rapport")
        verbose_name_plural = _("rapports")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["ght", "-requested_at"], name="report_ght_requested")]
        constraints = [
            models.UniqueConstraint(
                fields=["ght", "fingerprint"],
                condition=models.Q(status__in=["requested", "running"]),
                name="report_one_pending_per_request",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    @staticmethod
    def make_fingerprint(kind: str, plan_id: int, year: int, filiere_id: int | None, campaign_id: int | None) -> str:
        return f"{kind}:plan={plan_id}:year={year}:filiere={filiere_id or '-'}:campaign={campaign_id or 'live'}"

    def save(self, *args, **kwargs):
        self.fingerprint = self.make_fingerprint(self.kind, self.plan_id, self.year, self.filiere_id, self.campaign_id)
        super().save(*args, **kwargs)

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def source_label(self) -> str:
        if self.campaign_id:
            return str(_("Chiffres du point d'étape « %(title)s »")) % {"title": self.campaign.title}
        if self.data_as_of:
            return str(_("Chiffres du portail au %(date)s")) % {"date": short_date(self.data_as_of)}
        return str(_("Chiffres du portail au jour de la génération"))

    def download_name(self) -> str:
        """A file name a director recognises in their downloads folder."""
        from django.utils.text import slugify

        parts = [self.ght.slug, self.kind, str(self.year)]
        if self.filiere_id:
            parts.append(slugify(self.filiere.code))
        day = timezone.localdate(self.finished_at or timezone.now())  # in Paris, as the cover: not UTC
        return "-".join([*parts, f"{day:%Y%m%d}"]) + ".pdf"


class DataRevision(models.Model):
    """The revision of a GHT's data as the figures and the documents read it.

    Bumped once per committing transaction that wrote any of those rows, by the deferred constraint
    triggers of ``reports.revision`` (installed by migration ``0003_data_revision``): written in the
    same transaction as the change, at its commit, so that no committed change can be missed — and
    so that a long import holds no lock on this row until it commits. Never written by Django.
    """

    ght = models.OneToOneField("ght_portal.GHT", on_delete=models.CASCADE, primary_key=True, related_name="+")
    revision = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("révision des données")
        verbose_name_plural = _("révisions des données")

    def __str__(self) -> str:
        return f"{self.ght_id}: {self.revision}"
