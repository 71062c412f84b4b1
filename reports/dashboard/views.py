"""The GHT dashboard (tableau de bord) and its Excel export: the figures of ``reports.figures`` for the
scope chosen in the URL, with the charts of ``reports.charts``.

The scope is read from the query string (``projet``, ``source`` = ``aujourdhui`` or a closed
checkpoint's id, ``filiere``, ``etablissement``, ``medicales=oui``), so that a filtered dashboard can
be bookmarked and its export is the same scope. Choices are the current GHT's rows only: an id of
another GHT (or a checkpoint of another plan, or one still open) is not among them and answers 404,
as a foreign id in a path does.
"""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from actions.models import Plan
from actions.rows import action_url_maker
from actions.spreadsheet.views import xlsx_response
from filieres.models import Filiere
from ght_portal.formats import short_date
from ght_portal.models import Establishment
from ght_portal.tenancy import READ_ONLY_METHODS, GHTMixin, scoped
from governance.models import Campaign
from reports import charts
from reports.cache import cached_compute, cached_render
from reports.dashboard import exports
from reports.figures import Figures, Scope

TODAY = "aujourdhui"
YES = "oui"
LIST_LENGTH = 25  # rows of each action list on the page; the export carries them all


class DashboardFilterForm(forms.Form):
    """The scope as plain choices built from rows already loaded (validating costs no query)."""

    projet = forms.ChoiceField(label=gettext_lazy("Projet"))
    source = forms.ChoiceField(label=gettext_lazy("Données"), required=False)
    filiere = forms.ChoiceField(label=gettext_lazy("Filière"), required=False)
    etablissement = forms.ChoiceField(label=gettext_lazy("Établissement"), required=False)

    def __init__(self, data, *, plans, campaigns, filieres, establishments):
        super().__init__(data)
        self.fields["projet"].choices = [(str(plan.pk), str(plan)) for plan in plans]
        self.fields["source"].choices = [(TODAY, _("Aujourd'hui"))] + [
            (str(c.pk), _("%(title)s (clos le %(date)s)") % {"title": c.title, "date": short_date(c.closed_at)})
            for c in campaigns
        ]
        self.fields["filiere"].choices = [("", _("Toutes"))] + [(str(f.pk), str(f)) for f in filieres]
        self.fields["etablissement"].choices = [("", _("Tous"))] + [(str(e.pk), e.name) for e in establishments]


class DashboardMixin(GHTMixin):
    """Resolves the scope of the URL; 404 for a value that is not one of this GHT's choices."""

    http_method_names = READ_ONLY_METHODS

    @cached_property
    def plans(self) -> list[Plan]:
        return list(scoped(Plan, self.ght).order_by("-start_year", "pk"))

    @property
    def medical_only(self) -> bool:
        """``medicales=oui``: the actions of medical filières only (what the CMG follows)."""
        return self.request.GET.get("medicales") == YES

    @cached_property
    def params(self):
        """The query string with its defaults: the plan in force (else the latest), today's data."""
        data = self.request.GET.copy()
        if self.plans:
            active = next((p for p in self.plans if p.status == Plan.Status.ACTIVE), self.plans[0])
            data.setdefault("projet", str(active.pk))
        data.setdefault("source", TODAY)
        return data

    @cached_property
    def plan(self) -> Plan:
        plan = next((p for p in self.plans if str(p.pk) == self.params["projet"]), None)
        if plan is None:
            raise Http404
        return plan

    @cached_property
    def campaigns(self) -> list[Campaign]:
        """The plan's closed checkpoints: the sources the figures may come from besides today."""
        return list(scoped(Campaign, self.ght).closed().filter(plan=self.plan).order_by("-closed_at", "-pk"))

    @cached_property
    def filieres(self) -> list[Filiere]:
        return list(scoped(Filiere, self.ght).only("pk", "ght_id", "code", "name").order_by("code"))

    @cached_property
    def establishments(self) -> list[Establishment]:
        return list(scoped(Establishment, self.ght).in_ght_order().only("pk", "ght_id", "name"))

    @cached_property
    def form(self) -> DashboardFilterForm | None:
        """The bound, valid filter form (None when the GHT has no plan yet; 404 when invalid)."""
        if not self.plans:
            return None
        form = DashboardFilterForm(
            self.params,
            plans=self.plans,
            campaigns=self.campaigns,
            filieres=self.filieres,
            establishments=self.establishments,
        )
        if not form.is_valid():
            raise Http404
        return form

    @cached_property
    def scope(self) -> Scope | None:
        if self.form is None:
            return None
        data = self.form.cleaned_data

        def chosen(rows, value):
            return next((row for row in rows if str(row.pk) == value), None) if value else None

        return Scope(
            ght=self.ght,
            plan=self.plan,
            filiere=chosen(self.filieres, data["filiere"]),
            establishment=chosen(self.establishments, data["etablissement"]),
            campaign=chosen(self.campaigns, data["source"]) if data["source"] != TODAY else None,
            medical_only=self.medical_only,
        )


def _with_urls(lines, url) -> list[tuple]:
    return [(line, url(line.action_id) if line.action_id else "") for line in lines]


class DashboardView(DashboardMixin, TemplateView):
    """Every member of the GHT reads the dashboard."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, scope=self.scope, **kwargs)
        if self.scope is None:
            return context
        query = self.request.GET.urlencode()
        rendered = cached_render(self.scope, self.render_body)
        context.update(
            source_label=rendered["source_label"],
            body=mark_safe(rendered["body"]),  # noqa: S308 - rendered by the template engine, escaped there
            query=f"?{query}" if query else "",
        )
        return context

    def render_body(self, figures: Figures) -> dict:
        """The figures' part of the page: the same for every member, so it is cached as markup."""
        url = action_url_maker(self.ght.slug)
        body = render_to_string(
            "reports/_dashboard_body.html",
            {
                "scope": self.scope,
                "figures": figures,
                "charts": charts.dashboard_charts(figures),
                "late_rows": _with_urls(figures.late_actions[:LIST_LENGTH], url),
                "at_risk_rows": _with_urls(figures.at_risk_actions[:LIST_LENGTH], url),
                "upcoming_rows": _with_urls(figures.upcoming[:LIST_LENGTH], url),
                "indicator_rows": _with_urls(figures.indicators[:LIST_LENGTH], url),
                "list_length": LIST_LENGTH,
            },
        )
        return {"source_label": figures.source_label, "body": body}


class DashboardExportView(DashboardMixin, View):
    """Every table of the dashboard, for the same scope, as an Excel workbook."""

    def get(self, request, *args, **kwargs):
        if self.scope is None:
            raise Http404
        figures = cached_compute(self.scope)
        suffix = f"-{figures.scope.plan.start_year}-{figures.scope.plan.end_year}"
        return xlsx_response(exports.dashboard_workbook(figures), f"tableau-de-bord-{self.ght.slug}{suffix}.xlsx")
