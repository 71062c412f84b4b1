"""The June and December checkpoints (points d'étape): a campaign, the update each action in its scope
owes, the snapshot frozen at closing, and the log that makes every reminder go out at most once."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionStatus, Indicator, Plan
from filieres.models import Filiere
from ght_portal.models import TenantModel


class CampaignQuerySet(models.QuerySet):
    def open(self) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.OPEN)

    def closed(self) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.CLOSED)


class Campaign(TenantModel):
    """« Point d'étape juin 2026 »: every open action of the scope owes one update by the deadline.

    The scope is either every open action of the plan (``all_filieres``) or those of chosen filières.
    Closing freezes one ``Snapshot`` per action of the plan — those of the scope with their update, the
    others as they stand (« hors périmètre ») — and the filières as they were (``frozen_filieres``), so
    that the figures of the checkpoint equal the live figures of its closing day. A closed campaign
    never changes again.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        CLOSED = "closed", _("Clos")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("projet"))
    title = models.CharField(_("intitulé"), max_length=200, help_text=_("Par exemple « Point d'étape juin 2026 »."))
    deadline = models.DateField(_("date limite"))
    all_filieres = models.BooleanField(_("toutes les actions ouvertes du projet"), default=True)
    filieres = models.ManyToManyField(
        Filiere, blank=True, related_name="campaigns", verbose_name=_("filières concernées")
    )
    status = models.CharField(_("état"), max_length=6, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("ouvert le"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The GHT's filières at closing: [{"id", "code", "name", "kind"}] (what the figures read of them).
    frozen_filieres = models.JSONField(_("filières à la clôture"), default=list, blank=True)
    # Said of a checkpoint closed before snapshots froze the whole plan, completed afterwards from the
    # history: what could not be recovered as it stood (shown on its page and under its figures).
    completion_note = models.TextField(_("note de complétion"), blank=True)

    objects = CampaignQuerySet.as_manager()

    ght_from = "plan"

    class Meta:
        verbose_name = _("point d'étape")
        verbose_name_plural = _("points d'étape")
        ordering = ["-deadline", "-id"]
        indexes = [models.Index(fields=["ght", "status"], name="campaign_ght_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CheckpointUpdate(TenantModel):
    """What one action's owner or pilot reports for one campaign; filled, submitted, maybe sent back."""

    class State(models.TextChoices):
        TO_FILL = "to_fill", _("À remplir")
        SUBMITTED = "submitted", _("Soumise")
        RETURNED = "returned", _("Renvoyée pour complément")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="updates", verbose_name=_("point d'étape")
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="checkpoint_updates", verbose_name=_("action")
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.TO_FILL)
    status = models.CharField(_("statut"), max_length=12, choices=ActionStatus.choices, blank=True)
    health = models.CharField(_("état de santé"), max_length=10, choices=Action.Health.choices, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    achievements = models.TextField(_("réalisations de la période"), blank=True)
    blocking_points = models.TextField(_("points de blocage"), blank=True)
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_comment = models.TextField(_("commentaire de renvoi"), blank=True)
    returned_at = models.DateTimeField(_("renvoyée le"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    ght_from = "campaign"

    class Meta:
        verbose_name = _("mise à jour de point d'étape")
        verbose_name_plural = _("mises à jour de point d'étape")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "action"], name="checkpoint_update_one_per_action"),
            models.CheckConstraint(
                condition=models.Q(progress__isnull=True) | models.Q(progress__lte=100),
                name="checkpoint_update_progress_range",
            ),
        ]
        indexes = [models.Index(fields=["ght", "campaign", "state"], name="checkpoint_update_state")]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.action.code}"


class CheckpointMeasurement(TenantModel):
    """A new indicator value reported in an update; it becomes a ``Measurement`` when submitted."""

    update = models.ForeignKey(
        CheckpointUpdate, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("mise à jour")
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("indicateur"))
    measured_on = models.DateField(_("date de mesure"))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=4)

    ght_from = "update"

    class Meta:
        verbose_name = _("mesure déclarée")
        verbose_name_plural = _("mesures déclarées")
        constraints = [
            models.UniqueConstraint(fields=["update", "indicator"], name="checkpoint_measurement_one_per_indicator")
        ]


class SnapshotQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Snapshots are frozen: they are never updated")


class Snapshot(TenantModel):
    """One action as it stood when its campaign closed — copied, not referenced, so that it never moves.

    Every action of the plan has one: ``in_scope`` False for those outside the campaign's scope
    (« hors périmètre »: frozen as they stood, owing no update, not counted in the campaign's
    completion). Names, codes, the establishments concerned and the indicators' targets are copied
    too: renaming an axis or a filière later does not rewrite the past. ``action`` is kept for
    comparisons (it may become NULL if the action is deleted).
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("point d'étape")
    )
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("action"))
    action_code = models.CharField(_("code"), max_length=20)
    action_title = models.CharField(_("intitulé"), max_length=300)
    axis_position = models.PositiveSmallIntegerField(_("axe n°"), null=True)
    axis_title = models.CharField(_("axe"), max_length=300, blank=True)
    objective_title = models.CharField(_("objectif"), max_length=300, blank=True)
    filiere_ids = ArrayField(models.BigIntegerField(), default=list, verbose_name=_("filières (identifiants)"))
    filiere_codes = ArrayField(models.CharField(max_length=20), default=list, verbose_name=_("filières"))
    lead_establishment_id = models.BigIntegerField(_("établissement pilote (identifiant)"), null=True)
    establishment_ids = ArrayField(
        models.BigIntegerField(), default=list, blank=True, verbose_name=_("établissements concernés (identifiants)")
    )
    in_scope = models.BooleanField(_("dans le périmètre du point d'étape"), default=True)
    owner_name = models.CharField(_("responsable"), max_length=150, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=ActionStatus.choices)
    health = models.CharField(_("état de santé"), max_length=10, choices=Action.Health.choices)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"))
    start_date = models.DateField(_("date de début"), null=True)
    due_date = models.DateField(_("échéance"), null=True)
    done_on = models.DateField(_("réalisée le"), null=True)
    stopped_on = models.DateField(_("suspendue ou abandonnée le"), null=True)
    is_late = models.BooleanField(_("en retard à la clôture"))
    achievements = models.TextField(_("réalisations"), blank=True)
    blocking_points = models.TextField(_("points de blocage"), blank=True)
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    # Blank for an action outside the scope (it owed no update).
    update_state = models.CharField(_("mise à jour"), max_length=10, choices=CheckpointUpdate.State.choices, blank=True)
    # [{"indicator_id", "name", "unit", "baseline", "target", "target_date", "value", "measured_on"}],
    # values as strings, dates in ISO
    indicators = models.JSONField(_("indicateurs"), default=list)
    taken_at = models.DateTimeField(_("figé le"))

    objects = SnapshotQuerySet.as_manager()

    ght_from = "campaign"

    class Meta:
        verbose_name = _("instantané")
        verbose_name_plural = _("instantanés")
        ordering = ["axis_position", "action_code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "action_code"], name="snapshot_one_per_action")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Snapshots are frozen: they are never updated")
        super().save(*args, **kwargs)


class ReminderLog(TenantModel):
    """One row per reminder event and recipient, claimed BEFORE the mail is sent.

    The unique ``key`` (e.g. ``campaign:12:d-7:user:5``) is inserted in the same transaction that
    queues the mail (on commit), so a beat or worker that restarts, or two workers racing, can never
    send the same reminder twice.
    """

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("destinataire")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relance envoyée")
        verbose_name_plural = _("relances envoyées")
