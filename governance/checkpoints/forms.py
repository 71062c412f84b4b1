"""Forms of the checkpoints; choice fields only ever offer the current GHT's rows."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Action, Plan
from actions.pages.forms import VersionField
from filieres.models import Filiere
from ght_portal.formats import short_date
from ght_portal.tenancy import scoped
from governance.checkpoints.services import DeclaredMeasurement
from governance.models import Campaign, CheckpointUpdate

SCOPE_ALL = "all"
SCOPE_FILIERES = "filieres"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.Form):
    title = forms.CharField(
        label=_("Intitulé"), max_length=200, help_text=_("Par exemple « Point d'étape juin 2026 ».")
    )
    plan = forms.ModelChoiceField(label=_("Projet"), queryset=Plan.objects.none())
    deadline = forms.DateField(label=_("Date limite"), widget=DateInput())
    scope = forms.ChoiceField(
        label=_("Périmètre"),
        choices=[
            (SCOPE_ALL, _("Toutes les actions ouvertes du projet")),
            (SCOPE_FILIERES, _("Les actions ouvertes des filières choisies")),
        ],
        initial=SCOPE_ALL,
        widget=forms.RadioSelect,
    )
    filieres = forms.ModelMultipleChoiceField(
        label=_("Filières concernées"),
        queryset=Filiere.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Seulement si le périmètre est celui des filières choisies."),
    )

    def __init__(self, *args, ght, **kwargs):
        super().__init__(*args, **kwargs)
        plans = scoped(Plan, ght).exclude(status=Plan.Status.ARCHIVED).order_by("-start_year")
        self.fields["plan"].queryset = plans
        active = next((plan for plan in plans if plan.status == Plan.Status.ACTIVE), None)
        if active is not None:
            self.fields["plan"].initial = active.pk
        self.fields["filieres"].queryset = scoped(Filiere, ght).filter(is_active=True).order_by("code")

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("La date limite ne peut pas être dans le passé."))
        return deadline

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == SCOPE_FILIERES and not cleaned.get("filieres") and "filieres" not in self.errors:
            self.add_error("filieres", _("Choisissez au moins une filière."))
        return cleaned


class UpdateForm(forms.Form):
    """One update: the action's follow-up, the three texts, and a new value per indicator (optional)."""

    status = forms.ChoiceField(label=_("Statut"), choices=Action.Status.choices)
    progress = forms.IntegerField(
        label=_("Avancement (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    health = forms.ChoiceField(label=_("État de santé"), choices=Action.Health.choices)
    achievements = forms.CharField(
        label=_("Réalisations de la période"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    blocking_points = forms.CharField(
        label=_("Points de blocage"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_steps = forms.CharField(label=_("Prochaines étapes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()

    def __init__(self, *args, update: CheckpointUpdate, indicators=(), **kwargs):
        action = update.action
        self.update = update
        self.indicators = list(indicators)
        kwargs.setdefault("prefix", f"u{update.pk}")
        if "initial" not in kwargs:
            # Not filled yet: the action as it stands now. Sent back: what was submitted.
            source = action if update.state == CheckpointUpdate.State.TO_FILL else update
            kwargs["initial"] = {
                "status": source.status or action.status,
                "health": source.health or action.health,
                "progress": source.progress if source.progress is not None else action.progress,
                "achievements": update.achievements,
                "blocking_points": update.blocking_points,
                "next_steps": update.next_steps,
                "version": action.version,
            }
        super().__init__(*args, **kwargs)
        for indicator in self.indicators:
            unit = f" ({indicator.unit})" if indicator.unit else ""
            self.fields[f"value_{indicator.pk}"] = forms.DecimalField(
                label=_("Nouvelle valeur de « %(name)s »%(unit)s") % {"name": indicator.name, "unit": unit},
                required=False,
                max_digits=14,
                decimal_places=4,
                localize=True,
            )
            self.fields[f"date_{indicator.pk}"] = forms.DateField(
                label=_("Date de la mesure de « %(name)s »") % {"name": indicator.name},
                required=False,
                widget=DateInput(),
            )

    def measurement_fields(self):
        """(value field, date field) per indicator, for the template."""
        return [(self[f"value_{i.pk}"], self[f"date_{i.pk}"]) for i in self.indicators]

    def main_fields(self):
        names = ("status", "progress", "health", "achievements", "blocking_points", "next_steps")
        return [self[name] for name in names]

    def clean(self):
        cleaned = super().clean()
        self.declared = []
        for indicator in self.indicators:
            value, measured_on = cleaned.get(f"value_{indicator.pk}"), cleaned.get(f"date_{indicator.pk}")
            if f"value_{indicator.pk}" in self.errors or f"date_{indicator.pk}" in self.errors:
                continue
            if value is None and measured_on is None:
                continue
            if measured_on is None:
                self.add_error(f"date_{indicator.pk}", _("Indiquez la date de la mesure."))
            elif value is None:
                self.add_error(f"value_{indicator.pk}", _("Saisissez la valeur mesurée."))
            elif measured_on > timezone.localdate():
                self.add_error(f"date_{indicator.pk}", _("La date de mesure ne peut pas être dans le futur."))
            else:
                self.declared.append(DeclaredMeasurement(indicator=indicator, measured_on=measured_on, value=value))
        return cleaned


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Ce qu'il faut compléter"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CompareForm(forms.Form):
    """The other side of a comparison: another closed campaign of the same plan, or today."""

    TODAY = "aujourdhui"

    avec = forms.ChoiceField(label=_("Comparer avec"), required=False)

    def __init__(self, *args, campaign: Campaign, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["avec"].choices = [(self.TODAY, _("Aujourd'hui (actions en cours)"))] + [
            (str(other.pk), f"{other.title} ({short_date(other.deadline)})") for other in others
        ]
