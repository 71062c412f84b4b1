"""Pages that change what hangs under one action: its milestones, its indicators and their measurements.

The office and the pilots of the action's filières edit milestones and indicators; the action's owner
may also mark a milestone reached (or not) and record a measurement. Every page answers 403 to a
member who may not (GHTMixin for the role, ``require`` for the action), 404 for another GHT's rows;
the services check again, write atomically and log the change in the action's history.

Also the presentation helpers of the action page: the state of a milestone, an indicator's progress
toward its target and its sparkline (inline SVG computed here, no script).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from actions import services
from actions.models import Indicator, Measurement, Milestone
from actions.pages.access import ActionPermissionMixin
from actions.pages.forms import IndicatorForm, MeasurementForm, MilestoneDoneForm, MilestoneForm
from actions.permissions import EDITOR_ROLES, FOLLOWUP_ROLES, can_edit_action, can_update_followup
from ght_portal.formats import format_number, short_date
from ght_portal.tenancy import get_for_ght_or_404
from ght_portal.views import add_service_errors

# --- Presentation helpers of the action page ------------------------------------------------------


def milestone_state(milestone: Milestone, today: datetime.date) -> str:
    """« done », « late » (due date passed, not reached) or « upcoming »."""
    if milestone.done_on is not None:
        return "done"
    return "late" if milestone.due_date < today else "upcoming"


def progress_toward_target(baseline: Decimal | None, target: Decimal | None, latest: Decimal | None) -> int | None:
    """How far the latest value went from the baseline (0 when none) toward the target, 0–100 %;
    works for targets below the baseline too. None when it cannot be said."""
    if target is None or latest is None:
        return None
    start = baseline if baseline is not None else Decimal(0)
    if target == start:
        return None
    ratio = (latest - start) / (target - start)
    return int(max(Decimal(0), min(Decimal(1), ratio)) * 100)


@dataclass
class Sparkline:
    width: int
    height: int
    points: str
    target_y: float | None
    last_x: float
    last_y: float


def sparkline(values: list[Decimal], target: Decimal | None, width: int = 160, height: int = 36) -> Sparkline | None:
    """Coordinates of a small line chart of ``values`` (oldest first), with the target as a line when
    set; None with fewer than two values. Drawn by the template as inline SVG."""
    if len(values) < 2:
        return None
    pad = 3
    low = min([*values, target] if target is not None else values)
    high = max([*values, target] if target is not None else values)
    span = (high - low) or Decimal(1)

    def y(value: Decimal) -> float:
        return round(float(pad + (high - value) / span * (height - 2 * pad)), 1)

    step = (width - 2 * pad) / (len(values) - 1)
    coords = [(round(pad + index * step, 1), y(value)) for index, value in enumerate(values)]
    return Sparkline(
        width=width,
        height=height,
        points=" ".join(f"{x},{y_}" for x, y_ in coords),
        target_y=y(target) if target is not None else None,
        last_x=coords[-1][0],
        last_y=coords[-1][1],
    )


@dataclass
class IndicatorView:
    indicator: Indicator
    measurements: list[Measurement]
    latest: Measurement | None
    progress: int | None
    chart: Sparkline | None
    chart_label: str
    form: MeasurementForm | None


def indicator_views(indicators, may_measure: bool) -> list[IndicatorView]:
    """What the action page shows of each indicator, from prefetched measurements (no query)."""
    rows = []
    for indicator in indicators:
        measurements = list(indicator.measurements.all())  # prefetched, oldest first
        for measurement in measurements:
            measurement.shown = format_number(measurement.value)
        indicator.baseline_shown = format_number(indicator.baseline)
        indicator.target_shown = format_number(indicator.target)
        latest = measurements[-1] if measurements else None
        values = [measurement.value for measurement in measurements]
        label = ""
        if len(measurements) >= 2:
            first = measurements[0]
            label = _(
                "Évolution de %(name)s : %(first)s le %(first_on)s, %(last)s le %(last_on)s (%(count)s mesures)"
            ) % {
                "name": indicator.name,
                "first": format_number(first.value),
                "first_on": short_date(first.measured_on),
                "last": format_number(latest.value),
                "last_on": short_date(latest.measured_on),
                "count": len(measurements),
            }
        rows.append(
            IndicatorView(
                indicator=indicator,
                measurements=measurements,
                latest=latest,
                progress=progress_toward_target(indicator.baseline, indicator.target, latest and latest.value),
                chart=sparkline(values, indicator.target),
                chart_label=label,
                form=measurement_form(indicator) if may_measure else None,
            )
        )
    return rows


def measurement_form(indicator: Indicator, data=None) -> MeasurementForm:
    """The same prefix on the action page and on the measurement page: ids stay unique on the former."""
    return MeasurementForm(data, prefix=f"i{indicator.pk}", initial={"measured_on": timezone.localdate()})


def milestone_done_form(milestone: Milestone, data=None) -> MilestoneDoneForm:
    initial = {"done": "0" if milestone.done_on else "1", "done_on": milestone.done_on or timezone.localdate()}
    return MilestoneDoneForm(data, prefix=f"m{milestone.pk}", initial=initial)


# --- Pages -----------------------------------------------------------------------------------------


class ActionChildView(ActionPermissionMixin, View):
    """A form page about one action's milestone or indicator: GET shows it, POST saves through a service
    and goes back to the action page, or shows the French errors (422) having written nothing."""

    read_roles = EDITOR_ROLES
    write_roles = EDITOR_ROLES
    template_name = "actions/action_child_form.html"
    anchor = ""
    title = ""
    submit_label = ""
    success_message = ""

    def allowed(self, action) -> bool:
        return can_edit_action(self.membership, action, self.piloted)

    def get_object(self, action):
        return None

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form) -> None:
        raise NotImplementedError

    def load(self) -> None:
        self.action = self.get_action()
        self.require(self.allowed(self.action))
        self.object = self.get_object(self.action)

    def action_url(self) -> str:
        url = reverse("action_detail", kwargs={"ght_slug": self.ght.slug, "action_id": self.action.pk})
        return f"{url}#{self.anchor}" if self.anchor else url

    def render_page(self, form, status=200):
        context = {
            "action": self.action,
            "object": self.object,
            "form": form,
            "title": self.get_title(),
            "submit_label": self.submit_label,
            "back": self.action_url(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get_title(self) -> str:
        return self.title

    def get(self, request, *args, **kwargs):
        self.load()
        return self.render_page(self.make_form())

    def post(self, request, *args, **kwargs):
        self.load()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.action_url())
        return self.render_page(form, status=422)


class MilestoneMixin:
    anchor = "jalons"

    def get_object(self, action):
        return get_for_ght_or_404(Milestone, self.ght, pk=self.kwargs["milestone_id"], action=action)


class IndicatorMixin:
    anchor = "indicateurs"

    def get_object(self, action):
        return get_for_ght_or_404(Indicator, self.ght, pk=self.kwargs["indicator_id"], action=action)


class MilestoneCreateView(ActionChildView):
    anchor = "jalons"

    def get_title(self):
        return _("Ajouter un jalon")

    submit_label = _lazy("Ajouter le jalon")
    success_message = _lazy("Le jalon est ajouté.")

    def make_form(self, data=None):
        return MilestoneForm(data)

    def save(self, form):
        services.add_milestone(
            acting_user=self.request.user, membership=self.membership, action=self.action, data=form.cleaned_data
        )


class MilestoneUpdateView(MilestoneMixin, ActionChildView):
    submit_label = _lazy("Enregistrer le jalon")
    success_message = _lazy("Le jalon est enregistré.")

    def get_title(self):
        return _("Modifier le jalon « %(title)s »") % {"title": self.object.title}

    def make_form(self, data=None):
        return MilestoneForm(data, instance=self.object)

    def save(self, form):
        services.update_milestone(
            acting_user=self.request.user, membership=self.membership, milestone=self.object, data=form.cleaned_data
        )


class MilestoneDoneView(MilestoneMixin, ActionChildView):
    """Reached on a date or not reached: the action's owner may, as well as the office and pilots."""

    read_roles = FOLLOWUP_ROLES
    write_roles = FOLLOWUP_ROLES
    submit_label = _lazy("Enregistrer")

    def allowed(self, action) -> bool:
        return can_update_followup(self.membership, action, self.piloted)

    def get_title(self):
        return _("Jalon « %(title)s » : atteint ou non") % {"title": self.object.title}

    def make_form(self, data=None):
        form = milestone_done_form(self.object, data)
        # On its own page the choice is shown (a hidden input in the action page's row form).
        form.fields["done"].widget = forms.RadioSelect(choices=form.fields["done"].choices)
        return form

    def save(self, form):
        milestone = services.set_milestone_done(
            acting_user=self.request.user,
            membership=self.membership,
            milestone=self.object,
            done_on=form.cleaned_data["done_on"],
        )
        self.success_message = (
            _("Le jalon « %(title)s » est marqué comme atteint.") % {"title": milestone.title}
            if milestone.done_on
            else _("Le jalon « %(title)s » est marqué comme non atteint.") % {"title": milestone.title}
        )


class MilestoneDeleteView(MilestoneMixin, ActionChildView):
    template_name = "actions/action_child_delete.html"
    submit_label = _lazy("Supprimer le jalon")
    success_message = _lazy("Le jalon est supprimé.")

    def get_title(self):
        return _("Supprimer le jalon « %(title)s » ?") % {"title": self.object.title}

    def make_form(self, data=None):
        return None

    def post(self, request, *args, **kwargs):
        self.load()
        services.delete_milestone(acting_user=request.user, membership=self.membership, milestone=self.object)
        messages.success(request, self.success_message)
        return redirect(self.action_url())


class IndicatorCreateView(ActionChildView):
    anchor = "indicateurs"
    submit_label = _lazy("Ajouter l'indicateur")
    success_message = _lazy("L'indicateur est ajouté.")

    def get_title(self):
        return _("Ajouter un indicateur")

    def make_form(self, data=None):
        return IndicatorForm(data)

    def save(self, form):
        services.add_indicator(
            acting_user=self.request.user, membership=self.membership, action=self.action, data=form.cleaned_data
        )


class IndicatorUpdateView(IndicatorMixin, ActionChildView):
    submit_label = _lazy("Enregistrer l'indicateur")
    success_message = _lazy("L'indicateur est enregistré.")

    def get_title(self):
        return _("Modifier l'indicateur « %(name)s »") % {"name": self.object.name}

    def make_form(self, data=None):
        return IndicatorForm(data, instance=self.object)

    def save(self, form):
        services.update_indicator(
            acting_user=self.request.user, membership=self.membership, indicator=self.object, data=form.cleaned_data
        )


class IndicatorDeleteView(IndicatorMixin, ActionChildView):
    template_name = "actions/action_child_delete.html"
    submit_label = _lazy("Supprimer l'indicateur et ses mesures")
    success_message = _lazy("L'indicateur est supprimé.")

    def get_title(self):
        return _("Supprimer l'indicateur « %(name)s » ?") % {"name": self.object.name}

    def make_form(self, data=None):
        return None

    def post(self, request, *args, **kwargs):
        self.load()
        services.delete_indicator(acting_user=request.user, membership=self.membership, indicator=self.object)
        messages.success(request, self.success_message)
        return redirect(self.action_url())


class MeasurementCreateView(IndicatorMixin, ActionChildView):
    """A dated value of an indicator: the action's owner may, as well as the office and pilots."""

    read_roles = FOLLOWUP_ROLES
    write_roles = FOLLOWUP_ROLES
    submit_label = _lazy("Enregistrer la mesure")
    success_message = _lazy("La mesure est enregistrée.")

    def allowed(self, action) -> bool:
        return can_update_followup(self.membership, action, self.piloted)

    def get_title(self):
        return _("Nouvelle mesure de « %(name)s »") % {"name": self.object.name}

    def make_form(self, data=None):
        return measurement_form(self.object, data)

    def save(self, form):
        data = form.cleaned_data
        services.record_measurement(
            acting_user=self.request.user,
            membership=self.membership,
            indicator=self.object,
            measured_on=data["measured_on"],
            value=data["value"],
            comment=data["comment"],
        )
