"""The year as it was: on a plan of a shape the code was not written for — engagements, filières that
own the objectives, actions of three periods (achieved years ago, proposed, projected), most of the
achieved ones done long before this year — followed through two checkpoints of different scopes,
every figure is right, and the figures of a checkpoint equal, field by field, the live figures of
its closing day: for the whole plan, each filière, each establishment, the CMG's medical view and a
year's roadmap. The documents' sections list as many actions as their summary says, and the dashboard
shows the same numbers."""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import Action, Plan
from filieres.models import Filiere
from ght_portal.models import Role
from governance.checkpoints import services as checkpoints
from governance.models import Campaign, CheckpointUpdate, Snapshot
from reports import figures
from reports.documents import build
from reports.models import Report
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
YEAR = TODAY.year
_EARLIER = TODAY - datetime.timedelta(days=40)
THIS_YEAR = _EARLIER if _EARLIER.year == YEAR else TODAY  # a day of this year, not in the future


class Shape:
    """14 actions over 3 engagements and 6 filières (4 medical, 2 support) of 5 establishments."""

    def __init__(self, ght, make_member):
        self.ght = ght
        self.office = make_member(ght, Role.OFFICE, full_name="Odile Office")
        self.owner = make_member(ght, Role.OWNER, full_name="Olivier Owner")
        self.places = [EstablishmentFactory(ght=ght, name=f"CH n° {n}") for n in range(1, 6)]
        medical = {
            code: FiliereFactory(ght=ght, code=code, name=f"Filière {code}") for code in ("GER", "CAN", "PSY", "URG")
        }
        support = {
            code: FiliereFactory(ght=ght, code=code, name=f"Fonction {code}", kind=Filiere.Kind.SUPPORT)
            for code in ("ACH", "SI")
        }
        self.filieres = {**medical, **support}
        self.plan = PlanFactory(
            ght=ght,
            title="PMSP 2023–2027",
            start_year=2023,
            end_year=2027,
            status=Plan.Status.ACTIVE,
            axis_label=Plan.AxisLabel.ENGAGEMENT,
        )
        axes = [AxisFactory(plan=self.plan, position=n, title=f"Engagement {n}") for n in (1, 2, 3)]
        self.objectives = {
            code: ObjectiveFactory(axis=axes[i % 3], filiere=filiere, title=f"Objectif de {code}")
            for i, (code, filiere) in enumerate(self.filieres.items())
        }
        self.actions = {}
        old = datetime.date(2019, 3, 1)
        # Achieved in the previous period, years ago; one imported already done (no date known).
        for n, (filiere, day) in enumerate(
            [("GER", old), ("CAN", datetime.date(2020, 6, 1)), ("ACH", datetime.date(2022, 9, 9))]
        ):
            self.add(
                f"R-{n + 1}",
                filiere,
                status=Action.Status.DONE,
                progress=100,
                done_on=day,
                start_date=datetime.date(2018, 1, 1),
                due_date=datetime.date(2022, 12, 31),
                place=n,
            )
        self.add(
            "R-4",
            "PSY",
            status=Action.Status.DONE,
            progress=100,
            done_on=None,
            start_date=datetime.date(2018, 1, 1),
            due_date=datetime.date(2021, 12, 31),
            place=3,
        )
        # Achieved this year.
        self.add(
            "Y-1",
            "GER",
            status=Action.Status.DONE,
            progress=100,
            done_on=THIS_YEAR,
            start_date=datetime.date(2023, 1, 1),
            due_date=datetime.date(YEAR, 12, 31),
            place=0,
        )
        # Proposed: to start, later.
        self.add(
            "P-1",
            "URG",
            status=Action.Status.TO_START,
            start_date=datetime.date(YEAR + 1, 1, 1),
            due_date=datetime.date(YEAR + 2, 6, 30),
            place=4,
        )
        self.add("P-2", "SI", status=Action.Status.TO_START, start_date=None, due_date=None, place=1)
        # Projected and running: on time, late, at risk, late and at risk, suspended, abandoned.
        late = TODAY - datetime.timedelta(days=20)
        soon = TODAY + datetime.timedelta(days=30)
        self.add(
            "J-1",
            "GER",
            progress=40,
            start_date=datetime.date(2023, 1, 1),
            due_date=soon,
            place=0,
            also=["PSY"],
            concerned=[1, 2],
        )
        self.add("J-2", "PSY", progress=20, start_date=datetime.date(2023, 1, 1), due_date=late, place=2)
        self.add(
            "J-3",
            "CAN",
            progress=60,
            health=Action.Health.AT_RISK,
            start_date=datetime.date(2024, 1, 1),
            due_date=datetime.date(YEAR + 1, 6, 30),
            place=1,
            concerned=[4],
        )
        self.add(
            "J-4",
            "URG",
            progress=10,
            health=Action.Health.OFF_TRACK,
            start_date=datetime.date(2023, 1, 1),
            due_date=late,
            place=4,
        )
        self.add(
            "J-5",
            "ACH",
            status=Action.Status.SUSPENDED,
            progress=30,
            stopped_on=THIS_YEAR,
            start_date=datetime.date(2023, 1, 1),
            due_date=datetime.date(YEAR + 1, 1, 1),
            place=3,
        )
        self.add(
            "J-6",
            "GER",
            status=Action.Status.ABANDONED,
            progress=0,
            health=Action.Health.OFF_TRACK,
            stopped_on=datetime.date(2024, 5, 5),
            start_date=datetime.date(2023, 1, 1),
            due_date=late,
            place=0,
        )
        # No objective, no filière: « sans axe », « sans filière ».
        self.add("N-1", None, progress=50, start_date=datetime.date(YEAR, 1, 1), due_date=soon, place=2)
        for code, target_date in (("J-1", datetime.date(YEAR + 1, 12, 31)), ("J-3", None)):
            indicator = IndicatorFactory(
                action=self.actions[code],
                baseline=Decimal("10"),
                target=Decimal("60"),
                target_date=target_date,
                name=f"Taux {code}",
            )
            MeasurementFactory(
                indicator=indicator, measured_on=TODAY - datetime.timedelta(days=60), value=Decimal("20")
            )
            MeasurementFactory(
                indicator=indicator, measured_on=TODAY - datetime.timedelta(days=5), value=Decimal("35.5")
            )

    def add(self, code, filiere, *, place, also=(), concerned=(), **fields):
        fields.setdefault("status", Action.Status.IN_PROGRESS)
        fields.setdefault("health", Action.Health.ON_TRACK)
        objective = self.objectives[filiere] if filiere else None
        action = ActionFactory(
            objective=objective,
            plan=self.plan,
            code=code,
            title=f"Action {code}",
            owner=self.owner,
            lead_establishment=self.places[place],
            **fields,
        )
        action.filieres.set([self.filieres[other] for other in also])
        action.establishments.set([self.places[n] for n in concerned])
        self.actions[code] = action

    def membership(self, user):
        return user.memberships.get(ght=self.ght)

    def open(self, title, filieres=None) -> Campaign:
        return checkpoints.open_campaign(
            acting_user=self.office,
            membership=self.membership(self.office),
            plan=self.plan,
            title=title,
            deadline=TODAY + datetime.timedelta(days=10),
            all_filieres=filieres is None,
            filieres=[self.filieres[code] for code in filieres or ()],
        )

    def submit(self, campaign, code, **values):
        update = CheckpointUpdate.objects.get(campaign=campaign, action__code=code)
        action = Action.objects.get(pk=update.action_id)
        values.setdefault("status", action.status)
        values.setdefault("health", action.health)
        values.setdefault("progress", action.progress)
        checkpoints.submit_update(
            acting_user=self.office,
            membership=self.membership(self.office),
            update=update,
            expected_version=action.version,
            **values,
        )

    def close(self, campaign) -> Campaign:
        return checkpoints.close_campaign(
            acting_user=self.office, membership=self.membership(self.office), campaign=campaign
        )

    def scopes(self, campaign=None):
        """Every scope a director reads: the plan, each filière, each establishment, the CMG's, a roadmap's."""
        base = {"ght": self.ght, "plan": self.plan, "campaign": campaign}
        yield figures.Scope(**base)
        yield figures.Scope(**base, medical_only=True)
        yield figures.Scope(**base, running_in=YEAR)
        for filiere in self.filieres.values():
            yield figures.Scope(**base, filiere=filiere)
            yield figures.Scope(**base, filiere=filiere, running_in=YEAR)
        for place in self.places:
            yield figures.Scope(**base, establishment=place)


@pytest.fixture
def shape(db, ght, make_member):
    return Shape(ght, make_member)


def as_live(frozen: figures.Figures, live: figures.Figures) -> figures.Figures:
    """The checkpoint's figures with what must differ (where they come from) taken from the live ones."""
    return dataclasses.replace(frozen, scope=live.scope, source_label=live.source_label, is_snapshot=False)


def assert_equal_to_live(shape, campaign):
    campaign.refresh_from_db()
    day = timezone.localdate(campaign.closed_at)
    for frozen_scope, live_scope in zip(shape.scopes(campaign), shape.scopes(), strict=True):
        frozen, live = figures.compute(frozen_scope), figures.compute(live_scope, today=day)
        for name in (f.name for f in dataclasses.fields(figures.Figures)):
            if name not in {"scope", "source_label", "is_snapshot"}:
                assert getattr(frozen, name) == getattr(live, name), (live_scope.label, name)
        assert as_live(frozen, live) == live


def test_the_figures_of_the_plan_are_right(shape):
    numbers = figures.compute(figures.Scope(ght=shape.ght, plan=shape.plan))
    assert numbers.total == 14
    assert numbers.done == 5 and numbers.late == 2 and numbers.in_progress == 3 and numbers.to_start == 2
    assert numbers.stopped == 2  # J-5 suspended on time, J-6 abandoned (never late)
    assert numbers.total == numbers.done + numbers.late + numbers.in_progress + numbers.to_start + numbers.stopped
    assert numbers.at_risk == 2 and numbers.at_risk_late == 1  # J-3; J-4 (late too); J-6 abandoned is not
    assert [line.code for line in numbers.done_in(YEAR)] == ["Y-1"]  # not R-1…R-3, achieved years ago
    assert [line.code for line in numbers.done_in(2020)] == ["R-2"]
    assert [line.code for line in numbers.done_date_unknown] == ["R-4"]
    by_filiere = {row.label: row for row in numbers.by_filiere}
    assert by_filiere["GER — Filière GER"].count == 4 and by_filiere["PSY — Filière PSY"].count == 3  # J-1 in both
    assert by_filiere["Sans filière"].count == 1
    assert [row.label for row in numbers.by_axis][-1] == "Sans axe"
    assert numbers.by_axis[0].label.startswith("Engagement 1 — ")
    roadmap = figures.compute(
        figures.Scope(ght=shape.ght, plan=shape.plan, filiere=shape.filieres["GER"], running_in=YEAR)
    )
    assert sorted(line.code for line in roadmap.actions) == ["J-1", "J-6", "Y-1"]  # the year's, not R-1 of 2018–2022
    place = figures.compute(figures.Scope(ght=shape.ght, plan=shape.plan, establishment=shape.places[1]))
    assert sorted(line.code for line in place.actions) == ["J-1", "J-3", "P-2", "R-2"]  # lead, or concerned
    indicator = next(line for line in numbers.indicators if line.action_code == "J-1")
    assert (indicator.value, indicator.percent, indicator.target_date) == (
        Decimal("35.5"),
        51,
        datetime.date(YEAR + 1, 12, 31),
    )


def test_checkpoint_figures_equal_the_live_figures_of_the_closing_day(shape):
    june = shape.open("Point d'étape de juin")  # every open action
    shape.submit(june, "J-4", blocking_points="Recrutement bloqué", next_steps="Relancer l'ARS")
    shape.submit(june, "J-2", progress=25)
    june = shape.close(june)
    assert_equal_to_live(shape, june)
    snapshots = Snapshot.objects.filter(campaign=june)
    assert snapshots.count() == 14  # the whole plan, the achieved and abandoned ones included
    assert set(snapshots.filter(in_scope=False).values_list("action_code", flat=True)) == {
        "R-1",
        "R-2",
        "R-3",
        "R-4",
        "Y-1",
        "J-6",
    }

    december = shape.open("Point d'étape de décembre", filieres=["GER", "PSY"])
    shape.submit(december, "J-1", status=Action.Status.DONE, progress=100, blocking_points="")
    shape.submit(december, "J-2", health=Action.Health.AT_RISK, progress=30, blocking_points="Locaux")
    december = shape.close(december)
    assert_equal_to_live(shape, december)
    outside = Snapshot.objects.get(campaign=december, action_code="J-4")
    assert not outside.in_scope and outside.update_state == ""
    assert outside.blocking_points == "Recrutement bloqué"  # its latest submitted update, as the live figures
    assert Snapshot.objects.get(campaign=december, action_code="J-1").done_on == TODAY
    frozen = figures.compute(figures.Scope(ght=shape.ght, plan=shape.plan, campaign=december))
    assert {line.code for line in frozen.done_in(YEAR)} == {"Y-1", "J-1"}
    assert [point.count for point in frozen.checkpoints] == [14, 14]


def test_later_changes_do_not_move_a_checkpoint(shape):
    campaign = shape.close(shape.open("Point d'étape"))
    before = figures.compute(figures.Scope(ght=shape.ght, plan=shape.plan, campaign=campaign))
    geriatrics = shape.filieres["GER"]
    Filiere.objects.filter(pk=geriatrics.pk).update(name="Gériatrie renommée", kind=Filiere.Kind.SUPPORT)
    shape.actions["J-3"].establishments.set([shape.places[0]])
    Action.objects.filter(pk=shape.actions["J-2"].pk).update(status=Action.Status.DONE, done_on=TODAY)
    shape.actions["J-1"].indicators.update(target_date=datetime.date(2030, 1, 1))
    after = figures.compute(figures.Scope(ght=shape.ght, plan=shape.plan, campaign=campaign))
    assert after == before
    medical = figures.compute(figures.Scope(ght=shape.ght, plan=shape.plan, campaign=campaign, medical_only=True))
    assert "Y-1" in {line.code for line in medical.actions}  # GER was medical at closing
    place = figures.compute(
        figures.Scope(ght=shape.ght, plan=shape.plan, campaign=campaign, establishment=shape.places[4])
    )
    assert "J-3" in {line.code for line in place.actions}  # concerned at closing


# --- One definition per figure: the documents and the dashboard -------------------------------------


def report(shape, kind, **fields) -> Report:
    return Report(ght=shape.ght, plan=shape.plan, year=YEAR, kind=kind, requested_by=shape.office, **fields)


def test_each_section_lists_what_its_summary_counts(shape):
    review = report(shape, Report.Kind.STRATEGIC_REVIEW)
    context = build.review_context(review, TODAY)
    numbers = context["figures"]
    assert len(context["completed"]) == 1 == len(numbers.done_in(YEAR))
    assert len(numbers.late_actions) == numbers.late == 2
    assert len(numbers.at_risk_actions) == numbers.at_risk == 2
    assert sum(line.is_late for line in numbers.at_risk_actions) == numbers.at_risk_late == 1
    assert sum(len(lines) for _caption, lines in context["annex"]) == numbers.total
    html = render_to_string(
        "reports/pdf/review.html",
        {
            **context,
            "report": review,
            "ght": shape.ght,
            "plan": shape.plan,
            "year": YEAR,
            "as_of": TODAY,
            "generated_at": timezone.localtime(),
        },
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "2 actions en retard" in text and "2 actions à risque ou en difficulté" in text
    assert "dont 1 aussi en retard" in text and "Dont 1 aussi en retard, donc aussi dans la liste ci-dessus." in text
    assert "1 action réalisée n'a pas de date de réalisation connue" in text

    roadmap = report(shape, Report.Kind.ROADMAP, filiere=shape.filieres["GER"])
    context = build.roadmap_context(roadmap, TODAY)
    assert context["figures"].total == len(context["roadmap"]) == 3  # every tile covers the year's actions
    assert context["figures"].done == 1 and context["figures"].late == 0


def stat(page: str, label: str) -> int:
    return int(re.search(rf'stat__value">(\d+)</span><span class="stat__label">{label}<', page).group(1))


def test_the_dashboard_shows_the_same_numbers(shape, client):
    client.force_login(shape.office)
    june = shape.close(shape.open("Point d'étape de juin"))
    for source, campaign in (("aujourdhui", None), (str(june.pk), june)):
        page = client.get(f"/alpha/tableau-de-bord/?projet={shape.plan.pk}&source={source}").content.decode()
        numbers = figures.compute(figures.Scope(ght=shape.ght, plan=shape.plan, campaign=campaign))
        assert stat(page, "actions suivies") == numbers.total == 14
        assert stat(page, "réalisées") == numbers.done
        assert stat(page, "en retard") == numbers.late
        assert stat(page, "à risque ou en difficulté") == numbers.at_risk
        assert "1 est aussi en retard" in page


def test_the_indicator_block_says_its_own_empty_message(db, ght, make_member, client):
    """No closed checkpoint and no indicator: each block says why it is empty, in its own words."""
    director = make_member(ght, Role.DIRECTOR)
    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=plan)), plan=plan)
    client.force_login(director)
    page = client.get("/alpha/tableau-de-bord/").content.decode()
    indicators = page.split('id="indicateurs"', 1)[1]
    assert "Aucun point d'étape clos" not in indicators
    assert "Rien à représenter dans ce périmètre." in indicators
