"""The request of a report: one form validates it for the web page, the API and the command line."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Plan
from filieres.models import Filiere
from ght_portal.formats import short_date
from ght_portal.models import GHT
from ght_portal.tenancy import scoped
from governance.models import Campaign
from reports.models import Report


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Campaign) -> str:
        return f"{obj.title} (clos le {short_date(obj.closed_at)})" if obj.closed_at else obj.title


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=Report.Kind.choices)
    plan = forms.ModelChoiceField(label=_("Projet médico-soignant"), queryset=Plan.objects.none())
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    filiere = forms.ModelChoiceField(
        label=_("Filière (feuille de route)"), queryset=Filiere.objects.none(), required=False
    )
    campaign = CampaignChoiceField(
        label=_("Chiffres"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("Chiffres du jour"),
        help_text=_("Les chiffres d'un point d'étape clos ne bougent plus ; ceux du jour sont ceux du portail."),
    )

    def __init__(self, *args, ght: GHT, **kwargs):
        super().__init__(*args, **kwargs)
        self.ght = ght
        self.fields["plan"].queryset = scoped(Plan, ght).order_by("-start_year", "title")
        self.fields["filiere"].queryset = scoped(Filiere, ght).order_by("name")
        self.fields["campaign"].queryset = (
            scoped(Campaign, ght).closed().select_related("plan").order_by("-closed_at", "-id")
        )
        if not self.is_bound:
            active = self.fields["plan"].queryset.filter(status=Plan.Status.ACTIVE).first()
            self.initial.setdefault("plan", active.pk if active else None)
            self.initial.setdefault("year", timezone.localdate().year)
            self.initial.setdefault("kind", Report.Kind.STRATEGIC_REVIEW)

    def clean(self):
        data = super().clean()
        plan, year, kind = data.get("plan"), data.get("year"), data.get("kind")
        campaign, filiere = data.get("campaign"), data.get("filiere")
        if plan is not None and year is not None and not plan.start_year <= year <= plan.end_year:
            self.add_error(
                "year",
                _("Le projet « %(plan)s » couvre les années %(first)s à %(last)s.")
                % {"plan": plan.title, "first": plan.start_year, "last": plan.end_year},
            )
        if year is not None and year > timezone.localdate().year:
            self.add_error("year", _("On ne peut pas faire le bilan d'une année qui n'a pas commencé."))
        if kind == Report.Kind.ROADMAP and filiere is None:
            self.add_error("filiere", _("Choisissez la filière de la feuille de route."))
        if kind != Report.Kind.ROADMAP:
            data["filiere"] = None
        if campaign is not None and plan is not None and campaign.plan_id != plan.pk:
            self.add_error("campaign", _("Ce point d'étape appartient à un autre projet."))
        return data
