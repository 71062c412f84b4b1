"""The plan (PMSP) of a GHT: axes, objectives, actions, and what follows them up.

Every row carries its GHT, copied on save from its parent (``TenantModel.ght_from``).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actions.validators import validate_prs_reference
from filieres.models import Filiere, same_ght_errors
from ght_portal.formats import format_number, short_date
from ght_portal.models import Establishment, TenantModel

MAX_PLAN_YEARS = 10


class Plan(TenantModel):
    """One PMSP (e.g. 2024–2029). A GHT lives through successive plans; at most one is in force."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        ACTIVE = "active", _("En vigueur")
        ARCHIVED = "archived", _("Archivé")

    class AxisLabel(models.TextChoices):
        AMBITION = "ambition", _("Ambition")
        AXIS = "axe", _("Axe")
        ENGAGEMENT = "engagement", _("Engagement")
        MAJOR_OBJECTIVE = "objectif_majeur", _("Objectif majeur")

    title = models.CharField(_("titre"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("année de début"), validators=[MinValueValidator(2000)])
    end_year = models.PositiveSmallIntegerField(_("année de fin"), validators=[MinValueValidator(2000)])
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    axis_label = models.CharField(
        _("nom du premier niveau"),
        max_length=20,
        choices=AxisLabel.choices,
        default=AxisLabel.AXIS,
        help_text=_("Le mot que le GHT emploie pour les grandes orientations de son projet."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("projet médico-soignant partagé")
        verbose_name_plural = _("projets médico-soignants partagés")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["ght"],
                condition=Q(status="active"),
                name="plan_one_active_per_ght",
                violation_error_message=_("Un autre projet est déjà en vigueur dans ce GHT ; archivez-le d'abord."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gt=models.F("start_year"), end_year__lte=models.F("start_year") + MAX_PLAN_YEARS),
                name="plan_period_valid",
                violation_error_message=_("La période du projet est invalide."),
            ),
        ]
        indexes = [models.Index(fields=["ght", "status"], name="plan_ght_status")]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    def clean(self) -> None:
        super().clean()
        if self.start_year is None or self.end_year is None:
            return
        if self.end_year <= self.start_year:
            message = _("L'année de fin doit être postérieure à l'année de début.")
            raise ValidationError({"end_year": ValidationError(message, code="period_order")})
        if self.end_year - self.start_year > MAX_PLAN_YEARS:
            message = _("Un projet couvre au plus %(years)s ans.")
            raise ValidationError(
                {"end_year": ValidationError(message, params={"years": MAX_PLAN_YEARS}, code="period_length")}
            )


class Axis(TenantModel):
    """Top level of a plan: what the GHT calls an ambition, an axe, an engagement or an objectif majeur."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="axes", verbose_name=_("projet"))
    position = models.PositiveSmallIntegerField(_("rang"))
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    ght_from = "plan"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("axe")
        verbose_name_plural = _("axes")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"],
                name="axis_unique_position",
                violation_error_message=_("Ce rang est déjà pris dans ce projet."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Objective(TenantModel):
    """An objective under an axis; a filière may own it."""

    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("axe"))
    position = models.PositiveSmallIntegerField(_("rang"))
    code = models.CharField(_("code"), max_length=20, blank=True, help_text=_("Par exemple « 1.2 »."))
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    filiere = models.ForeignKey(
        Filiere,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("filière"),
    )

    ght_from = "axis"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["ght", "filiere"], name="objective_ght_filiere")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def clean(self) -> None:
        super().clean()
        if errors := same_ght_errors(self, "filiere"):
            raise ValidationError(errors)


# --- "En retard": computed from dates, never stored. The rule lives here, once, in two spellings
# (SQL and Python) built from the same constants; tests/test_plan_models.py checks that they agree.


class ActionStatus(models.TextChoices):
    TO_START = "a_lancer", _("À lancer")
    IN_PROGRESS = "en_cours", _("En cours")
    DONE = "realisee", _("Réalisée")
    SUSPENDED = "suspendue", _("Suspendue")
    ABANDONED = "abandonnee", _("Abandonnée")


# An action in one of these statuses is never late, whatever its due date.
CLOSED_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.ABANDONED})
STOPPED_STATUSES = frozenset({ActionStatus.SUSPENDED, ActionStatus.ABANDONED})


def late_condition(today: datetime.date) -> Q:
    """An action is late when its due date is before ``today`` and it is neither done nor abandoned."""
    return Q(due_date__lt=today) & ~Q(status__in=CLOSED_STATUSES)


def running_in_q(year: int, prefix: str = "") -> Q:
    """An action runs during ``year`` when its period (start to due date) meets it; a missing date is
    taken as the other one, an action with neither never runs (as on the timeline and the roadmaps).
    ``prefix`` reaches the dates from another model; a snapshot's dates have the same names."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start, due = f"{prefix}start_date", f"{prefix}due_date"
    both = Q(**{f"{start}__lte": last, f"{due}__gte": first})
    only_due = Q(**{f"{start}__isnull": True, f"{due}__range": (first, last)})
    only_start = Q(**{f"{due}__isnull": True, f"{start}__range": (first, last)})
    return both | only_due | only_start


def status_date_errors(
    status: str, start_date: datetime.date | None, dates: dict, today: datetime.date
) -> dict[str, str]:
    """What is wrong with an achievement or stop date given for an action (French, by field): a date
    only for the status it dates, never in the future nor before the action's start. Shared by the
    office's correction and the import."""
    errors = {}
    for name, statuses, wrong in (
        ("done_on", {ActionStatus.DONE}, _("Une date de réalisation ne s'indique que pour une action réalisée.")),
        (
            "stopped_on",
            STOPPED_STATUSES,
            _("Une date d'arrêt ne s'indique que pour une action suspendue ou abandonnée."),
        ),
    ):
        value = dates.get(name)
        if value is None:
            continue
        if status not in statuses:
            errors[name] = wrong
        elif value > today:
            errors[name] = _("Cette date ne peut pas être dans le futur.")
        elif start_date is not None and value < start_date:
            errors[name] = _("Cette date ne peut pas précéder la date de début de l'action.")
    return errors


def is_late(due_date: datetime.date | None, status: str, today: datetime.date) -> bool:
    """``late_condition`` for one row, in Python (no due date: never late)."""
    return due_date is not None and due_date < today and status not in CLOSED_STATUSES


def in_filieres_q(filieres, prefix: str = "") -> Q:
    """An action belongs to a filière when tagged with it, or when its objective is the filière's (so a
    pilot owns what hangs under their objectives too). ``filieres``: ids, a queryset, or one filière
    (a row or an ``OuterRef``); ``prefix`` reaches the action from another model ("action__").
    ``Action.in_filieres`` is the same rule for one loaded row. The join may repeat a row: use it
    as a subquery or with ``distinct()``."""
    if isinstance(filieres, models.Model | F | int):
        return Q(**{f"{prefix}filieres": filieres}) | Q(**{f"{prefix}objective__filiere": filieres})
    return Q(**{f"{prefix}filieres__in": filieres}) | Q(**{f"{prefix}objective__filiere_id__in": filieres})


class ActionQuerySet(models.QuerySet):
    def in_filieres(self, filieres) -> ActionQuerySet:
        """The actions of these filières (``in_filieres_q``)."""
        return self.filter(in_filieres_q(filieres))

    def late(self, today: datetime.date | None = None) -> ActionQuerySet:
        return self.filter(late_condition(today or timezone.localdate()))

    def annotate_late(self, today: datetime.date | None = None) -> ActionQuerySet:
        """Adds ``is_late_db`` (a boolean, False when there is no due date)."""
        condition = late_condition(today or timezone.localdate())
        return self.annotate(
            is_late_db=Case(When(condition, then=Value(True)), default=Value(False), output_field=models.BooleanField())
        )


class Action(TenantModel):
    """An action of the plan: the unit that owners update and checkpoints review."""

    Status = ActionStatus

    class Priority(models.TextChoices):
        HIGH = "haute", _("Haute")
        MEDIUM = "moyenne", _("Moyenne")
        LOW = "basse", _("Basse")

    class Health(models.TextChoices):
        ON_TRACK = "on_track", _("En bonne voie")
        AT_RISK = "at_risk", _("À risque")
        OFF_TRACK = "off_track", _("En difficulté")

    class GovernanceStage(models.TextChoices):
        """Where a project stands in the instances (governance/services.py holds the allowed moves)."""

        PROPOSED = "proposee", _("Proposée")
        CONSULTED = "consultee", _("Consultée")
        OPINION = "avis", _("Avis CMG / CSIRMT")
        VALIDATED = "validee", _("Décidée : validée")
        REFUSED = "refusee", _("Décidée : refusée")
        POSTPONED = "ajournee", _("Décidée : ajournée")

    class FundingSource(models.TextChoices):
        FIR = "fir", _("FIR (fonds d'intervention régional)")
        ARS_CALL = "aap_ars", _("Appel à projets ARS")
        OWN_FUNDS = "fonds_propres", _("Fonds propres")
        OTHER = "autre", _("Autre")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("projet"))
    objective = models.ForeignKey(
        Objective,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("objectif"),
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("Par exemple « FMS-3 » ou « 12 »."))
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    filieres = models.ManyToManyField(Filiere, related_name="actions", blank=True, verbose_name=_("filières"))
    lead_establishment = models.ForeignKey(
        Establishment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
        verbose_name=_("établissement pilote"),
    )
    establishments = models.ManyToManyField(
        Establishment, related_name="actions", blank=True, verbose_name=_("établissements concernés")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("responsable"),
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="contributed_actions", blank=True, verbose_name=_("contributeurs")
    )
    priority = models.CharField(_("priorité"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.TO_START)
    health = models.CharField(_("état de santé"), max_length=10, choices=Health.choices, default=Health.ON_TRACK)
    # When the status became « réalisée », « suspendue » or « abandonnée » (None: not so, or not known).
    done_on = models.DateField(_("réalisée le"), null=True, blank=True)
    stopped_on = models.DateField(_("suspendue ou abandonnée le"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # Empty for an action that is simply in the plan; moved only by governance.services.
    governance_stage = models.CharField(
        _("étape en instance"), max_length=10, choices=GovernanceStage.choices, blank=True, default=""
    )
    prs_references = ArrayField(
        models.CharField(max_length=20, validators=[validate_prs_reference]),
        verbose_name=_("objectifs du PRS"),
        default=list,
        blank=True,
        help_text=_("Références séparées par des virgules, par exemple « E1D2O1, E2D1O3 »."),
    )
    funding_source = models.CharField(
        _("source de financement"), max_length=15, choices=FundingSource.choices, blank=True
    )
    funding_amount = models.DecimalField(
        _("montant du financement (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    # Incremented by the editing services, compared on save to refuse a stale form (optimistic locking).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    # What the lists' French full-text search reads (actions.filters): kept up to date by PostgreSQL
    # and GIN-indexed, so that a search computes no to_tsvector per row. Not in the history: it only
    # mirrors code, title and description.
    search_vector = models.GeneratedField(
        expression=SearchVector("code", "title", "description", config="french"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ActionQuerySet.as_manager()
    # Plain history: simple-history 3.13's m2m_fields crash when the relation is changed from the
    # other side (django-simple-history#1048, e.g. ``filiere.actions.add(action)``).
    history = HistoricalRecords(excluded_fields=["search_vector"])

    ght_from = "plan"

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="action_unique_code_per_plan",
                violation_error_message=_("Une action porte déjà ce code dans ce projet."),
            ),
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="action_progress_percent"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=models.F("start_date")),
                name="action_due_after_start",
            ),
            models.CheckConstraint(
                condition=Q(funding_amount__isnull=True) | Q(funding_amount__gte=0),
                name="action_funding_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["ght", "plan", "status"], name="action_ght_plan_status"),
            models.Index(fields=["ght", "due_date"], name="action_ght_due_date"),
            models.Index(fields=["ght", "owner"], name="action_ght_owner"),
            GinIndex(fields=["search_vector"], name="action_search"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def is_late(self) -> bool:
        return is_late(self.due_date, self.status, timezone.localdate())

    def filiere_ids(self) -> set[int]:
        """The action's filières, plus its objective's (``in_filieres_q`` for one row).

        Reads ``self.filieres.all()``, so prefetch ``filieres`` (and select ``objective``) on lists."""
        ids = {filiere.pk for filiere in self.filieres.all()} if self.pk else set()
        if self.objective_id is not None and self.objective.filiere_id is not None:
            ids.add(self.objective.filiere_id)
        return ids

    def in_filieres(self, filiere_ids: Collection[int]) -> bool:
        """Whether the action belongs to one of these filières (``ActionQuerySet.in_filieres`` in Python)."""
        return not self.filiere_ids().isdisjoint(filiere_ids)

    def _objective_in_plan(self) -> bool:
        if self.objective_id is None or self.plan_id is None:
            return True
        return self.objective.axis.plan_id == self.plan_id

    def clean(self) -> None:
        super().clean()
        errors = same_ght_errors(self, "lead_establishment")
        if not self._objective_in_plan():
            errors["objective"] = ValidationError(
                _("Cet objectif n'appartient pas au projet de l'action."), code="objective_other_plan"
            )
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = ValidationError(
                _("L'échéance ne peut pas précéder la date de début."), code="due_before_start"
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remembers the status and dates as loaded: ``save`` dates a change of status from them."""
        instance = super().from_db(db, field_names, values)
        instance._loaded = {name: instance.__dict__.get(name) for name in ("status", "done_on", "stopped_on")}
        return instance

    def _date_status_change(self) -> set[str]:
        """When the status moves, the day it moved: ``done_on`` for « réalisée », ``stopped_on`` for
        « suspendue » or « abandonnée », cleared when the action leaves them — unless this very change
        sets the date itself (the import, the office's correction). A new action keeps the dates it is
        given: created already done with none, its date is unknown. Returns the fields changed."""
        loaded = getattr(self, "_loaded", None)
        if self._state.adding or loaded is None or "status" not in self.__dict__ or loaded["status"] == self.status:
            return set()
        today = timezone.localdate()
        changed = set()
        for name, statuses in (("done_on", {ActionStatus.DONE}), ("stopped_on", STOPPED_STATUSES)):
            if getattr(self, name) != loaded[name]:
                continue  # set by the caller in this change
            value = today if self.status in statuses else None
            if value != getattr(self, name):
                setattr(self, name, value)
                changed.add(name)
        return changed

    def save(self, *args, **kwargs):
        """Every save of an existing action moves its version on, whoever saves it (forms, import,
        scripts): an edit begun on an older version is then refused instead of overwriting it. A
        change of status dates itself (``_date_status_change``)."""
        if not self._objective_in_plan():
            raise ValueError(f"Action {self.code}: objective {self.objective_id} is not in plan {self.plan_id}")
        if not self._state.adding:
            self.version += 1
            dated = self._date_status_change()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", *dated}
        super().save(*args, **kwargs)
        self._loaded = {name: self.__dict__.get(name) for name in ("status", "done_on", "stopped_on")}


class Milestone(TenantModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("action"))
    title = models.CharField(_("intitulé"), max_length=300)
    due_date = models.DateField(_("échéance"))
    done_on = models.DateField(_("atteint le"), null=True, blank=True)

    ght_from = "action"

    class Meta:
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["ght", "due_date"], name="milestone_ght_due_date")]

    def __str__(self) -> str:
        return self.title


class Indicator(TenantModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("action"))
    name = models.CharField(_("nom"), max_length=300)
    unit = models.CharField(_("unité"), max_length=40, blank=True, help_text=_("Par exemple « % », « patients »."))
    baseline = models.DecimalField(_("valeur de référence"), max_digits=14, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(_("cible"), max_digits=14, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(_("date cible"), null=True, blank=True)

    ght_from = "action"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Measurement(TenantModel):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("indicateur")
    )
    measured_on = models.DateField(_("date de mesure"))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=4)
    comment = models.TextField(_("commentaire"), blank=True)

    ght_from = "indicator"

    class Meta:
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")
        ordering = ["measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "measured_on"],
                name="measurement_unique_date",
                violation_error_message=_("Une mesure existe déjà à cette date pour cet indicateur."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} : {format_number(self.value)} ({short_date(self.measured_on)})"


class ActionUpdate(TenantModel):
    """One dated entry of an action's log: an update (with the state at that moment) or a comment."""

    class Kind(models.TextChoices):
        UPDATE = "update", _("Mise à jour")
        COMMENT = "comment", _("Commentaire")
        # Written by the services, shown in the action's history (not in its log): changes of its
        # filières, establishments, contributors, milestones, indicators and measurements.
        CHANGE = "change", _("Modification")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates", verbose_name=_("action"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.UPDATE)
    text = models.TextField(_("texte"))
    status = models.CharField(_("statut"), max_length=12, choices=ActionStatus.choices, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    health = models.CharField(_("état de santé"), max_length=10, choices=Action.Health.choices, blank=True)

    ght_from = "action"

    class Meta:
        verbose_name = _("point de suivi")
        verbose_name_plural = _("points de suivi")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ght", "-created_at"], name="actionupdate_ght_created")]

    def __str__(self) -> str:
        return f"{self.action.code} — {self.get_kind_display()} du {short_date(self.created_at)}"
