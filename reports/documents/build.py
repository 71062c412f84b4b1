"""What each PDF says: the annual reviews (comité stratégique, CMG) and a filière's roadmap.

The figures shared with the dashboard come from ``reports.figures`` and its charts from
``reports.charts`` (one source for the screen and the paper, so they always agree); this module adds
what only the documents show — actions the year's decisions, the comparison
of the year's checkpoints, the annex of every action — in a fixed number of queries, then lays the
document out with the templates of ``templates/reports/pdf/``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from filieres.models import Filiere, Pilot
from filieres.services import roadmap_actions
from governance.checkpoints.comparison import compare, row_from_snapshot
from governance.models import Campaign, Decision, Instance, Snapshot
from governance.services import decisions_shown
from reports import charts, figures
from reports.documents import pdf
from reports.models import Report

Progress = Callable[[int, str], None]

# Long tables are cut into blocks of this many rows: WeasyPrint's time grows with the pages a single
# table spans (about 2 GB for ~220 pages of one table in WeasyPrint 59), and a block per axis reads better anyway.
ANNEX_BLOCK = 40
CMG_INSTANCE_KINDS = (Instance.Kind.CMG, Instance.Kind.CMG_BUREAU)
# Up to this many indicators the review lists them all; beyond, the ones furthest from their target
# (the full list is the dashboard's Excel export): a board reads 40 rows, not 1,200.
INDICATORS_LISTED = 40


@dataclass(frozen=True)
class Built:
    content: bytes
    page_count: int
    as_of: datetime.date


def as_of(report: Report) -> datetime.date:
    """The day the figures describe: the checkpoint's closing day, or today."""
    if report.campaign_id and report.campaign.closed_at:
        return timezone.localdate(report.campaign.closed_at)
    return timezone.localdate()


def medical_filiere_ids(report: Report) -> frozenset[int]:
    return frozenset(
        Filiere.objects.filter(ght_id=report.ght_id, kind=Filiere.Kind.MEDICAL).values_list("pk", flat=True)
    )


def decisions_of_year(report: Report, kinds: tuple[str, ...] | None) -> list[Decision]:
    decisions = decisions_shown(report.ght).filter(decided_on__year=report.year).order_by("decided_on", "pk")
    if kinds:
        decisions = decisions.filter(instance__kind__in=kinds)
    return list(decisions)


def year_comparison(report: Report, keep: frozenset[int] | None):
    """The first and the last checkpoint of the plan closed during the year, compared (None if fewer
    than two). With ``keep``, only the actions of those filières."""
    campaigns = list(
        Campaign.objects.closed()
        .filter(ght_id=report.ght_id, plan_id=report.plan_id, deadline__year=report.year)
        .order_by("deadline", "pk")
    )
    if len(campaigns) < 2:
        return None, campaigns
    first, last = campaigns[0], campaigns[-1]
    snapshots = Snapshot.objects.filter(ght_id=report.ght_id, campaign__in=[first, last])
    sides: dict[int, list] = {first.pk: [], last.pk: []}
    for snap in snapshots:
        if keep is None or keep.intersection(snap.filiere_ids):
            sides[snap.campaign_id].append(row_from_snapshot(snap))
    names = dict(Filiere.objects.filter(ght_id=report.ght_id).values_list("code", "name"))
    return compare(sides[first.pk], sides[last.pk], filiere_names=names), [first, last]


def annex_blocks(lines: Iterable[figures.ActionLine]) -> list[tuple[str, list[figures.ActionLine]]]:
    """Per axis, in blocks of at most ``ANNEX_BLOCK`` rows (the heading repeats: « suite »)."""
    blocks = []
    for axis, group in groupby(lines, key=lambda line: line.axis_label):
        for number, block in enumerate(pdf.in_blocks(group, ANNEX_BLOCK)):
            blocks.append((axis if number == 0 else _("%(axis)s (suite)") % {"axis": axis}, block))
    return blocks


def indicators_shown(numbers: figures.Figures) -> tuple[list[figures.IndicatorLine], bool]:
    """(the indicators the document lists, whether that is a selection)."""
    indicators = list(numbers.indicators)
    if len(indicators) <= INDICATORS_LISTED:
        return indicators, False
    measured = [line for line in indicators if line.percent is not None and line.percent < 100]
    return sorted(measured, key=lambda line: (line.percent, line.action_code))[:INDICATORS_LISTED], True


def logo_uri(report: Report) -> str | None:
    logo = report.ght.logo
    if not logo:
        return None
    try:
        with logo.open("rb") as handle:
            return pdf.data_uri(handle.read(), logo.name)
    except OSError:
        return None  # a lost logo file must not cost the director their review


def figures_context(numbers: figures.Figures) -> dict:
    """What every document shows of the dashboard's figures: them, their charts, the indicators listed."""
    return {
        "figures": numbers,
        "charts": charts.dashboard_charts(numbers),
        "indicators": indicators_shown(numbers),
    }


def review_context(report: Report, day: datetime.date) -> dict:
    cmg = report.kind == Report.Kind.CMG_REVIEW
    keep = medical_filiere_ids(report) if cmg else None
    scope = figures.Scope(ght=report.ght, plan=report.plan, campaign=report.campaign, medical_only=cmg)
    numbers = figures.compute(scope, today=day)
    comparison, campaigns = year_comparison(report, keep)
    decisions = decisions_of_year(report, CMG_INSTANCE_KINDS if cmg else None)
    return {
        **figures_context(numbers),
        "instance_label": _("Commission médicale de groupement") if cmg else _("Comité stratégique"),
        "completed": numbers.done_in(report.year),
        "decisions": decisions,
        "opinions": [d for d in decisions if d.kind.startswith("avis")] if cmg else [],
        "comparison": comparison,
        "campaigns": campaigns,
        "annex": annex_blocks(numbers.actions),
    }


def roadmap_context(report: Report, day: datetime.date) -> dict:
    filiere = report.filiere
    actions = list(
        roadmap_actions(filiere, report.year, day)
        .filter(plan_id=report.plan_id)
        .select_related("owner", "lead_establishment")
        .prefetch_related("milestones")
    )
    for action in actions:
        action.year_milestones = [m for m in action.milestones.all() if m.due_date.year == report.year]
    scope = figures.Scope(
        ght=report.ght, plan=report.plan, filiere=filiere, campaign=report.campaign, running_in=report.year
    )
    numbers = figures.compute(scope, today=day)
    return {
        "instance_label": _("Feuille de route %(year)s") % {"year": report.year},
        "filiere": filiere,
        "pilots": Pilot.objects.filter(ght_id=report.ght_id, filiere=filiere)
        .select_related("user", "establishment")
        .order_by("user__full_name"),
        "establishments": filiere.establishments.order_by("name"),
        "roadmap": actions,
        **figures_context(numbers),
    }


TEMPLATES = {
    Report.Kind.STRATEGIC_REVIEW: ("reports/pdf/review.html", review_context),
    Report.Kind.CMG_REVIEW: ("reports/pdf/review.html", review_context),
    Report.Kind.ROADMAP: ("reports/pdf/roadmap.html", roadmap_context),
}


def build(report: Report, progress: Progress) -> Built:
    """Gather, lay out and write ``report``'s PDF, telling ``progress`` where it is."""
    template, gather = TEMPLATES[report.kind]
    day = as_of(report)
    progress(10, _("Calcul des chiffres"))
    context = {
        "report": report,
        "ght": report.ght,
        "plan": report.plan,
        "year": report.year,
        "as_of": day,
        "generated_at": timezone.localtime(),
        "logo": logo_uri(report),
        **gather(report, day),
    }
    progress(40, _("Mise en page du document"))
    html = render_to_string(template, context)
    progress(60, _("Écriture du PDF"))
    rendered = pdf.render(html)
    progress(95, _("Enregistrement"))
    return Built(rendered.content, rendered.page_count, day)
