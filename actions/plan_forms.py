"""Forms of the plan structure (plans, axes, objectives); choices limited to the current GHT."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from actions.models import Axis, Objective, Plan
from filieres.models import Filiere
from ght_portal.models import GHT

ONE_ACTIVE_PLAN = _("Un autre projet est déjà en vigueur dans ce GHT (« %(title)s ») ; archivez-le d'abord.")


class PlanForm(forms.ModelForm):
    """The GHT comes from the URL; at most one plan of a GHT is in force."""

    class Meta:
        model = Plan
        fields = ["title", "start_year", "end_year", "status", "axis_label"]

    def __init__(self, *args, ght: GHT, **kwargs):
        super().__init__(*args, **kwargs)
        self.ght = ght
        self.instance.ght = ght

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Plan.Status.ACTIVE:
            current = Plan.objects.filter(ght=self.ght, status=Plan.Status.ACTIVE).exclude(pk=self.instance.pk).first()
            if current is not None:
                raise forms.ValidationError(ONE_ACTIVE_PLAN, params={"title": current.title})
        return status


class AxisForm(forms.ModelForm):
    class Meta:
        model = Axis
        fields = ["position", "title", "description"]

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        self.instance.ght_id = plan.ght_id
        self.fields["position"].label = _("Rang")

    def clean_position(self):
        position = self.cleaned_data["position"]
        if Axis.objects.filter(plan=self.plan, position=position).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Ce rang est déjà pris dans ce projet."))
        return position


class ObjectiveForm(forms.ModelForm):
    """``axis`` may move an objective within its plan; ``filiere`` only among the GHT's filières.

    A pilot (``can_choose_filiere=False``) edits the wording of an objective of their filière but
    cannot hand it to another filière: the field is disabled, so a crafted value is ignored.
    """

    class Meta:
        model = Objective
        fields = ["axis", "position", "code", "title", "description", "filiere"]

    def __init__(self, *args, plan: Plan, can_choose_filiere: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["axis"].queryset = Axis.objects.filter(ght_id=plan.ght_id, plan=plan)
        self.fields["axis"].empty_label = None
        self.fields["filiere"].queryset = Filiere.objects.filter(ght_id=plan.ght_id).order_by("name")
        self.fields["position"].label = _("Rang")
        if not can_choose_filiere:
            self.fields["filiere"].disabled = True
            self.fields["axis"].disabled = True
