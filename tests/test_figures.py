"""The dashboard's figures (reports/figures.py) for a known data set: live, from a closed checkpoint's
snapshots, for the CMG (medical filières only), filtered, and in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from actions.models import Action, Plan
from filieres.models import Filiere
from ght_portal.models import Membership, Role
from governance.checkpoints import services
from governance.models import CheckpointUpdate
from reports.figures import Scope, compute, french_date
from tests.factories import (
    ActionFactory,
    AxisFactory,
    EstablishmentFactory,
    FiliereFactory,
    IndicatorFactory,
    MeasurementFactory,
    ObjectiveFactory,
    PlanFactory,
)

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


class Data:
    """A plan of two ambitions, three filières (two medical), two establishments, six actions:

    code  axis  filières        lead   status      due      health     progress
    A1    1     GER             CHU    en cours    -10 (late) at risk    40   indicator 10 → 30, target 50
    A2    1     GER, URG        CHB*   en cours    +30      on track   60   (*CHU concerned) indicator, no value
    A3    1     URG             —      réalisée    -100     on track   100
    A4    2     ACH (support)   CHB    à lancer    +200     off track  0
    A5    2     GER (objective) CHU    suspendue   -5 (late) on track   20
    A6    —     —               —      abandonnée  -50      off track  10
    """

    def __init__(self, ght, make_member):
        self.ght = ght
        self.office = make_member(ght, Role.OFFICE, full_name="Claire Cellule")
        self.ger = FiliereFactory(ght=ght, code="GER", name="Gériatrie")
        self.urg = FiliereFactory(ght=ght, code="URG", name="Urgences")
        self.ach = FiliereFactory(ght=ght, code="ACH", name="Achats", kind=Filiere.Kind.SUPPORT)
        self.chu = EstablishmentFactory(ght=ght, name="CHU Nord")
        self.chb = EstablishmentFactory(ght=ght, name="CH Bourg")
        self.plan = PlanFactory(ght=ght, title="PMSP", status=Plan.Status.ACTIVE, axis_label=Plan.AxisLabel.AMBITION)
        axis1 = AxisFactory(plan=self.plan, position=1, title="Parcours")
        axis2 = AxisFactory(plan=self.plan, position=2, title="Fonctions support")
        objective1 = ObjectiveFactory(axis=axis1)
        objective2 = ObjectiveFactory(axis=axis2)
        objective_ger = ObjectiveFactory(axis=axis2, filiere=self.ger)

        def action(code, objective, filieres=(), **fields):
            created = ActionFactory(objective=objective, plan=self.plan, code=code, title=f"Action {code}", **fields)
            created.filieres.set(filieres)
            return created

        S, H = Action.Status, Action.Health
        self.a1 = action("A1", objective1, [self.ger], lead_establishment=self.chu, status=S.IN_PROGRESS,
                         due_date=days(-10), health=H.AT_RISK, progress=40)  # fmt: skip
        self.a2 = action("A2", objective1, [self.ger, self.urg], lead_establishment=self.chb,
                         status=S.IN_PROGRESS, due_date=days(30), health=H.ON_TRACK, progress=60)  # fmt: skip
        self.a2.establishments.add(self.chu)
        self.a3 = action("A3", objective1, [self.urg], status=S.DONE, due_date=days(-100), progress=100)
        self.a4 = action("A4", objective2, [self.ach], lead_establishment=self.chb, status=S.TO_START,
                         due_date=days(200), health=H.OFF_TRACK, progress=0)  # fmt: skip
        self.a5 = action("A5", objective_ger, [], lead_establishment=self.chu, status=S.SUSPENDED,
                         due_date=days(-5), progress=20)  # fmt: skip
        self.a6 = ActionFactory(objective=None, plan=self.plan, code="A6", title="Action A6", status=S.ABANDONED,
                                due_date=days(-50), health=H.OFF_TRACK, progress=10)  # fmt: skip
        self.indicator = IndicatorFactory(
            action=self.a1,
            name="Patients vus",
            unit="patients",
            baseline=Decimal(10),
            target=Decimal(50),
            target_date=datetime.date(2028, 12, 31),
        )
        MeasurementFactory(indicator=self.indicator, measured_on=days(-60), value=Decimal(20))
        MeasurementFactory(indicator=self.indicator, measured_on=days(-20), value=Decimal(30))
        self.empty_indicator = IndicatorFactory(action=self.a2, name="Délai", unit="jours", baseline=None)

    @property
    def membership(self):
        return Membership.objects.get(ght=self.ght, user=self.office)

    def campaign(self, title="Point d'étape juin", blocking="Locaux manquants", progress=55):
        """Open a campaign over every open action, submit A1's update, close it."""
        campaign = services.open_campaign(
            acting_user=self.office,
            membership=self.membership,
            plan=self.plan,
            title=title,
            deadline=days(30),
            all_filieres=True,
        )
        update = CheckpointUpdate.objects.get(campaign=campaign, action=self.a1)
        services.submit_update(
            acting_user=self.office,
            membership=self.membership,
            update=update,
            status=Action.Status.IN_PROGRESS,
            health=Action.Health.AT_RISK,
            progress=progress,
            blocking_points=blocking,
            next_steps="Recruter deux IDE",
            expected_version=Action.objects.get(pk=self.a1.pk).version,
        )
        return services.close_campaign(acting_user=self.office, membership=self.membership, campaign=campaign)

    def scope(self, **kwargs) -> Scope:
        return Scope(ght=self.ght, plan=self.plan, **kwargs)


@pytest.fixture
def data(ght, make_member):
    return Data(ght, make_member)


def by_key(rows):
    return {row.key: row for row in rows}


def test_live_figures_of_the_whole_plan(data, django_assert_num_queries):
    # filières, actions (with objective, axis, owner), their filière links, indicators (with their
    # latest value), latest submitted checkpoint updates, closed checkpoints of the plan: 6.
    with django_assert_num_queries(6):
        figures = compute(data.scope())
    assert figures.source_label == f"Données du portail au {french_date(TODAY)}"
    assert not figures.is_snapshot and figures.as_of == TODAY
    assert (figures.total, figures.done, figures.late, figures.at_risk, figures.mean_progress) == (6, 1, 2, 2, 38)
    assert [(s.label, s.count, s.late) for s in figures.by_status] == [
        ("À lancer", 1, 0),
        ("En cours", 2, 1),
        ("Réalisée", 1, 0),
        ("Suspendue", 1, 1),
        ("Abandonnée", 1, 0),
    ]
    assert [(h.key, h.label, h.count) for h in figures.by_health] == [
        ("on_track", "En bonne voie", 3),
        ("at_risk", "À risque", 1),
        ("off_track", "En difficulté", 2),
    ]
    axes = figures.by_axis
    assert [a.label for a in axes] == ["Ambition 1 — Parcours", "Ambition 2 — Fonctions support", "Sans axe"]
    first = axes[0]
    assert (first.count, first.done, first.late, first.at_risk, first.in_progress, first.mean_progress) == (
        3, 1, 1, 1, 1, 67,
    )  # fmt: skip
    assert (axes[1].count, axes[1].late, axes[1].to_start, axes[1].at_risk) == (2, 1, 1, 1)
    assert (axes[2].count, axes[2].stopped, axes[2].at_risk) == (1, 1, 0)  # abandoned: never at risk
    filieres = figures.by_filiere
    assert [(f.label, f.count) for f in filieres] == [
        ("ACH — Achats", 1),
        ("GER — Gériatrie", 3),  # A5 through its objective
        ("URG — Urgences", 2),
        ("Sans filière", 1),
    ]
    assert [a.code for a in figures.actions] == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert [a.code for a in figures.late_actions] == ["A1", "A5"]
    assert [a.code for a in figures.at_risk_actions] == ["A4", "A1"]  # off track first
    assert [a.code for a in figures.upcoming] == ["A2"]
    assert figures.checkpoints == ()
    by_name = {line.name: line for line in figures.indicators}
    patients = by_name["Patients vus"]
    assert (patients.baseline, patients.target, patients.value, patients.percent) == (10, 50, 30, 50)
    assert patients.measured_on == days(-20) and patients.target_date == datetime.date(2028, 12, 31)
    assert (by_name["Délai"].value, by_name["Délai"].percent) == (None, None)


def test_live_blocking_points_come_from_the_latest_submitted_update(data):
    data.campaign(blocking="Ancien blocage")
    data.campaign(title="Point d'étape décembre", blocking="Locaux manquants")
    line = next(a for a in compute(data.scope()).late_actions if a.code == "A1")
    assert (line.blocking_points, line.next_steps) == ("Locaux manquants", "Recruter deux IDE")
    assert line.progress == 55 and line.is_late and line.is_at_risk


def test_figures_from_a_closed_checkpoint_stay_as_they_were(data, django_assert_num_queries):
    june = data.campaign()
    Action.objects.filter(pk=data.a2.pk).update(status=Action.Status.DONE, progress=100)  # after closing
    # the campaign's snapshots, closed checkpoints: 2 (the filières and target dates are frozen too).
    with django_assert_num_queries(2):
        figures = compute(data.scope(campaign=june))
    closed_on = timezone.localdate(june.closed_at)
    assert figures.is_snapshot and figures.as_of == closed_on
    assert (
        figures.source_label == f"Instantané du point d'étape « Point d'étape juin », clos le {french_date(closed_on)}"
    )
    # The campaign followed the actions open at its opening (A1, A2, A4, A5) and froze the whole plan.
    assert [a.code for a in figures.actions] == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert (figures.total, figures.done, figures.late, figures.mean_progress) == (6, 1, 2, 41)
    a1 = figures.late_actions[0]
    assert (a1.code, a1.progress, a1.blocking_points, a1.next_steps) == (
        "A1",
        55,
        "Locaux manquants",
        "Recruter deux IDE",
    )
    assert by_key(figures.by_status)["en_cours"].count == 2  # A2 still in progress in the snapshot
    patients = next(line for line in figures.indicators if line.name == "Patients vus")
    assert (patients.baseline, patients.value, patients.percent, patients.target_date) == (
        10, 30, 50, datetime.date(2028, 12, 31),
    )  # fmt: skip
    assert [(p.title, p.count, p.mean_progress, p.done, p.late) for p in figures.checkpoints] == [
        ("Point d'étape juin", 6, 41, 1, 2)
    ]


def test_checkpoint_trend_stops_at_the_chosen_checkpoint(data):
    june = data.campaign()
    december = data.campaign(title="Point d'étape décembre", progress=80)
    assert [p.title for p in compute(data.scope()).checkpoints] == ["Point d'étape juin", "Point d'étape décembre"]
    assert [p.title for p in compute(data.scope(campaign=june)).checkpoints] == ["Point d'étape juin"]
    last = compute(data.scope(campaign=december)).checkpoints[-1]
    assert (last.mean_progress, last.done_percent, last.late_percent) == (45, 17, 33)  # (80+60+100+0+20+10)/6


def test_medical_only_keeps_the_actions_of_medical_filieres(data):
    figures = compute(data.scope(medical_only=True))
    assert [a.code for a in figures.actions] == ["A1", "A2", "A3", "A5"]
    assert [f.label for f in figures.by_filiere] == ["GER — Gériatrie", "URG — Urgences"]
    june = data.campaign()
    snapshot = compute(data.scope(campaign=june, medical_only=True))
    assert [a.code for a in snapshot.actions] == ["A1", "A2", "A3", "A5"]  # as live: A3, done, is frozen too
    assert snapshot.checkpoints[0].count == 4


def test_filters_by_filiere_and_establishment(data):
    assert [a.code for a in compute(data.scope(filiere=data.ger)).actions] == ["A1", "A2", "A5"]
    assert [a.code for a in compute(data.scope(establishment=data.chu)).actions] == ["A1", "A2", "A5"]  # A2 concerned
    both = compute(data.scope(filiere=data.urg, establishment=data.chu))
    assert [a.code for a in both.actions] == ["A2"]
    june = data.campaign()
    assert [a.code for a in compute(data.scope(campaign=june, filiere=data.ger)).actions] == ["A1", "A2", "A5"]
    assert [a.code for a in compute(data.scope(campaign=june, establishment=data.chb)).actions] == ["A2", "A4"]
    assert compute(data.scope(campaign=june, filiere=data.urg)).checkpoints[0].count == 2  # A2, and A3 done


def test_query_count_does_not_grow_with_the_plan(data, django_assert_num_queries):
    objective = data.a1.objective
    for n in range(30):
        action = ActionFactory(objective=objective, plan=data.plan, code=f"X-{n}", due_date=days(n - 15))
        action.filieres.add(data.ger)
        IndicatorFactory(action=action)
    with django_assert_num_queries(6):
        assert compute(data.scope()).total == 36
    june = data.campaign()
    with django_assert_num_queries(2):
        assert compute(data.scope(campaign=june)).total == 36  # the whole plan is frozen


def test_scope_refuses_another_ghts_objects_and_open_campaigns(data, other_ght):
    other_plan = PlanFactory(ght=other_ght)
    with pytest.raises(ValueError):
        Scope(ght=data.ght, plan=other_plan)
    with pytest.raises(ValueError):
        data.scope(filiere=FiliereFactory(ght=other_ght))
    campaign = services.open_campaign(
        acting_user=data.office,
        membership=data.membership,
        plan=data.plan,
        title="Ouvert",
        deadline=days(10),
        all_filieres=True,
    )
    with pytest.raises(ValueError):
        data.scope(campaign=campaign)


def test_french_dates():
    assert french_date(datetime.date(2026, 12, 1)) == "1er décembre 2026"
    assert french_date(datetime.date(2026, 6, 15)) == "15 juin 2026"
