"""Forms of the action pages. Every choice field offers only the current GHT's rows, and a pilot
only the objectives and filières they may write in: a crafted id of another GHT is refused as an
invalid choice before any service runs.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionUpdate, Indicator, Milestone, Objective, Plan
from filieres.models import Filiere
from ght_portal.models import GHT, Establishment, Membership
from ght_portal.tenancy import member_users


class VersionField(forms.IntegerField):
    """The action's version the person saw, sent back to detect a concurrent save."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class ActionForm(forms.ModelForm):
    """Create or edit every field of an action (office, or a pilot inside their filières)."""

    version = VersionField(required=False)

    class Meta:
        model = Action
        fields = [
            "code",
            "title",
            "description",
            "objective",
            "filieres",
            "lead_establishment",
            "establishments",
            "owner",
            "contributors",
            "priority",
            "start_date",
            "due_date",
            "status",
            "health",
            "progress",
            "prs_references",
            "funding_source",
            "funding_amount",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "filieres": forms.CheckboxSelectMultiple,
            "establishments": forms.CheckboxSelectMultiple,
            "contributors": forms.SelectMultiple(attrs={"size": 6}),
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        }

    def __init__(self, *args, ght: GHT, plan: Plan, membership: Membership, piloted: Collection[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.ght = ght
        self.plan = plan
        self.instance.ght = ght
        self.instance.plan = plan
        is_office = membership.is_office
        current = self.instance.pk is not None

        objectives = Objective.objects.filter(ght=ght, axis__plan=plan).select_related("axis")
        filieres = Filiere.objects.filter(ght=ght)
        if not is_office:
            keep = Q(pk=self.instance.objective_id) if current and self.instance.objective_id else Q(pk__in=[])
            objectives = objectives.filter(Q(filiere_id__in=piloted) | Q(filiere__isnull=True) | keep)
            kept = [filiere.pk for filiere in self.instance.filieres.all()] if current else []  # prefetched
            filieres = filieres.filter(pk__in={*piloted, *kept})
        self.fields["objective"].queryset = objectives.order_by("axis__position", "position", "id")
        self.fields["objective"].label_from_instance = lambda o: f"{o.axis.position}. — {o}"
        self.fields["filieres"].queryset = filieres.order_by("name")
        establishments = Establishment.objects.filter(ght=ght).in_ght_order()
        self.fields["lead_establishment"].queryset = establishments
        self.fields["establishments"].queryset = establishments
        self.fields["owner"].queryset = member_users(ght)
        self.fields["contributors"].queryset = member_users(ght)
        self.fields["contributors"].help_text = _("Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.")
        if current:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version
        if not is_office:
            self.fields["filieres"].help_text = _("Au moins une des filières que vous pilotez.")

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Action.objects.filter(ght=self.ght, plan=self.plan, code__iexact=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Une action porte déjà ce code dans ce projet."))
        return code


class FollowUpForm(forms.Form):
    """Status, health and progress, with what was done: logged as an update of the action."""

    status = forms.ChoiceField(label=_("Statut"), choices=Action.Status.choices)
    health = forms.ChoiceField(label=_("État de santé"), choices=Action.Health.choices)
    progress = Action._meta.get_field("progress").formfield(
        label=_("Avancement (%)"), widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1})
    )
    text = forms.CharField(
        label=_("Point de suivi"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce qui a été fait, les points de blocage, les prochaines étapes."),
    )
    version = VersionField()

    def __init__(self, *args, action: Action | None = None, text_required: bool = True, **kwargs):
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "status": action.status,
                "health": action.health,
                "progress": action.progress,
                "version": action.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["text"].required = text_required


class QuickFollowUpForm(FollowUpForm):
    """The same, inline in a list row: the text is optional there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, text_required=False, **kwargs)
        # The row's cells hold the inputs; the form element sits in the last cell (HTML ``form`` attribute).
        for name in ("status", "health", "progress"):
            self.fields[name].widget.attrs["form"] = f"quick-{self.prefix}"


class StatusDatesForm(forms.Form):
    """The office's correction of when an action was achieved or stopped; empty: « date inconnue »."""

    done_on = forms.DateField(
        label=_("Réalisée le"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    stopped_on = forms.DateField(
        label=_("Suspendue ou abandonnée le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Motif de la correction"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Par exemple « date du compte rendu du comité stratégique ». Gardé dans l'historique."),
    )
    version = VersionField()

    def __init__(self, *args, action: Action, **kwargs):
        initial = {"done_on": action.done_on, "stopped_on": action.stopped_on, "version": action.version}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if action.status != Action.Status.DONE:
            del self.fields["done_on"]
        if action.status not in (Action.Status.SUSPENDED, Action.Status.ABANDONED):
            del self.fields["stopped_on"]


class CommentForm(forms.ModelForm):
    class Meta:
        model = ActionUpdate
        fields = ["text"]
        labels = {"text": _("Commentaire")}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


# --- Milestones, indicators and measurements (the action page) --------------------------------------

SEPARATORS = re.compile(r"[\s\u00a0\u202f]")


class FrenchDecimalField(forms.DecimalField):
    """A number as French users type it: « 12,5 » as well as « 12.5 », spaces between thousands
    (« 1 250 »). A text input with a decimal keypad: a number input refuses the comma in some browsers."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if isinstance(value, str):
            value = SEPARATORS.sub("", value).replace(",", ".")
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f").replace(".", ",")
        return value


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MilestoneForm(forms.ModelForm):
    """A milestone's fields (office, pilot); the service checks the rest and logs the change."""

    class Meta:
        model = Milestone
        fields = ["title", "due_date", "done_on"]
        widgets = {"due_date": date_input(), "done_on": date_input()}
        help_texts = {"done_on": _("Laissez vide tant que le jalon n'est pas atteint.")}

    def validate_unique(self):
        pass  # the service validates the whole row


class MilestoneDoneForm(forms.Form):
    """Reached on a date, or not reached: what the owner may change on a milestone."""

    done = forms.TypedChoiceField(
        label=_("État"),
        choices=[("1", _("Atteint")), ("0", _("Non atteint"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    done_on = forms.DateField(label=_("Atteint le"), required=False, widget=date_input())

    def clean(self):
        data = super().clean()
        if data.get("done") and not data.get("done_on") and "done_on" not in self.errors:
            self.add_error("done_on", _("Indiquez la date à laquelle le jalon a été atteint."))
        if "done" in data and not data["done"]:
            data["done_on"] = None
        return data


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "baseline", "target", "target_date"]
        field_classes = {"baseline": FrenchDecimalField, "target": FrenchDecimalField}
        widgets = {"target_date": date_input()}
        help_texts = {
            "baseline": _("La valeur au lancement de l'action, par exemple « 12,5 »."),
            "target": _("La valeur à atteindre à la date cible."),
        }

    def validate_unique(self):
        pass  # the service validates the whole row


class MeasurementForm(forms.Form):
    """A dated value of an indicator (owner, pilot, office)."""

    measured_on = forms.DateField(label=_("Date de la mesure"), widget=date_input())
    value = FrenchDecimalField(
        label=_("Valeur"),
        help_text=_("Par exemple « 12,5 »."),
        error_messages={"required": _("Saisissez la valeur mesurée.")},
    )
    comment = forms.CharField(label=_("Commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
