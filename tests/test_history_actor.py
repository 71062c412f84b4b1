"""History without thread-locals (ght_portal/actors.py): every history record names its author explicitly —
the service's acting user, the admin's operator, or the one system actor when no person acts — and a
record without one fails loudly in the tests (a warning elsewhere)."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from actions.models import Action, Axis, Indicator, Objective, Plan
from ght_portal import services
from ght_portal.actors import SYSTEM_ACTOR_EMAIL, SYSTEM_ACTOR_NAME, HistoryWithoutActor, delete_as, system_actor
from ght_portal.models import GHT, Establishment, Membership, Role, User
from ght_portal.tenancy import member_users
from tests.factories import (
    ActionFactory,
    AxisFactory,
    EstablishmentFactory,
    FiliereFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PlanFactory,
    UserFactory,
)
from tests.helpers import text
from tests.test_import import book, row


def test_no_request_middleware_fills_the_history():
    assert not [name for name in settings.MIDDLEWARE if name.startswith("simple_history")]
    assert settings.HISTORY_ACTOR_REQUIRED  # tests/conftest.py


# --- Who the history names ----------------------------------------------------------------------


def test_a_service_write_names_its_acting_user(ght, office, make_member):
    establishment = services.save_establishment(
        acting_user=office, ght=ght, establishment=Establishment(name="CH Delta", town="Nérac")
    )
    assert establishment.history.get().history_user == office
    person = make_member(ght, Role.READER)
    membership = Membership.objects.get(ght=ght, user=person)
    services.change_member_role(acting_user=office, membership=membership, role=Role.PILOT)
    assert membership.history.latest().history_user == office


def test_a_web_write_names_the_signed_in_person_without_any_middleware(office_client, ght, office):
    data = {"name": "GHT Alpha", "short_name": "Alpha", "departements": "47", "region": "NAQ"}
    assert office_client.post(f"/{ght.slug}/parametres/", data).status_code == 302
    assert ght.history.latest().history_user == office


def test_accepting_an_invitation_names_the_person_who_joins(ght, office):
    invitation = services.invite_member(
        acting_user=office, ght=ght, email="nouvelle@alpha.test", full_name="Nina Nouvelle", role=Role.OWNER
    )
    joiner = UserFactory(email="nouvelle@alpha.test")
    token = invitation.new_token()
    invitation.save(update_fields=["token_hash", "expires_at"])
    membership = services.accept_invitation(token=token, user=joiner)
    assert membership.role == Role.OWNER and membership.history.get().history_user == joiner


def test_the_import_command_without_user_writes_as_the_system_actor(ght, office, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_member(ght, Role.OWNER, email="resp@alpha.test")
    PlanFactory(ght=ght, status="active")
    EstablishmentFactory(ght=ght, name="CH Gamma")
    FiliereFactory(ght=ght, code="GER")
    path = tmp_path / "plan.xlsx"
    path.write_bytes(book(row()))
    call_command("import_plan", ght.slug, str(path), stdout=io.StringIO())
    action = Action.objects.get(ght=ght, code="A1")
    system = system_actor()
    assert action.history.latest().history_user == system
    assert action.objective.history.get().history_user == system
    assert action.objective.axis.history.get().history_user == system

    call_command("import_plan", ght.slug, str(path), "--user", office.email, stdout=io.StringIO())
    path.write_bytes(book(row(progress=60)))
    call_command("import_plan", ght.slug, str(path), "--user", office.email, stdout=io.StringIO())
    assert action.history.latest().history_user == office


def test_load_demo_writes_as_the_system_actor_and_imports_as_each_office(db):
    call_command("load_demo", verbosity=0)
    system = system_actor()
    lot = GHT.objects.get(slug="lot-et-garonne")
    assert lot.history.get().history_user == system
    assert {record.history_user for record in Establishment.history.filter(ght=lot)} == {system}
    assert {record.history_user for record in Membership.history.filter(ght=lot)} == {system}
    office = User.objects.get(email="cellule@lot-et-garonne.test")
    assert {record.history_user for record in Action.history.filter(ght=lot, history_type="+")} == {office}
    assert not system.memberships.exists()
    records = [model.history.count() for model in (GHT, Establishment, Membership)]
    call_command("load_demo", verbosity=0)
    assert [model.history.count() for model in (GHT, Establishment, Membership)] == records  # nothing changed


def test_the_admin_names_the_operator_for_the_row_its_inlines_and_what_a_deletion_takes(client, db):
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    plan = PlanFactory()
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan))
    action = ActionFactory(objective=objective)
    indicator = IndicatorFactory(action=action)
    data = {
        "title": "Projet renommé",
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "status": plan.status,
        "axis_label": plan.axis_label,
        "axes-TOTAL_FORMS": "1",
        "axes-INITIAL_FORMS": "0",
        "axes-0-position": "9",
        "axes-0-title": "Axe ajouté dans l'administration",
    }
    response = client.post(f"/admin/actions/plan/{plan.pk}/change/", data)
    assert response.status_code == 302, text(response)
    assert plan.history.latest().history_user == operator
    assert Axis.objects.get(plan=plan, position=9).history.get().history_user == operator

    # An action takes its indicators with it; a plan (once its actions are gone) its axes and objectives.
    assert client.post(f"/admin/actions/action/{action.pk}/delete/", {"post": "yes"}).status_code == 302
    assert client.post(f"/admin/actions/plan/{plan.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Plan.objects.filter(pk=plan.pk).exists()
    deletions = [
        *Action.history.filter(id=action.pk, history_type="-"),
        *Indicator.history.filter(id=indicator.pk, history_type="-"),
        *Plan.history.filter(id=plan.pk, history_type="-"),
        *Axis.history.filter(plan_id=plan.pk, history_type="-"),
        *Objective.history.filter(id=objective.pk, history_type="-"),
    ]
    assert len(deletions) == 6 and {record.history_user for record in deletions} == {operator}


def test_deleting_a_user_in_the_admin_names_the_operator_for_their_memberships(client, ght, make_member):
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    leaving = make_member(ght, Role.READER)
    membership_id = Membership.objects.get(user=leaving).pk
    response = client.post(
        "/admin/ght_portal/user/", {"action": "delete_selected", "_selected_action": [leaving.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=leaving.pk).exists()
    assert Membership.history.get(id=membership_id, history_type="-").history_user == operator


def test_delete_as_names_the_actor_for_every_row_that_cascades(ght, office):
    plan = PlanFactory(ght=ght)
    AxisFactory(plan=plan)
    AxisFactory(plan=plan)
    delete_as(Plan.objects.filter(pk=plan.pk), office)
    assert {record.history_user for record in Axis.history.filter(plan_id=plan.pk, history_type="-")} == {office}


# --- A record without an author -----------------------------------------------------------------


def test_a_save_without_an_actor_raises_and_writes_nothing(ght):
    plan = Plan(ght=ght, title="Sans auteur", start_year=2026, end_year=2030)
    refused = pytest.raises(HistoryWithoutActor, match=r"Plan \(pk=\d+\): history record without an actor")
    with refused, transaction.atomic():  # atomic, as every service is
        plan.save()
    assert not Plan.objects.filter(title="Sans auteur").exists()


def test_outside_the_tests_a_record_without_an_actor_is_logged_not_refused(ght, settings, caplog):
    settings.HISTORY_ACTOR_REQUIRED = False
    with caplog.at_level(logging.WARNING, logger="ght_portal.actors"):
        GHT.objects.filter(pk=ght.pk).get().save()
    assert ght.history.latest().history_user is None
    assert f"GHT (pk={ght.pk}): history record without an actor" in caplog.text


# --- The system actor ---------------------------------------------------------------------------


def test_the_system_actor_is_one_named_account_that_cannot_log_in(db):
    system = system_actor()
    assert system_actor().pk == system.pk and User.objects.filter(email=SYSTEM_ACTOR_EMAIL).count() == 1
    assert str(system) == SYSTEM_ACTOR_NAME == "Système (GHT Portal)"
    assert not system.is_active and not system.is_staff and not system.has_usable_password()
    client = Client()
    response = client.post("/connexion/", {"username": SYSTEM_ACTOR_EMAIL, "password": "x"}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    client.force_login(system)  # even with a session, an inactive account is nobody
    assert client.get("/").url.startswith("/connexion/")


def test_an_account_found_at_its_address_is_put_back_out_of_reach(db):
    User.objects.create_user(email=SYSTEM_ACTOR_EMAIL, password="un-mot-de-passe-solide-42", full_name="X")
    User.objects.filter(email=SYSTEM_ACTOR_EMAIL).update(is_staff=True)
    system = system_actor()
    system.refresh_from_db()
    assert not system.is_active and not system.is_staff and not system.has_usable_password()


def test_the_system_actor_is_no_member_of_any_ght(office_client, ght, other_ght, office):
    members_before = Membership.objects.filter(ght=ght).count()
    system = system_actor()
    PlanFactory(ght=ght, _history_user=system)  # it has written in this GHT
    assert not system.memberships.exists()
    assert system not in member_users(ght) and system not in member_users(other_ght)
    assert Membership.objects.filter(ght=ght).count() == members_before
    page = text(office_client.get(f"/{ght.slug}/membres/"))
    assert office.full_name in page and SYSTEM_ACTOR_NAME not in page
