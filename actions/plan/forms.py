"""Forms of the plan structure (plans, axes, objectives); choices limited to the current GHT."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from actions.models import Axis, Objective, Plan
from filieres.models import Filiere
from ght_portal.models import GHT


class PlanForm(forms.ModelForm):
    """The GHT comes from the URL; ``actions.plan.services.save_plan`` checks the rest (one plan in force)."""

    class Meta:
        model = Plan
        fields = ["title", "start_year", "end_year", "status", "axis_label"]

    def __init__(self, *args, ght: GHT, **kwargs):
        super().__init__(*args, **kwargs)
        self.ght = ght
        self.instance.ght = ght


class AxisForm(forms.ModelForm):
    """Its rank is checked by ``actions.plan.services.save_axis`` (once per plan)."""

    class Meta:
        model = Axis
        fields = ["position", "title", "description"]

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        self.instance.ght_id = plan.ght_id
        self.fields["position"].label = _("Rang")


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
