"""Filières (medical or support functions) of a GHT, their pilots and working groups."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ght_portal.models import Establishment, TenantModel


def same_ght_errors(instance: TenantModel, *field_names: str) -> dict[str, ValidationError]:
    """Errors for the optional tenant foreign keys of ``instance`` that point into another GHT.

    ``instance.ght_id`` is taken from its parent first, so this works on unsaved rows too.
    """
    if instance.ght_from and instance.ght_id is None and getattr(instance, f"{instance.ght_from}_id") is not None:
        instance.inherit_ght()
    errors = {}
    for name in field_names:
        related = getattr(instance, name)
        if related is not None and instance.ght_id is not None and related.ght_id != instance.ght_id:
            errors[name] = ValidationError(_("Cet élément n'appartient pas à ce GHT."), code="other_ght")
    return errors


class Filiere(TenantModel):
    """A filière (geriatrics, emergencies…) or a support function: the second dimension of the plan."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Filière médicale")
        SUPPORT = "support", _("Fonction support ou transversale")

    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(_("code"), max_length=12, help_text=_("Abréviation courte, par exemple « GER »."))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.MEDICAL)
    description = models.TextField(_("description"), blank=True)
    strengths = models.TextField(_("forces"), blank=True)
    weaknesses = models.TextField(_("faiblesses"), blank=True)
    opportunities = models.TextField(_("opportunités"), blank=True)
    threats = models.TextField(_("menaces"), blank=True)
    establishments = models.ManyToManyField(
        Establishment, related_name="filieres", blank=True, verbose_name=_("établissements concernés")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("filière")
        verbose_name_plural = _("filières")
        ordering = ["name"]
        # Granted per filière with django-guardian to its pilots (filieres.services), checked by
        # actions.permissions: a pilot edits the objectives and actions of their own filières.
        permissions = [("pilot_filiere", _("Piloter la filière"))]
        constraints = [
            models.UniqueConstraint(
                fields=["ght", "name"],
                name="filiere_unique_name",
                violation_error_message=_("Une filière porte déjà ce nom dans ce GHT."),
            ),
            models.UniqueConstraint(
                fields=["ght", "code"],
                name="filiere_unique_code",
                violation_error_message=_("Une filière porte déjà ce code dans ce GHT."),
            ),
        ]
        indexes = [models.Index(fields=["ght", "kind", "is_active"], name="filiere_ght_kind_active")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Pilot(TenantModel):
    """One of the (usually four) people who lead a filière."""

    class PilotRole(models.TextChoices):
        PU_PH = "pu_ph", _("PU-PH")
        CH_DOCTOR = "ch_doctor", _("Médecin de CH")
        DIRECTOR = "director", _("Directeur")
        CARE_DIRECTOR = "care_director", _("Directeur des soins")
        OTHER = "other", _("Autre")

    filiere = models.ForeignKey(Filiere, on_delete=models.CASCADE, related_name="pilots", verbose_name=_("filière"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pilotings", verbose_name=_("personne")
    )
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("établissement"),
    )
    pilot_role = models.CharField(_("fonction de pilote"), max_length=15, choices=PilotRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    ght_from = "filiere"

    class Meta:
        verbose_name = _("pilote")
        verbose_name_plural = _("pilotes")
        constraints = [
            models.UniqueConstraint(
                fields=["filiere", "user"],
                name="pilot_unique_user",
                violation_error_message=_("Cette personne est déjà pilote de cette filière."),
            )
        ]
        indexes = [models.Index(fields=["ght", "user"], name="pilot_ght_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_pilot_role_display()}) — {self.filiere.code}"

    def clean(self) -> None:
        super().clean()
        if errors := same_ght_errors(self, "establishment"):
            raise ValidationError(errors)


class WorkingGroupMember(TenantModel):
    """A representative of an establishment in a filière's working group."""

    filiere = models.ForeignKey(
        Filiere, on_delete=models.CASCADE, related_name="working_group", verbose_name=_("filière")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_groups", verbose_name=_("personne")
    )
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("établissement"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    ght_from = "filiere"

    class Meta:
        verbose_name = _("membre du groupe de travail")
        verbose_name_plural = _("membres du groupe de travail")
        constraints = [
            models.UniqueConstraint(
                fields=["filiere", "user"],
                name="working_group_unique_user",
                violation_error_message=_("Cette personne fait déjà partie du groupe de travail de cette filière."),
            )
        ]
        indexes = [models.Index(fields=["ght", "user"], name="wgmember_ght_user")]

    def __str__(self) -> str:
        return f"{self.user} — {self.filiere.code}"

    def clean(self) -> None:
        super().clean()
        if errors := same_ght_errors(self, "establishment"):
            raise ValidationError(errors)
