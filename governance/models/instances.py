"""Governance bodies (instances) of a GHT, who sits on them, their meetings (séances) and decisions.

A decision may move the governance stage of the actions it concerns (``Action.governance_stage``);
that move and the decision are written together by ``governance.services.record_decision``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actions.models import Action
from filieres.models import Filiere
from ght_portal.formats import short_date
from ght_portal.models import TenantModel


class Instance(TenantModel):
    """A governance body of the GHT: comité stratégique, CMG, its bureau, CSIRMT, collège…"""

    class Kind(models.TextChoices):
        STRATEGIC = "costrat", _("Comité stratégique")
        CMG = "cmg", _("Commission médicale de groupement (CMG)")
        CMG_BUREAU = "bureau_cmg", _("Bureau de la CMG")
        CSIRMT = "csirmt", _("CSIRMT de groupement")
        CSIRMT_BUREAU = "bureau_csirmt", _("Bureau de la CSIRMT")
        COLLEGE = "college", _("Collège des chefs d'établissement")
        USERS = "usagers", _("Comité des usagers")
        OTHER = "autre", _("Autre instance")

    name = models.CharField(_("nom"), max_length=200)
    short_name = models.CharField(_("nom court"), max_length=40)
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("rang"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ght", "name"],
                name="instance_unique_name",
                violation_error_message=_("Une instance porte déjà ce nom dans ce GHT."),
            ),
            models.UniqueConstraint(
                fields=["ght", "short_name"],
                name="instance_unique_short_name",
                violation_error_message=_("Une instance porte déjà ce nom court dans ce GHT."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InstanceMember(TenantModel):
    """A person of the GHT sitting on an instance; the secretaries record its meetings and decisions."""

    class SeatRole(models.TextChoices):
        PRESIDENT = "president", _("Président·e")
        SECRETARY = "secretary", _("Secrétaire")
        MEMBER = "member", _("Membre")

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="members", verbose_name=_("instance"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="instance_seats", verbose_name=_("personne")
    )
    role = models.CharField(_("rôle dans l'instance"), max_length=10, choices=SeatRole.choices, default=SeatRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    ght_from = "instance"

    class Meta:
        verbose_name = _("membre d'instance")
        verbose_name_plural = _("membres d'instance")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "user"],
                name="instance_member_unique_user",
                violation_error_message=_("Cette personne siège déjà dans cette instance."),
            ),
            models.UniqueConstraint(
                fields=["instance"],
                condition=Q(role="president"),
                name="instance_one_president",
                violation_error_message=_("Cette instance a déjà un·e président·e."),
            ),
        ]
        indexes = [models.Index(fields=["ght", "user"], name="instance_member_ght_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) — {self.instance.short_name}"


class Meeting(TenantModel):
    """A séance: its date, where it is held, its agenda, who attended and the minutes."""

    instance = models.ForeignKey(
        Instance, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("instance")
    )
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    visio_url = models.URLField(_("lien de visioconférence"), blank=True)
    minutes = models.TextField(_("compte rendu"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    ght_from = "instance"

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["ght", "instance", "-starts_at"], name="meeting_ght_instance_date")]

    def __str__(self) -> str:
        return f"{self.instance.short_name} — {short_date(self.starts_at)}"


class AgendaItem(TenantModel):
    """One item of a meeting's agenda: an action, a filière, or free text (a note may go with either)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("séance"))
    position = models.PositiveSmallIntegerField(_("rang"))
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("action")
    )
    filiere = models.ForeignKey(
        Filiere, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("filière")
    )
    text = models.CharField(_("intitulé"), max_length=300, blank=True)

    ght_from = "meeting"

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("points de l'ordre du jour")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__isnull=True) | Q(filiere__isnull=True), name="agenda_item_action_or_filiere"
            )
        ]

    def __str__(self) -> str:
        return self.text or str(self.action or self.filiere or "")


class Attendance(TenantModel):
    """Whether one person was present, excused or absent at one meeting (kept when they leave the instance)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Présent·e")
        EXCUSED = "excused", _("Excusé·e")
        ABSENT = "absent", _("Absent·e")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("séance"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("présence"), max_length=8, choices=Status.choices)

    ght_from = "meeting"

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_one_per_person")]


class Decision(TenantModel):
    """An avis, validation, arbitrage or information of an instance, maybe taken in one of its meetings.

    ``stage`` is the governance stage the decision moved its actions to (empty when it moved none).
    """

    class Kind(models.TextChoices):
        FAVOURABLE = "avis_favorable", _("Avis favorable")
        UNFAVOURABLE = "avis_defavorable", _("Avis défavorable")
        RESERVED = "avis_reserve", _("Avis réservé")
        VALIDATION = "validation", _("Validation")
        ARBITRATION = "arbitrage", _("Arbitrage")
        INFORMATION = "information", _("Information")

    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("instance")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions", verbose_name=_("séance")
    )
    decided_on = models.DateField(_("date"))
    kind = models.CharField(_("nature"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("texte"))
    actions = models.ManyToManyField(
        Action, blank=True, related_name="governance_decisions", verbose_name=_("actions concernées")
    )
    stage = models.CharField(
        _("étape atteinte"), max_length=10, choices=Action.GovernanceStage.choices, blank=True, default=""
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    ght_from = "instance"

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["ght", "-decided_on"], name="decision_ght_date")]

    def __str__(self) -> str:
        return f"{self.instance.short_name} — {self.get_kind_display()} du {short_date(self.decided_on)}"

    def clean(self) -> None:
        super().clean()
        if (
            self.meeting_id is not None
            and self.instance_id is not None
            and self.meeting.instance_id != self.instance_id
        ):
            raise ValidationError(
                {"meeting": _("Cette séance n'est pas une séance de l'instance choisie.")}, code="other_instance"
            )
