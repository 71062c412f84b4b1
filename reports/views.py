"""The timeline (Gantt) of a plan or of a filière, drawn server-side as SVG (no JavaScript).

The geometry is in ``reports.timeline``; the views only fetch (a fixed number of queries) and group.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from actions.models import Action, Axis, Milestone, Objective, Plan
from filieres.models import Filiere
from filieres.services import filiere_actions_q
from ght_portal.tenancy import GHTMixin, get_for_ght_or_404, scoped
from reports import timeline


def status_class(action: Action) -> str:
    """The bar's colour: late in red, done in green, stopped in grey, the rest in blue."""
    if action.is_late_db:
        return "late"
    if action.status == Action.Status.DONE:
        return "done"
    if action.status in {Action.Status.SUSPENDED, Action.Status.ABANDONED}:
        return "stopped"
    return "open"


def action_url(ght_slug: str, action: Action) -> str:
    """The action's page, when the action pages are installed (another module owns them)."""
    try:
        return reverse("action_detail", kwargs={"ght_slug": ght_slug, "action_id": action.pk})
    except NoReverseMatch:
        return ""


def make_row(action: Action, milestones: list[Milestone], ght_slug: str) -> timeline.Row:
    status_label = action.get_status_display()
    if action.is_late_db:
        status_label = _("%(status)s, en retard") % {"status": status_label}
    return timeline.Row(
        label=f"{action.code} {action.title}",
        title=action.title,
        status_class=status_class(action),
        status_label=status_label,
        start=action.start_date,
        due=action.due_date,
        milestones=[(m.due_date, m.title, m.done_on is not None) for m in milestones],
        url=action_url(ght_slug, action),
        milestone_list=[milestone_text(m) for m in milestones],
    )


def milestone_text(milestone: Milestone) -> str:
    if milestone.done_on:
        return _("%(title)s (%(due)s, atteint le %(done)s)") % {
            "title": milestone.title,
            "due": f"{milestone.due_date:%d/%m/%Y}",
            "done": f"{milestone.done_on:%d/%m/%Y}",
        }
    return _("%(title)s (%(due)s)") % {"title": milestone.title, "due": f"{milestone.due_date:%d/%m/%Y}"}


class TimelineView(GHTMixin, TemplateView):
    http_method_names = ["get", "head", "options"]  # read-only page
    template_name = "reports/timeline.html"

    def chart(self, groups: list[timeline.Group], period=None) -> timeline.Chart:
        return timeline.layout(groups, today=timezone.localdate(), period=period)

    def milestones_by_action(self, actions) -> dict[int, list[Milestone]]:
        found = defaultdict(list)
        ids = [action.pk for action in actions]
        for milestone in scoped(Milestone, self.ght).filter(action_id__in=ids).order_by("due_date"):
            found[milestone.action_id].append(milestone)
        return found


class PlanTimelineView(TimelineView):
    """The plan's actions grouped by axis, over the plan's period."""

    def get_context_data(self, **kwargs):
        plan = get_for_ght_or_404(Plan, self.ght, pk=self.kwargs["plan_id"])
        today = timezone.localdate()
        axes = list(scoped(Axis, self.ght).filter(plan=plan).order_by("position"))
        actions = list(
            scoped(Action, self.ght)
            .filter(plan=plan)
            .select_related("objective")
            .annotate_late(today)
            .order_by("objective__axis__position", "objective__position", "start_date", "code")
        )
        milestones = self.milestones_by_action(actions)
        word = plan.get_axis_label_display()
        groups = {axis.pk: timeline.Group(label=f"{word} {axis.position} — {axis.title}", rows=[]) for axis in axes}
        orphans = timeline.Group(label=_("Actions sans objectif"), rows=[])
        for action in actions:
            group = groups.get(action.objective.axis_id) if action.objective else None
            (group or orphans).rows.append(make_row(action, milestones[action.pk], self.ght.slug))
        ordered = [group for group in groups.values() if group.rows] + ([orphans] if orphans.rows else [])
        period = (datetime.date(plan.start_year, 1, 1), datetime.date(plan.end_year, 12, 31))
        return super().get_context_data(
            chart=self.chart(ordered, period),
            subject=plan,
            subject_title=str(plan),
            back_url=reverse("plan_detail", kwargs={"ght_slug": self.ght.slug, "plan_id": plan.pk}),
            back_label=_("Retour au projet"),
            action_count=len(actions),
            **kwargs,
        )


class FiliereTimelineView(TimelineView):
    """The filière's actions (of plans not archived), grouped by objective."""

    def get_context_data(self, **kwargs):
        filiere = get_for_ght_or_404(Filiere, self.ght, pk=self.kwargs["filiere_id"])
        today = timezone.localdate()
        actions = list(
            scoped(Action, self.ght)
            .filter(filiere_actions_q(filiere))
            .exclude(plan__status=Plan.Status.ARCHIVED)
            .select_related("objective")
            .annotate_late(today)
            .distinct()
            .order_by("objective__position", "objective_id", "start_date", "code")
        )
        milestones = self.milestones_by_action(actions)
        groups: dict[int | None, timeline.Group] = {}
        for action in actions:
            objective: Objective | None = action.objective
            key = objective.pk if objective else None
            if key not in groups:
                label = str(objective) if objective else _("Actions sans objectif")
                groups[key] = timeline.Group(label=label, rows=[])
            groups[key].rows.append(make_row(action, milestones[action.pk], self.ght.slug))
        ordered = [group for key, group in groups.items() if key is not None]
        if None in groups:
            ordered.append(groups[None])
        return super().get_context_data(
            chart=self.chart(ordered),
            subject=filiere,
            subject_title=filiere.name,
            back_url=reverse("filiere_detail", kwargs={"ght_slug": self.ght.slug, "filiere_id": filiere.pk}),
            back_label=_("Retour à la filière"),
            action_count=len(actions),
            **kwargs,
        )
