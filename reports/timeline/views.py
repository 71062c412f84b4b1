"""The timeline (Gantt) of a plan or of a filière, drawn server-side as SVG (no JavaScript).

The geometry is in ``reports.timeline.layout``; the views only fetch (a fixed number of queries) and group.
"""

from __future__ import annotations

import datetime
import html
import unicodedata
from collections import defaultdict

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from actions.models import Action, Axis, Milestone, Objective, Plan, in_filieres_q
from actions.rows import action_url_maker
from filieres.models import Filiere
from ght_portal.formats import short_date
from ght_portal.tenancy import GHTMixin, get_for_ght_or_404, scoped
from reports.timeline import layout as timeline

# What a row shows (hundreds of rows load much faster without descriptions and timestamps).
ROW_FIELDS = ("ght_id", "plan_id", "objective_id", "code", "title", "status", "start_date", "due_date")


def status_class(action: Action) -> str:
    """The bar's colour: late in red, done in green, stopped in grey, the rest in blue."""
    if action.is_late_db:
        return "late"
    if action.status == Action.Status.DONE:
        return "done"
    if action.status in {Action.Status.SUSPENDED, Action.Status.ABANDONED}:
        return "stopped"
    return "open"


def status_labels() -> dict[tuple[str, bool], str]:
    """(status, late) → the row's status text, translated once per page: ``get_status_display``
    translates every choice on each call, which was most of the time of a 600-action timeline."""
    late = _("%(status)s, en retard")
    return {
        (value, is_late): late % {"status": label} if is_late else str(label)
        for value, label in Action.Status.choices
        for is_late in (False, True)
    }


def make_row(
    action: Action, milestones: list[Milestone], url: str, labels: dict[tuple[str, bool], str]
) -> timeline.Row:
    status_label = labels.get((action.status, bool(action.is_late_db)), action.status)
    return timeline.Row(
        label=f"{action.code} {action.title}",
        title=action.title,
        status_class=status_class(action),
        status_label=status_label,
        start=action.start_date,
        due=action.due_date,
        milestones=[(m.due_date, m.title, m.done_on is not None) for m in milestones],
        url=url,
        milestone_list=[milestone_text(m) for m in milestones],
    )


def milestone_text(milestone: Milestone) -> str:
    if milestone.done_on:
        return _("%(title)s (%(due)s, atteint le %(done)s)") % {
            "title": milestone.title,
            "due": short_date(milestone.due_date),
            "done": short_date(milestone.done_on),
        }
    return _("%(title)s (%(due)s)") % {"title": milestone.title, "due": short_date(milestone.due_date)}


def truncated(text: str, length: int) -> str:
    """As the template's ``truncatechars``; most labels are short and skip Truncator's char walk."""
    text = unicodedata.normalize("NFC", text)  # as Truncator does
    return text if len(text) <= length else Truncator(text).chars(length)


def draw_rows(chart: timeline.Chart) -> None:
    """Give each row ``svg`` (its line of the chart) and ``table_row`` (its line of the table).

    A plan's timeline has hundreds of rows, each drawn twice: through the template language that
    was ~1,200 row renders, most of the page's time. Same markup, every value escaped
    (``html.escape``, as Django's ``escape``); numbers as ``{% localize off %}`` prints them.
    """
    shift = chart.label_width
    for group in chart.groups:
        for row in group.rows:
            label, start, due = html.escape(row.label), short_date(row.start, ""), short_date(row.due, "")
            parts = [
                f'<g transform="translate(0,{row.y})">',
                f'<text class="gantt__label" x="10" y="16">{html.escape(truncated(row.label, 44))}'
                f"<title>{label}</title></text>",
                f'<g transform="translate({shift},0)">',
            ]
            if row.bar:
                title = f"{row.label} — {start} → {due} ({row.status_label})"
                parts.append(
                    f'<rect class="gantt__bar gantt__bar--{html.escape(row.status_class)}" x="{row.bar[0]}" y="5" '
                    f'width="{row.bar[1]}" height="14" rx="3"><title>{html.escape(title)}</title></rect>'
                )
            for x, title, done in row.milestones:
                done_class = " gantt__milestone--done" if done else ""
                parts.append(
                    f'<g transform="translate({x},12)"><path class="gantt__milestone{done_class}" '
                    f'd="M0,-6L6,0L0,6L-6,0Z"><title>{html.escape(title)}</title></path></g>'
                )
            parts.append("</g></g>")
            row.svg = SafeString("".join(parts))
            name = f'<a href="{html.escape(row.url)}">{label}</a>' if row.url else label
            milestones = " ; ".join(html.escape(text) for text in row.milestone_list) or "—"
            row.table_row = SafeString(
                f'<tr><th scope="row">{name}</th><td>{start or "—"}</td><td>{due or "—"}</td>'
                f"<td>{html.escape(row.status_label)}</td><td>{milestones}</td></tr>"
            )


class TimelineView(GHTMixin, TemplateView):
    http_method_names = ["get", "head", "options"]  # read-only page
    template_name = "reports/timeline.html"

    def chart(self, groups: list[timeline.Group], period=None) -> timeline.Chart:
        chart = timeline.layout(groups, today=timezone.localdate(), period=period)
        draw_rows(chart)
        return chart

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
            .only(*ROW_FIELDS)
            .annotate(axis_id=F("objective__axis_id"))  # the group, without loading 600 objectives
            .annotate_late(today)
            .order_by("objective__axis__position", "objective__position", "start_date", "code")
        )
        milestones = self.milestones_by_action(actions)
        url, labels = action_url_maker(self.ght.slug), status_labels()
        word = plan.get_axis_label_display()
        groups = {axis.pk: timeline.Group(label=f"{word} {axis.position} — {axis.title}", rows=[]) for axis in axes}
        orphans = timeline.Group(label=_("Actions sans objectif"), rows=[])
        for action in actions:
            group = groups.get(action.axis_id)
            (group or orphans).rows.append(make_row(action, milestones[action.pk], url(action.pk), labels))
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
            .filter(in_filieres_q(filiere))
            .exclude(plan__status=Plan.Status.ARCHIVED)
            .select_related("objective")
            .annotate_late(today)
            .distinct()
            .order_by("objective__position", "objective_id", "start_date", "code")
        )
        milestones = self.milestones_by_action(actions)
        url, labels = action_url_maker(self.ght.slug), status_labels()
        groups: dict[int | None, timeline.Group] = {}
        for action in actions:
            objective: Objective | None = action.objective
            key = objective.pk if objective else None
            if key not in groups:
                label = str(objective) if objective else _("Actions sans objectif")
                groups[key] = timeline.Group(label=label, rows=[])
            groups[key].rows.append(make_row(action, milestones[action.pk], url(action.pk), labels))
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
