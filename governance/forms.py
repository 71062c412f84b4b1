"""Forms of the instances, meetings and decisions; every choice field offers only the current GHT's rows
(and the services check again, for crafted posts)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Action
from filieres.models import Filiere
from ght_portal.tenancy import member_users, scoped
from governance.models import Attendance, Decision, Instance, InstanceMember, Meeting

User = get_user_model()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class InstanceForm(forms.ModelForm):
    class Meta:
        model = Instance
        fields = ["name", "short_name", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, ght, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.instance.ght = ght  # the service checks the (GHT, name) constraints with it


class SeatForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Personne"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Rôle dans l'instance"), choices=InstanceMember.SeatRole.choices, initial=InstanceMember.SeatRole.MEMBER
    )

    def __init__(self, *args, ght, instance: Instance, **kwargs):
        super().__init__(*args, **kwargs)
        seated = InstanceMember.objects.filter(instance=instance).values("user_id")
        self.fields["user"].queryset = member_users(ght).exclude(pk__in=seated)


class SeatRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle dans l'instance"), choices=InstanceMember.SeatRole.choices)


class MeetingForm(forms.ModelForm):
    visio_url = forms.URLField(
        label=_("Lien de visioconférence"),
        required=False,
        assume_scheme="https",
        help_text=_("Au moins un lieu ou un lien de visioconférence."),
    )

    class Meta:
        model = Meeting
        fields = ["starts_at", "place", "visio_url", "minutes"]
        # starts_at accepts what the datetime-local input sends (ISO, as every DateTimeField does) and
        # the French DATETIME_INPUT_FORMATS (05/03/2026 14:30): no list of formats of its own.
        widgets = {"starts_at": DateTimeInput(), "minutes": forms.Textarea(attrs={"rows": 8})}


def action_choices(ght):
    return scoped(Action, ght).order_by("code", "pk")


class AgendaItemForm(forms.Form):
    action = forms.ModelChoiceField(label=_("Action"), queryset=Action.objects.none(), required=False)
    filiere = forms.ModelChoiceField(label=_("Filière"), queryset=Filiere.objects.none(), required=False)
    text = forms.CharField(
        label=_("Intitulé ou note"),
        max_length=300,
        required=False,
        help_text=_("Un point libre, ou une précision sur l'action ou la filière choisie."),
    )

    def __init__(self, *args, ght, **kwargs):
        kwargs.setdefault("prefix", "agenda")
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = action_choices(ght)
        self.fields["filiere"].queryset = scoped(Filiere, ght).filter(is_active=True).order_by("code")


class AttendanceForm(forms.Form):
    """One choice per person listed (the instance's members and whoever was already recorded)."""

    def __init__(self, *args, people, recorded: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        choices = [("", _("Non renseigné")), *Attendance.Status.choices]
        for person in self.people:
            self.fields[f"user_{person.pk}"] = forms.ChoiceField(
                label=str(person), choices=choices, required=False, initial=recorded.get(person.pk, "")
            )

    def statuses(self) -> dict[int, str]:
        return {person.pk: self.cleaned_data[f"user_{person.pk}"] for person in self.people}


NO_STAGE = ""


class DecisionForm(forms.Form):
    instance = forms.ModelChoiceField(label=_("Instance"), queryset=Instance.objects.none())
    decided_on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Nature"), choices=Decision.Kind.choices)
    meeting = forms.ModelChoiceField(
        label=_("Séance"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("Facultatif ; la séance doit être une séance de l'instance choisie."),
    )
    text = forms.CharField(label=_("Texte de la décision"), widget=forms.Textarea(attrs={"rows": 5}))
    actions = forms.ModelMultipleChoiceField(
        label=_("Actions ou projets concernés"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    stage = forms.ChoiceField(
        label=_("Étape atteinte par les actions concernées"),
        choices=[(NO_STAGE, _("Pas de changement d'étape")), *Action.GovernanceStage.choices],
        required=False,
        help_text=_(
            "Consultée : collège ou bureaux ; avis : CMG ou CSIRMT ; décidée : comité stratégique "
            "(validation ou arbitrage)."
        ),
    )

    def __init__(self, *args, ght, instances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instance"].queryset = instances
        self.fields["meeting"].queryset = (
            scoped(Meeting, ght).filter(instance__in=instances).select_related("instance").order_by("-starts_at")
        )
        self.fields["actions"].queryset = action_choices(ght)
        self.fields["decided_on"].initial = timezone.localdate()


class DecisionFilterForm(forms.Form):
    instance = forms.ModelChoiceField(
        label=_("Instance"), queryset=Instance.objects.none(), required=False, empty_label=_("Toutes")
    )
    kind = forms.ChoiceField(label=_("Nature"), choices=[("", _("Toutes")), *Decision.Kind.choices], required=False)
    year = forms.IntegerField(label=_("Année"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, ght, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instance"].queryset = scoped(Instance, ght)
