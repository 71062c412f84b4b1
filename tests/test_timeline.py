"""The Gantt chart: pure date→x geometry, and the server-drawn SVG pages of a plan and a filière."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Action
from ght_portal.models import Role
from reports.timeline.layout import MIN_BAR_WIDTH, Group, Row, Scale, layout, scale_for
from tests.factories import ActionFactory, AxisFactory, FiliereFactory, MilestoneFactory, ObjectiveFactory, PlanFactory
from tests.helpers import text

D = datetime.date


# --- Geometry --------------------------------------------------------------------------------------


def test_scale_maps_dates_linearly_and_clamps_outside_dates():
    scale = Scale(start=D(2026, 1, 1), end=D(2027, 1, 1), px_per_day=2)
    assert scale.x(D(2026, 1, 1)) == 0
    assert scale.x(D(2026, 1, 11)) == 20
    assert scale.width == 730
    assert scale.x(D(2020, 5, 5)) == 0 and scale.x(D(2030, 1, 1)) == 730


def test_a_bar_covers_its_days_inclusive_and_is_never_invisible():
    scale = Scale(start=D(2026, 1, 1), end=D(2027, 1, 1), px_per_day=1)
    assert scale.bar(D(2026, 1, 1), D(2026, 1, 31)) == (0, 31)
    assert scale.bar(D(2026, 3, 1), D(2026, 3, 1)) == (59, MIN_BAR_WIDTH)
    assert scale.bar(D(2026, 1, 31), D(2026, 1, 1)) == (0, 31)  # reversed dates still draw


def test_ticks_are_monthly_and_january_carries_the_year():
    scale = Scale(start=D(2025, 11, 1), end=D(2026, 3, 1), px_per_day=1)
    ticks = scale.ticks()
    assert [t.day for t in ticks] == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert [t.label for t in ticks] == ["N", "D", "2026", "F", "M"]
    assert [t.is_year for t in ticks] == [False, False, True, False, False]
    crowded = Scale(start=D(2020, 1, 1), end=D(2030, 1, 1), px_per_day=0.2)
    assert {t.label for t in crowded.ticks() if not t.is_year} == {""}  # no month letters when too narrow


def test_scale_covers_the_period_dates_and_today_in_whole_months():
    scale = scale_for([D(2026, 3, 15), None, D(2026, 5, 2)], today=D(2026, 4, 1))
    assert scale.start == D(2026, 3, 1)
    assert scale.end == D(2027, 3, 1)  # at least a year
    long = scale_for([], today=D(2026, 4, 1), period=(D(2024, 1, 1), D(2029, 12, 31)))
    assert long.start == D(2024, 1, 1) and long.end == D(2030, 1, 1)
    assert long.px_per_day == 0.6  # long periods scroll instead of squeezing months


def test_layout_stacks_groups_and_rows_and_places_milestones_and_today():
    rows = [
        Row(label="A", title="A", status_class="open", start=D(2026, 1, 1), due=D(2026, 6, 30)),
        Row(label="B", title="B", status_class="late", start=None, due=D(2026, 2, 1)),
        Row(label="C", title="C", status_class="open", start=None, due=None),
    ]
    rows[0].milestones = [(D(2026, 3, 1), "Jalon", False)]
    chart = layout([Group(label="Axe 1", rows=rows)], today=D(2026, 4, 1))
    assert chart.groups[0].y < rows[0].y < rows[1].y < rows[2].y
    assert rows[0].bar[0] == chart.scale.x(D(2026, 1, 1))
    assert rows[1].bar == (chart.scale.x(D(2026, 2, 1)), MIN_BAR_WIDTH)  # a due date alone: a short bar
    assert rows[2].bar is None
    assert rows[0].milestones == [(chart.scale.x(D(2026, 3, 1)), "Jalon", False)]
    assert chart.today_x == chart.scale.x(D(2026, 4, 1))


# --- Pages -----------------------------------------------------------------------------------------


@pytest.fixture
def plan_with_actions(ght):
    today = timezone.localdate()
    plan = PlanFactory(ght=ght, axis_label="ambition", start_year=today.year - 1, end_year=today.year + 3)
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan, position=1, title="Parcours"))
    late = ActionFactory(
        objective=objective,
        code="L-1",
        title="Action en retard",
        start_date=today - datetime.timedelta(days=200),
        due_date=today - datetime.timedelta(days=10),
    )
    done = ActionFactory(
        objective=objective,
        code="D-1",
        title="Action terminée",
        status=Action.Status.DONE,
        start_date=today - datetime.timedelta(days=300),
        due_date=today - datetime.timedelta(days=30),
    )
    MilestoneFactory(action=late, title="Comité de lancement", due_date=today - datetime.timedelta(days=100))
    return plan, late, done


def test_plan_timeline_draws_bars_milestones_today_and_a_text_table(reader_client, ght, plan_with_actions):
    plan, late, _done = plan_with_actions
    response = reader_client.get(f"/{ght.slug}/plans/{plan.pk}/calendrier/")
    assert response.status_code == 200
    page = text(response)
    assert "<svg" in page and 'class="gantt__today"' in page
    assert "gantt__bar--late" in page and "gantt__bar--done" in page
    assert "gantt__milestone" in page and "Comité de lancement" in page
    assert "Ambition 1 — Parcours" in page
    # The accessible table: action, start, due, status.
    assert "Le calendrier sous forme de tableau" in page
    assert f"{late.due_date:%d/%m/%Y}" in page and "En cours, en retard" in page
    # Coordinates are never localised (a French decimal comma would break the SVG).
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'x="' in svg and not any(f'{attr}="{n},' in svg for attr in ("x", "width") for n in range(10))


def test_filiere_timeline_groups_by_objective(reader_client, ght, plan_with_actions):
    _plan, late, done = plan_with_actions
    filiere = FiliereFactory(ght=ght, name="Gériatrie")
    late.filieres.add(filiere)
    response = reader_client.get(f"/{ght.slug}/filieres/{filiere.pk}/calendrier/")
    page = text(response)
    assert response.status_code == 200
    assert late.title in page and done.title not in page
    assert str(late.objective) in page


def test_timeline_pages_have_a_query_ceiling(client, ght, make_member, django_assert_max_num_queries):
    plan = PlanFactory(ght=ght)
    filiere = FiliereFactory(ght=ght)
    for a in range(4):
        objective = ObjectiveFactory(axis=AxisFactory(plan=plan), filiere=filiere)
        for _ in range(16):
            action = ActionFactory(objective=objective, start_date=D(2025, 1, 1), due_date=D(2026, 6, 1))
            MilestoneFactory(action=action)
            if a % 2:
                action.filieres.add(filiere)
    client.force_login(make_member(ght, Role.READER))
    for url in (f"/{ght.slug}/plans/{plan.pk}/calendrier/", f"/{ght.slug}/filieres/{filiere.pk}/calendrier/"):
        client.get(url)
        # session, user, membership (GHTMixin), plan or filière, axes, actions, milestones, session save.
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200
        assert text(response).count("gantt__bar gantt__bar") == 64
