"""Checkpoints (points d'étape): opening, submitting, sending back, closing — services and pages,
each role against each write, bad input refused in French with nothing half-written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate, Measurement, Plan
from filieres.models import Pilot
from filieres.services import add_pilot
from ght_portal.models import Membership, Role
from governance.checkpoints import services
from governance.models import Campaign, CheckpointMeasurement, CheckpointUpdate, Snapshot
from tests.factories import (
    ActionFactory,
    AxisFactory,
    EstablishmentFactory,
    FiliereFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PlanFactory,
)
from tests.helpers import text

TODAY = timezone.localdate()
IN_A_MONTH = TODAY + datetime.timedelta(days=30)


class World:
    """A GHT with a plan in force, two filières (GER piloted by the pilot, URG not), five actions."""

    def __init__(self, ght, make_member):
        self.ght = ght
        self.office = make_member(ght, Role.OFFICE, full_name="Claire Cellule")
        self.pilot = make_member(ght, Role.PILOT, full_name="Sophie Pilote")
        self.owner = make_member(ght, Role.OWNER, full_name="Olivier Responsable")
        self.director = make_member(ght, Role.DIRECTOR, full_name="Diane Directrice")
        self.reader = make_member(ght, Role.READER, full_name="Louis Lecteur")
        self.ger = FiliereFactory(ght=ght, name="Gériatrie", code="GER")
        self.urg = FiliereFactory(ght=ght, name="Urgences", code="URG")
        add_pilot(
            acting_user=self.office,
            filiere=self.ger,
            user=self.pilot,
            establishment=None,
            pilot_role=Pilot.PilotRole.CH_DOCTOR,
        )
        self.plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
        self.axis = AxisFactory(plan=self.plan, position=1, title="Parcours")
        objective = ObjectiveFactory(axis=self.axis)
        self.chu = EstablishmentFactory(ght=ght, name="CHU Nord")

        def action(code, filiere, **fields):
            fields.setdefault("lead_establishment", self.chu)
            created = ActionFactory(objective=objective, code=code, title=f"Action {code}", **fields)
            created.filieres.add(filiere)
            return created

        self.ger1 = action("GER-1", self.ger, owner=self.owner, progress=10)
        self.ger2 = action("GER-2", self.ger, progress=20)
        self.urg1 = action("URG-1", self.urg, owner=self.owner, progress=30)
        self.urg2 = action("URG-2", self.urg, progress=40, lead_establishment=None)
        self.done = action("URG-3", self.urg, status=Action.Status.DONE, progress=100)
        self.indicator = IndicatorFactory(action=self.ger1, name="Patients vus", unit="patients")

    def membership(self, user):
        return Membership.objects.get(ght=self.ght, user=user)

    def open(self, **kwargs):
        params = {"title": "Point d'étape juin 2026", "deadline": IN_A_MONTH, "all_filieres": True, "plan": self.plan}
        params.update(kwargs)
        return services.open_campaign(acting_user=self.office, membership=self.membership(self.office), **params)

    def submit(self, user, update, **kwargs):
        update = CheckpointUpdate.objects.get(pk=update.pk)
        action = Action.objects.get(pk=update.action_id)
        params = {
            "status": Action.Status.IN_PROGRESS,
            "health": Action.Health.AT_RISK,
            "progress": 55,
            "achievements": "Deux équipes recrutées.",
            "blocking_points": "Locaux.",
            "next_steps": "Ouvrir en septembre.",
            "expected_version": action.version,
        }
        params.update(kwargs)
        return services.submit_update(acting_user=user, membership=self.membership(user), update=update, **params)


@pytest.fixture
def world(ght, make_member):
    return World(ght, make_member)


def update_of(campaign, action) -> CheckpointUpdate:
    return CheckpointUpdate.objects.get(campaign=campaign, action=action)


# --- Opening ---------------------------------------------------------------------------------------


def test_opening_gives_every_open_action_a_prefilled_update_in_fixed_queries(world):
    with CaptureQueriesContext(connection) as small:
        campaign = world.open()
    updates = {u.action.code: u for u in campaign.updates.select_related("action")}
    assert set(updates) == {"GER-1", "GER-2", "URG-1", "URG-2"}  # not the done one
    assert (updates["URG-1"].status, updates["URG-1"].progress, updates["URG-1"].state) == ("en_cours", 30, "to_fill")
    assert campaign.opened_by == world.office and campaign.is_open

    for n in range(20):
        ActionFactory(objective=world.ger1.objective, code=f"X-{n}")
    services.close_campaign(acting_user=world.office, membership=world.membership(world.office), campaign=campaign)
    with CaptureQueriesContext(connection) as large:
        world.open(title="Deuxième")
    assert len(large) == len(small)


def test_opening_on_chosen_filieres(world):
    campaign = world.open(all_filieres=False, filieres=[world.ger])
    assert {u.action.code for u in campaign.updates.select_related("action")} == {"GER-1", "GER-2"}
    assert list(campaign.filieres.all()) == [world.ger]


@pytest.mark.parametrize(
    ("first", "second", "clash"),
    [
        ({"all_filieres": True}, {"all_filieres": True}, True),
        ({"all_filieres": True}, {"all_filieres": False, "filieres": "ger"}, True),
        ({"all_filieres": False, "filieres": "ger"}, {"all_filieres": True}, True),
        ({"all_filieres": False, "filieres": "ger"}, {"all_filieres": False, "filieres": "ger+urg"}, True),
        ({"all_filieres": False, "filieres": "ger"}, {"all_filieres": False, "filieres": "urg"}, False),
    ],
)
def test_a_second_open_campaign_on_an_overlapping_scope_is_refused(world, first, second, clash):
    def scope(params):
        names = params.get("filieres", "")
        return {**params, "filieres": [getattr(world, name) for name in names.split("+") if name]}

    world.open(**scope(first))
    if clash:
        with pytest.raises(ValidationError) as error:
            world.open(title="Doublon", **scope(second))
        assert "est déjà ouvert sur ce périmètre" in " ".join(error.value.messages)
        assert Campaign.objects.count() == 1 and CheckpointUpdate.objects.filter(campaign__title="Doublon").count() == 0
    else:
        world.open(title="Urgences", **scope(second))
        assert Campaign.objects.open().count() == 2


def test_another_plan_does_not_clash(world):
    world.open()
    other_plan = PlanFactory(ght=world.ght)
    ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=other_plan)))
    assert world.open(plan=other_plan).plan == other_plan


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"deadline": TODAY - datetime.timedelta(days=1)},
            "deadline",
            "La date limite ne peut pas être dans le passé.",
        ),
        ({"deadline": None}, "deadline", "Indiquez la date limite."),
        ({"title": "  "}, "title", "Donnez un intitulé au point d'étape."),
        ({"all_filieres": False}, "filieres", "Choisissez au moins une filière"),
    ],
)
def test_opening_refuses_bad_input_in_french(world, params, field, message):
    with pytest.raises(ValidationError) as error:
        world.open(**params)
    assert message in " ".join(error.value.message_dict[field])
    assert not Campaign.objects.exists() and not CheckpointUpdate.objects.exists()


def test_opening_refuses_another_ghts_plan_and_filiere(world, other_ght):
    foreign_plan = PlanFactory(ght=other_ght)
    with pytest.raises(ValidationError) as error:
        world.open(plan=foreign_plan)
    assert error.value.message_dict["plan"] == ["Ce projet n'appartient pas à ce GHT."]
    with pytest.raises(ValidationError) as error:
        world.open(all_filieres=False, filieres=[FiliereFactory(ght=other_ght)])
    assert error.value.message_dict["filieres"] == ["Cet élément n'appartient pas à ce GHT."]
    assert not Campaign.objects.exists()


def test_opening_with_nothing_open_is_refused(world):
    Action.objects.filter(ght=world.ght).update(status=Action.Status.DONE)
    with pytest.raises(ValidationError, match="Aucune action ouverte"):
        world.open()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("role", [Role.PILOT, Role.OWNER, Role.DIRECTOR, Role.READER])
def test_only_the_office_opens(world, role):
    user = {Role.PILOT: world.pilot, Role.OWNER: world.owner, Role.DIRECTOR: world.director}.get(role, world.reader)
    with pytest.raises(PermissionDenied):
        services.open_campaign(
            acting_user=user,
            membership=world.membership(user),
            plan=world.plan,
            title="X",
            deadline=IN_A_MONTH,
            all_filieres=True,
        )
    assert not Campaign.objects.exists()


# --- Submitting ------------------------------------------------------------------------------------


def test_owner_submits_applies_the_followup_and_records_measurements(world):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    measured = TODAY - datetime.timedelta(days=2)
    declared = [services.DeclaredMeasurement(world.indicator, measured, Decimal("42"))]
    world.submit(world.owner, update, measurements=declared)

    update.refresh_from_db()
    assert update.state == "submitted" and update.submitted_by == world.owner and update.submitted_at
    assert (update.progress, update.health, update.blocking_points) == (55, "at_risk", "Locaux.")
    world.ger1.refresh_from_db()
    assert (world.ger1.status, world.ger1.health, world.ger1.progress) == ("en_cours", "at_risk", 55)
    log = ActionUpdate.objects.get(action=world.ger1, kind=ActionUpdate.Kind.UPDATE)
    assert "Point d'étape « Point d'étape juin 2026 »" in log.text and "Locaux." in log.text
    assert Measurement.objects.get(indicator=world.indicator).value == Decimal("42")
    assert CheckpointMeasurement.objects.get(update=update).measured_on == measured


@pytest.mark.parametrize("who", ["office", "pilot", "owner"])
def test_who_may_submit(world, who):
    campaign = world.open()
    user = getattr(world, who)
    action = world.ger2 if who == "pilot" else world.ger1  # the pilot pilots GER; the owner owns GER-1
    world.submit(user, update_of(campaign, action))
    assert update_of(campaign, action).state == "submitted"


@pytest.mark.parametrize(
    ("who", "code"),
    [("pilot", "URG-2"), ("owner", "GER-2"), ("director", "GER-1"), ("reader", "GER-1")],
)
def test_others_may_not_submit(world, who, code):
    campaign = world.open()
    action = Action.objects.get(code=code, ght=world.ght)
    with pytest.raises(PermissionDenied):
        world.submit(getattr(world, who), update_of(campaign, action))
    assert update_of(campaign, action).state == "to_fill"
    assert not ActionUpdate.objects.filter(action=action, kind=ActionUpdate.Kind.UPDATE).exists()


def test_submission_after_closing_is_refused(world):
    campaign = world.open()
    services.close_campaign(acting_user=world.office, membership=world.membership(world.office), campaign=campaign)
    with pytest.raises(ValidationError) as error:
        world.submit(world.owner, update_of(campaign, world.ger1))
    assert "est clos : cette mise à jour ne peut plus être modifiée ni soumise" in error.value.messages[0]
    world.ger1.refresh_from_db()
    assert world.ger1.progress == 10 and update_of(campaign, world.ger1).state == "to_fill"


def test_a_submitted_update_is_final_until_sent_back(world):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    world.submit(world.owner, update)
    with pytest.raises(ValidationError, match="déjà soumise"):
        world.submit(world.owner, update, progress=90)

    services.return_update(
        acting_user=world.office, membership=world.membership(world.office), update=update, comment="Précisez."
    )
    update.refresh_from_db()
    assert (update.state, update.return_comment, update.returned_by) == ("returned", "Précisez.", world.office)
    world.submit(world.owner, update, progress=90)
    world.ger1.refresh_from_db()
    assert world.ger1.progress == 90 and update_of(campaign, world.ger1).state == "submitted"


def test_resubmitting_the_same_measurement_is_accepted_a_different_one_refused(world):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    measured = TODAY - datetime.timedelta(days=1)
    world.submit(
        world.owner, update, measurements=[services.DeclaredMeasurement(world.indicator, measured, Decimal(5))]
    )
    services.return_update(
        acting_user=world.office, membership=world.membership(world.office), update=update, comment="x"
    )
    world.submit(
        world.owner, update, measurements=[services.DeclaredMeasurement(world.indicator, measured, Decimal(5))]
    )
    services.return_update(
        acting_user=world.office, membership=world.membership(world.office), update=update, comment="x"
    )
    with pytest.raises(ValidationError, match="a déjà une mesure différente"):
        world.submit(
            world.owner, update, progress=77, measurements=[services.DeclaredMeasurement(world.indicator, measured, 6)]
        )
    world.ger1.refresh_from_db()
    assert world.ger1.progress == 55 and update_of(campaign, world.ger1).state == "returned"  # nothing half-written


def test_submission_refuses_an_indicator_of_another_action_and_a_future_date(world):
    campaign = world.open()
    foreign = IndicatorFactory(action=world.ger2)
    with pytest.raises(ValidationError, match="n'appartient pas à cette action"):
        world.submit(
            world.owner,
            update_of(campaign, world.ger1),
            measurements=[services.DeclaredMeasurement(foreign, TODAY, Decimal(1))],
        )
    with pytest.raises(ValidationError, match="ne peut pas être dans le futur"):
        world.submit(
            world.owner,
            update_of(campaign, world.ger1),
            measurements=[services.DeclaredMeasurement(world.indicator, IN_A_MONTH, Decimal(1))],
        )
    assert not Measurement.objects.exists() and update_of(campaign, world.ger1).state == "to_fill"


def test_stale_action_is_refused_with_who_changed_what(world):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    version = Action.objects.get(pk=world.ger1.pk).version
    world.ger1.refresh_from_db()
    world.ger1.progress = 12
    world.ger1.save()
    with pytest.raises(ValidationError, match="modifiée par quelqu'un d'autre"):
        world.submit(world.owner, update, expected_version=version)
    assert update_of(campaign, world.ger1).state == "to_fill"


# --- Send back, close ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["pilot", "owner", "director", "reader"])
def test_only_the_office_sends_back_and_closes(world, who):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    world.submit(world.owner, update)
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.return_update(acting_user=user, membership=world.membership(user), update=update, comment="Non")
    with pytest.raises(PermissionDenied):
        services.close_campaign(acting_user=user, membership=world.membership(user), campaign=campaign)
    assert update_of(campaign, world.ger1).state == "submitted"
    assert Campaign.objects.get(pk=campaign.pk).is_open and not Snapshot.objects.exists()


def test_send_back_needs_a_comment_and_a_submitted_update(world):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    office = world.membership(world.office)
    with pytest.raises(ValidationError, match="Seule une mise à jour soumise"):
        services.return_update(acting_user=world.office, membership=office, update=update, comment="x")
    world.submit(world.owner, update)
    with pytest.raises(ValidationError) as error:
        services.return_update(acting_user=world.office, membership=office, update=update, comment="  ")
    assert error.value.message_dict["comment"] == ["Dites ce qu'il faut compléter ou corriger."]
    services.close_campaign(acting_user=world.office, membership=office, campaign=campaign)
    with pytest.raises(ValidationError, match="est clos"):
        services.return_update(acting_user=world.office, membership=office, update=update, comment="Trop tard")
    assert update_of(campaign, world.ger1).state == "submitted"


def test_closing_freezes_one_snapshot_per_action_that_never_moves(world):
    campaign = world.open()
    measured = TODAY - datetime.timedelta(days=3)
    world.submit(
        world.owner,
        update_of(campaign, world.ger1),
        measurements=[services.DeclaredMeasurement(world.indicator, measured, Decimal("12.5"))],
    )
    office = world.membership(world.office)
    services.close_campaign(acting_user=world.office, membership=office, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.closed_by == world.office and campaign.closed_at

    snapshots = {s.action_code: s for s in Snapshot.objects.filter(campaign=campaign)}
    assert set(snapshots) == {"GER-1", "GER-2", "URG-1", "URG-2", "URG-3"}  # the whole plan
    assert not snapshots["URG-3"].in_scope and snapshots["URG-3"].update_state == ""  # done: it owed nothing
    assert all(snapshot.in_scope for code, snapshot in snapshots.items() if code != "URG-3")
    ger1 = snapshots["GER-1"]
    assert (ger1.status, ger1.health, ger1.progress, ger1.update_state) == ("en_cours", "at_risk", 55, "submitted")
    assert (ger1.axis_position, ger1.axis_title, ger1.filiere_codes) == (1, "Parcours", ["GER"])
    assert ger1.owner_name == "Olivier Responsable" and ger1.blocking_points == "Locaux."
    assert ger1.indicators[0]["value"] == "12.5" and ger1.indicators[0]["measured_on"] == measured.isoformat()
    assert snapshots["URG-2"].update_state == "to_fill"
    frozen = list(Snapshot.objects.filter(campaign=campaign).order_by("pk").values())

    # Everything moves afterwards: the actions, their filières, their names, a new measurement.
    Action.objects.filter(ght=world.ght).update(status=Action.Status.DONE, progress=100, title="Renommée")
    world.ger.code = "GERI"
    world.ger.save()
    Measurement.objects.create(indicator=world.indicator, measured_on=TODAY, value=Decimal(99))
    world.axis.title = "Nouveau titre"
    world.axis.save()
    assert list(Snapshot.objects.filter(campaign=campaign).order_by("pk").values()) == frozen
    with pytest.raises(TypeError):
        ger1.save()
    with pytest.raises(ValidationError, match="déjà clos"):
        services.close_campaign(acting_user=world.office, membership=office, campaign=campaign)
    assert Snapshot.objects.filter(campaign=campaign).count() == 5


def test_closing_costs_a_fixed_number_of_queries(world):
    office = world.membership(world.office)
    campaign = world.open()
    with CaptureQueriesContext(connection) as small:
        services.close_campaign(acting_user=world.office, membership=office, campaign=campaign)
    for n in range(30):
        action = ActionFactory(objective=world.ger1.objective, code=f"B-{n}", owner=world.owner)
        action.filieres.add(world.urg if n % 2 else world.ger)
        IndicatorFactory(action=action)
        Measurement.objects.create(indicator=action.indicators.get(), measured_on=TODAY, value=1)
    campaign = world.open(title="Décembre")
    with CaptureQueriesContext(connection) as large:
        services.close_campaign(acting_user=world.office, membership=office, campaign=campaign)
    assert Snapshot.objects.filter(campaign=campaign).count() == 35  # the whole plan, URG-3 (done) included
    # savepoint, lock, updates, filières, the plan's actions, their filière links, their establishment
    # links, indicators with their latest value, latest submitted updates, one insert, the campaign's
    # save, savepoint release
    assert len(large) == len(small) <= 12


# --- Pages -----------------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)
    return client


def test_office_opens_a_campaign_through_the_form(client, world):
    login(client, world.office)
    url = reverse("checkpoint_create", kwargs={"ght_slug": "alpha"})
    page = client.get(url)
    assert "Ouvrir un point d'étape" in text(page)
    response = client.post(
        url,
        {
            "title": "Point d'étape juin 2026",
            "plan": world.plan.pk,
            "deadline": IN_A_MONTH,
            "scope": "filieres",
            "filieres": [world.ger.pk],
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == f"/alpha/points-d-etape/{campaign.pk}/"
    assert campaign.updates.count() == 2
    page = client.get(response.url)
    assert "Point d'étape juin 2026 » est ouvert : 2 mise(s) à jour attendue(s)" in text(page)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": TODAY - datetime.timedelta(days=1)}, "La date limite ne peut pas être dans le passé."),
        ({"scope": "filieres"}, "Choisissez au moins une filière."),
        ({"title": ""}, "Ce champ est obligatoire."),
    ],
)
def test_opening_form_refuses_bad_input(client, world, changes, message):
    login(client, world.office)
    data = {"title": "Juin", "plan": world.plan.pk, "deadline": IN_A_MONTH, "scope": "all", **changes}
    response = client.post(reverse("checkpoint_create", kwargs={"ght_slug": "alpha"}), data)
    assert response.status_code == 200 and message in text(response)
    assert not Campaign.objects.exists()


def test_opening_form_refuses_a_foreign_plan_or_filiere(client, world, other_ght):
    login(client, world.office)
    url = reverse("checkpoint_create", kwargs={"ght_slug": "alpha"})
    foreign_plan = PlanFactory(ght=other_ght)
    foreign_filiere = FiliereFactory(ght=other_ght)
    response = client.post(url, {"title": "X", "plan": foreign_plan.pk, "deadline": IN_A_MONTH, "scope": "all"})
    assert "Sélectionnez un choix valide" in text(response)
    response = client.post(
        url,
        {
            "title": "X",
            "plan": world.plan.pk,
            "deadline": IN_A_MONTH,
            "scope": "filieres",
            "filieres": [foreign_filiere.pk],
        },
    )
    assert "Sélectionnez un choix valide" in text(response)
    assert not Campaign.objects.exists()


def test_second_open_campaign_refused_on_the_form(client, world):
    world.open()
    login(client, world.office)
    data = {"title": "Doublon", "plan": world.plan.pk, "deadline": IN_A_MONTH, "scope": "all"}
    response = client.post(reverse("checkpoint_create", kwargs={"ght_slug": "alpha"}), data)
    assert "est déjà ouvert sur ce périmètre de ce projet" in text(response)
    assert Campaign.objects.count() == 1


def test_my_updates_lists_what_each_person_owes(client, world):
    campaign = world.open()
    url = reverse("checkpoint_my_updates", kwargs={"ght_slug": "alpha"})
    owner_page = text(login(client, world.owner).get(url))
    assert "Vous avez 2 mises à jour à soumettre." in owner_page
    assert "GER-1 — Action GER-1" in owner_page and "URG-1 — Action URG-1" in owner_page
    assert "GER-2" not in owner_page
    pilot_page = text(login(client, world.pilot).get(url))
    assert "GER-1 — Action GER-1" in pilot_page and "GER-2 — Action GER-2" in pilot_page and "URG-" not in pilot_page
    assert "Nouvelle valeur de « Patients vus » (patients)" in pilot_page

    world.submit(world.owner, update_of(campaign, world.ger1))
    owner_page = text(login(client, world.owner).get(url))
    assert "Vous avez 1 mise à jour à soumettre." in owner_page and "Déjà soumises" in owner_page


def test_owner_submits_through_the_page(client, world):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    login(client, world.owner)
    prefix = f"u{update.pk}"
    measured = TODAY - datetime.timedelta(days=1)
    response = client.post(
        reverse("checkpoint_update", kwargs={"ght_slug": "alpha", "update_id": update.pk}),
        {
            f"{prefix}-status": "en_cours",
            f"{prefix}-progress": "65",
            f"{prefix}-health": "on_track",
            f"{prefix}-achievements": "Fait.",
            f"{prefix}-version": Action.objects.get(pk=world.ger1.pk).version,
            f"{prefix}-value_{world.indicator.pk}": "33,5",
            f"{prefix}-date_{world.indicator.pk}": measured.isoformat(),
        },
    )
    assert response.status_code == 302 and response.url == "/alpha/points-d-etape/mes-mises-a-jour/"
    assert update_of(campaign, world.ger1).state == "submitted"
    assert Measurement.objects.get(indicator=world.indicator).value == Decimal("33.5")
    world.ger1.refresh_from_db()
    assert world.ger1.progress == 65


def test_the_page_refuses_a_half_measurement_and_a_closed_campaign(client, world):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    login(client, world.owner)
    prefix = f"u{update.pk}"
    url = reverse("checkpoint_update", kwargs={"ght_slug": "alpha", "update_id": update.pk})
    data = {
        f"{prefix}-status": "en_cours",
        f"{prefix}-progress": "65",
        f"{prefix}-health": "on_track",
        f"{prefix}-version": Action.objects.get(pk=world.ger1.pk).version,
        f"{prefix}-value_{world.indicator.pk}": "3",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "Indiquez la date de la mesure." in text(response)
    services.close_campaign(acting_user=world.office, membership=world.membership(world.office), campaign=campaign)
    data.pop(f"{prefix}-value_{world.indicator.pk}")
    response = client.post(url, data)
    assert "est clos : cette mise à jour ne peut plus être modifiée ni soumise" in text(response)
    assert update_of(campaign, world.ger1).state == "to_fill" and not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("who", "code", "status"), [("pilot", "URG-1", 403), ("owner", "GER-2", 403), ("pilot", "GER-1", 200)]
)
def test_update_page_object_level_rights(client, world, who, code, status):
    campaign = world.open()
    update = update_of(campaign, Action.objects.get(code=code))
    login(client, getattr(world, who))
    url = reverse("checkpoint_update", kwargs={"ght_slug": "alpha", "update_id": update.pk})
    assert client.get(url).status_code == status
    assert client.post(url, {}).status_code == status
    assert update_of(campaign, Action.objects.get(code=code)).state == "to_fill"


def test_office_page_shows_completion_and_who_is_late(client, world, django_assert_max_num_queries):
    campaign = world.open()
    world.submit(world.owner, update_of(campaign, world.ger1))
    login(client, world.office)
    url = reverse("checkpoint_detail", kwargs={"ght_slug": "alpha", "campaign_id": campaign.pk})
    with django_assert_max_num_queries(20):
        page = text(client.get(url))
    assert "1 / 4" in page and "25 %" in page
    assert "GER — Gériatrie" in page and "URG — Urgences" in page and "50 %" in page
    assert "CHU Nord" in page and "Sans établissement pilote" in page
    assert "Qui doit encore répondre" in page and "Olivier Responsable</strong> — 1 : URG-1" in page

    Campaign.objects.filter(pk=campaign.pk).update(deadline=TODAY - datetime.timedelta(days=1))
    assert "Qui est en retard" in text(client.get(url))


def test_office_page_query_ceiling_does_not_grow(client, world, django_assert_max_num_queries):
    for n in range(40):
        action = ActionFactory(objective=world.ger1.objective, code=f"B-{n}", owner=world.owner)
        action.filieres.add(world.ger, world.urg)
    campaign = world.open()
    for update in campaign.updates.all()[:10]:
        update.state = "submitted"
        update.save()
    login(client, world.office)
    with django_assert_max_num_queries(20):
        client.get(reverse("checkpoint_detail", kwargs={"ght_slug": "alpha", "campaign_id": campaign.pk}))
    login(client, world.pilot)
    with django_assert_max_num_queries(20):
        page = text(client.get(reverse("checkpoint_my_updates", kwargs={"ght_slug": "alpha"})))
    owed = CheckpointUpdate.objects.filter(action__filieres=world.ger).exclude(state="submitted").count()
    assert f"Vous avez {owed} mises à jour à soumettre." in page and owed >= 32


def test_office_sends_back_then_closes_through_the_pages(client, world):
    campaign = world.open()
    update = update_of(campaign, world.ger1)
    world.submit(world.owner, update)
    login(client, world.office)
    response = client.post(
        reverse("checkpoint_return", kwargs={"ght_slug": "alpha", "update_id": update.pk}), {"comment": "Chiffrez."}
    )
    assert response.status_code == 302
    assert update_of(campaign, world.ger1).state == "returned"
    response = client.post(reverse("checkpoint_return", kwargs={"ght_slug": "alpha", "update_id": update.pk}), {})
    assert "Dites ce qu'il faut compléter" in text(client.get(response.url))

    owner_page = text(login(client, world.owner).get(reverse("checkpoint_my_updates", kwargs={"ght_slug": "alpha"})))
    assert "Renvoyée pour complément :</strong> Chiffrez." in owner_page

    login(client, world.office)
    close_url = reverse("checkpoint_close", kwargs={"ght_slug": "alpha", "campaign_id": campaign.pk})
    assert "4 mises à jour ne sont pas soumises." in text(client.get(close_url))
    response = client.post(close_url)
    assert response.url == f"/alpha/points-d-etape/{campaign.pk}/comparer/"
    assert Snapshot.objects.filter(campaign=campaign).count() == 5  # the whole plan, URG-3 (done) included
    assert Snapshot.objects.filter(campaign=campaign, in_scope=True).count() == 4
    response = client.post(close_url)
    assert "Ce point d'étape est déjà clos." in text(client.get(response.url))


def test_campaign_list_for_everyone(client, world):
    campaign = world.open()
    services.close_campaign(acting_user=world.office, membership=world.membership(world.office), campaign=campaign)
    world.open(title="Point d'étape décembre 2026")
    page = text(login(client, world.reader).get(reverse("checkpoint_list", kwargs={"ght_slug": "alpha"})))
    assert "Point d'étape décembre 2026" in page and "Comparer « Point d'étape juin 2026 »" in page
    assert "Ouvrir un point d'étape" not in page and "Mes mises à jour" not in page
    assert "Points d'étape" in page  # the nav link
    page = text(login(client, world.office).get(reverse("checkpoint_list", kwargs={"ght_slug": "alpha"})))
    assert "Ouvrir un point d'étape" in page


def test_closing_after_deadline_marks_late_actions(world):
    campaign = world.open()
    Action.objects.filter(pk=world.urg1.pk).update(due_date=TODAY - datetime.timedelta(days=1))
    services.close_campaign(acting_user=world.office, membership=world.membership(world.office), campaign=campaign)
    assert Snapshot.objects.get(campaign=campaign, action_code="URG-1").is_late
    assert not Snapshot.objects.get(campaign=campaign, action_code="GER-1").is_late
    assert timezone.localdate() == TODAY
