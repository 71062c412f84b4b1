"""Forms of the filières; every choice (establishments, people) is limited to the current GHT."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from filieres.models import Filiere, Pilot
from ght_portal.models import GHT, Establishment
from ght_portal.tenancy import member_users

User = get_user_model()

SWOT_FIELDS = ["strengths", "weaknesses", "opportunities", "threats"]
TEXTAREA = forms.Textarea(attrs={"rows": 4})


def ght_establishments(ght: GHT):
    return Establishment.objects.filter(ght=ght).in_ght_order()


class FiliereForm(forms.ModelForm):
    """Everything of a filière (office). Uniqueness inside the GHT is checked by the service."""

    class Meta:
        model = Filiere
        fields = ["name", "code", "kind", "description", *SWOT_FIELDS, "establishments", "is_active"]
        widgets = {
            "establishments": forms.CheckboxSelectMultiple,
            "description": TEXTAREA,
            **dict.fromkeys(SWOT_FIELDS, TEXTAREA),
        }

    def __init__(self, *args, ght: GHT, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ght = ght
        self.fields["establishments"].queryset = ght_establishments(ght)
        self.fields["establishments"].error_messages["invalid_choice"] = _(
            "Cet établissement n'appartient pas à ce GHT."
        )

    def validate_unique(self):
        """Uniqueness is the service's (with a French message); the GHT is not a field here."""


class FiliereTextForm(forms.ModelForm):
    """What a pilot of the filière may change: its description and SWOT."""

    class Meta:
        model = Filiere
        fields = ["description", *SWOT_FIELDS]
        widgets = {"description": TEXTAREA, **dict.fromkeys(SWOT_FIELDS, TEXTAREA)}


class PilotForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Personne"))
    establishment = forms.ModelChoiceField(
        queryset=Establishment.objects.none(), label=_("Établissement"), required=False
    )
    pilot_role = forms.ChoiceField(choices=Pilot.PilotRole.choices, label=_("Fonction de pilote"))

    def __init__(self, *args, ght: GHT, **kwargs):
        kwargs.setdefault("prefix", "pilote")
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = member_users(ght)
        self.fields["user"].error_messages["invalid_choice"] = _("Cette personne n'est pas membre active de ce GHT.")
        self.fields["establishment"].queryset = ght_establishments(ght)
        self.fields["establishment"].error_messages["invalid_choice"] = _(
            "Cet établissement n'appartient pas à ce GHT."
        )


class WorkingGroupMemberForm(PilotForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "groupe")
        super().__init__(*args, **kwargs)
        del self.fields["pilot_role"]
