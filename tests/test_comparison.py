"""Comparison of two checkpoints (or one and today): the pure diff, then the page and its query ceiling."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import Action, Indicator, Measurement
from ght_portal.models import Role
from governance.checkpoints import services
from governance.checkpoints.comparison import IndicatorValue, Row, compare
from governance.models import Campaign, Snapshot
from tests.helpers import text
from tests.test_checkpoints import IN_A_MONTH, TODAY, World, update_of

# --- Pure diff -------------------------------------------------------------------------------------


def row(code, *, status="en_cours", health="on_track", progress=10, late=False, axis=1, filieres=("GER",), ind=()):
    return Row(
        key=f"id:{code}",
        code=code,
        title=f"Action {code}",
        axis_position=axis,
        axis_title=f"Axe {axis}" if axis else "",
        filiere_codes=tuple(filieres),
        status=status,
        health=health,
        progress=progress,
        is_late=late,
        indicators=tuple(
            IndicatorValue(i, f"Ind {i}", "%", Decimal(v) if v is not None else None, None) for i, v in ind
        ),
    )


def test_compare_finds_each_kind_of_move():
    before = [
        row("A", progress=10, ind=[(1, "10"), (2, "5")]),
        row("B", status="en_cours", progress=80),
        row("C", health="on_track", late=False, filieres=("URG",), axis=2),
        row("D", progress=30, filieres=("GER", "URG")),
        row("E", status="realisee", progress=100),
    ]
    after = [
        row("A", progress=40, ind=[(1, "25"), (2, "5"), (3, "7")]),
        row("B", status="realisee", progress=100),
        row("C", health="off_track", late=True, filieres=("URG",), axis=2),
        row("D", progress=30, filieres=("GER", "URG")),
        row("E", status="realisee", progress=100),
    ]
    result = compare(before, after, filiere_names={"GER": "Gériatrie"})
    lines = {line.row.code: line for line in result.lines}
    assert lines["A"].progress_delta == 30 and not lines["A"].status_moved
    assert [(m.name, m.before, m.after, m.delta) for m in lines["A"].indicator_moves] == [
        ("Ind 1", Decimal(10), Decimal(25), Decimal(15)),
        ("Ind 3", None, Decimal(7), None),
    ]
    assert lines["B"].status_moved and lines["B"].newly_done and not lines["E"].newly_done
    assert lines["C"].newly_late and lines["C"].health_worse
    assert not lines["D"].changed and not lines["E"].changed
    assert [line.row.code for line in result.changed_lines] == ["A", "B", "C"]

    total = result.total
    assert (total.actions, total.status_moves, total.newly_done, total.newly_late) == (5, 1, 1, 1)
    assert (total.health_worse, total.health_better, total.indicator_moves) == (1, 0, 2)
    assert (total.average_before, total.average_after, total.average_delta) == (46, 56, 10)

    assert [(t.label, t.actions) for t in result.by_axis] == [("1. Axe 1", 4), ("2. Axe 2", 1)]
    by_filiere = {t.label: t for t in result.by_filiere}
    assert by_filiere["Gériatrie"].actions == 4 and by_filiere["URG"].actions == 2  # D counts in both
    assert by_filiere["URG"].newly_late == 1 and by_filiere["Gériatrie"].newly_done == 1


def test_compare_with_actions_on_one_side_only_and_without_axis_or_filiere():
    result = compare([row("OLD")], [row("NEW", axis=None, filieres=())])
    lines = {line.row.code: line for line in result.lines}
    assert lines["OLD"].after is None and lines["OLD"].changed and not lines["OLD"].newly_done
    assert lines["NEW"].before is None and lines["NEW"].changed and lines["NEW"].progress_delta is None
    assert result.total.compared == 0 and result.total.average_before is None
    assert [t.label for t in result.by_axis] == ["1. Axe 1", ""]  # without axis last
    assert [t.label for t in result.by_filiere] == ["GER", ""]


def test_health_improvement_counts_as_better():
    result = compare([row("A", health="off_track")], [row("A", health="at_risk")])
    assert (result.total.health_better, result.total.health_worse) == (1, 0)


def test_compare_nothing():
    result = compare([], [])
    assert result.lines == [] and result.total.actions == 0 and result.by_axis == []


# --- Page ------------------------------------------------------------------------------------------


@pytest.fixture
def world(ght, make_member):
    return World(ght, make_member)


def close(world, campaign):
    return services.close_campaign(
        acting_user=world.office, membership=world.membership(world.office), campaign=campaign
    )


def compare_url(campaign, **params):
    url = reverse("checkpoint_compare", kwargs={"ght_slug": "alpha", "campaign_id": campaign.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_comparison_of_two_campaigns_and_with_today(client, world):
    june = world.open()
    close(world, june)
    world.submit(
        world.owner,
        update_of(world.open(title="Point d'étape décembre 2026"), world.ger1),
        status=Action.Status.DONE,
        progress=100,
        health="on_track",
        measurements=[services.DeclaredMeasurement(world.indicator, TODAY, Decimal(30))],
    )
    december = Campaign.objects.get(title="Point d'étape décembre 2026")
    close(world, december)
    client.force_login(world.reader)

    page = text(client.get(compare_url(december)))  # default: the previous closed campaign
    assert "De « Point d'étape juin 2026 » à « Point d'étape décembre 2026 »" in page
    assert "GER-1 Action GER-1" in page and "En cours →" in page and "Réalisée" in page
    assert "10 % → 100 % (+90)" in page and "Patients vus : — → 30 patients" in page
    assert "URG-1 Action URG-1" not in page  # nothing moved

    Action.objects.filter(pk=world.urg1.pk).update(progress=35, due_date=TODAY - datetime.timedelta(days=2))
    page = text(client.get(compare_url(december, avec="aujourdhui")))
    assert "De « Point d'étape décembre 2026 » à « Aujourd'hui »" in page
    assert "URG-1 Action URG-1" in page and "30 % → 35 % (+5)" in page and "en retard" in page
    assert "GER-1 Action GER-1" not in page  # moved before December, not since
    # The same pair asked from the other side reads in time order too.
    page = text(client.get(compare_url(june, avec=december.pk)))
    assert "De « Point d'étape juin 2026 » à « Point d'étape décembre 2026 »" in page


def test_comparison_refuses_an_open_campaign_and_a_foreign_or_other_plan_campaign(client, world, other_ght):
    from tests.factories import ActionFactory, AxisFactory, ObjectiveFactory, PlanFactory

    june = world.open()
    client.force_login(world.director)
    assert "pas encore clos" in text(client.get(compare_url(june)))
    close(world, june)
    other_plan = PlanFactory(ght=world.ght)
    ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=other_plan)))
    elsewhere = world.open(plan=other_plan)
    close(world, elsewhere)
    page = text(client.get(compare_url(june, avec=elsewhere.pk)))
    assert "Sélectionnez un choix valide" in page and "actions comparées" not in page
    page = text(client.get(compare_url(june, avec="9999999")))
    assert "Sélectionnez un choix valide" in page


def test_comparison_page_stays_under_20_queries_with_600_snapshots(client, world, django_assert_max_num_queries):
    """600 actions with two indicators and measurements each, closed twice, compared with each other and
    with today: the page costs the same few queries whatever the size."""
    objective = world.ger1.objective
    actions = Action.objects.bulk_create(
        Action(
            ght=world.ght,
            plan=world.plan,
            objective=objective,
            code=f"B-{n}",
            title=f"Action de masse {n}",
            status="en_cours",
            progress=n % 100,
            owner=world.owner,
        )
        for n in range(596)
    )
    Action.filieres.through.objects.bulk_create(
        Action.filieres.through(action_id=a.pk, filiere_id=(world.ger if n % 2 else world.urg).pk)
        for n, a in enumerate(actions)
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(ght=world.ght, action=a, name=f"I{k}", unit="%") for a in actions for k in range(2)
    )
    Measurement.objects.bulk_create(
        Measurement(ght=world.ght, indicator=i, measured_on=datetime.date(2025, 1, 1), value=1) for i in indicators
    )
    june = world.open(deadline=IN_A_MONTH)
    close(world, june)
    assert Snapshot.objects.filter(campaign=june, in_scope=True).count() == 600
    Action.objects.filter(code__startswith="B-1").update(progress=99, status="realisee")
    Measurement.objects.bulk_create(
        Measurement(ght=world.ght, indicator=i, measured_on=datetime.date(2025, 6, 1), value=2)
        for i in indicators[:300]
    )
    december = world.open(title="Décembre")
    close(world, december)

    client.force_login(world.pilot)
    for url in (compare_url(december), compare_url(june, avec="aujourdhui"), compare_url(december, avec="aujourdhui")):
        # session, user, membership; the campaign, the other closed campaigns, the filières, the
        # snapshots of each side — or, for today, the actions, their filière links, indicators and
        # their latest values
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200 and "actions comparées" in text(response)
    assert "600" in text(client.get(compare_url(december)))


@pytest.mark.parametrize("role", list(Role))
def test_every_member_reads_the_comparison(client, world, role, make_member):
    june = world.open()
    close(world, june)
    client.force_login(make_member(world.ght, role))
    assert client.get(compare_url(june)).status_code == 200
