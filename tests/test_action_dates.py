"""When things happened: an action's achievement and stop dates, set by the change of status whatever
its path, corrected by the office with a reason (web and API), imported and exported, and completed
from the history for the existing actions."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from openpyxl import load_workbook

from actions import services
from actions.models import Action, ActionUpdate
from actions.spreadsheet.workbook import export_actions
from ght_portal.models import Role
from tests.api_helpers import api_client, base
from tests.factories import ActionFactory, PlanFactory
from tests.helpers import text
from tests.test_import import book, import_world, row, run

TODAY = timezone.localdate()
LAST_YEAR = datetime.date(TODAY.year - 1, 3, 15)


@pytest.fixture(name="import_world")
def import_world_fixture(ght, office, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return import_world(ght, office, make_member)


@pytest.fixture
def action(ght):
    plan = PlanFactory(ght=ght, status="active")
    return ActionFactory(plan=plan, objective__axis__plan=plan, start_date=datetime.date(2020, 1, 1))


def follow(office, action, status):
    fresh = Action.objects.get(pk=action.pk)
    return services.update_followup(
        acting_user=office,
        membership=office.memberships.get(),
        action=fresh,
        status=status,
        health=fresh.health,
        progress=fresh.progress,
        expected_version=fresh.version,
    )


def test_the_change_of_status_dates_itself(office, action):
    done = follow(office, action, Action.Status.DONE)
    assert (done.done_on, done.stopped_on) == (TODAY, None)
    reopened = follow(office, action, Action.Status.IN_PROGRESS)
    assert (reopened.done_on, reopened.stopped_on) == (None, None)
    suspended = follow(office, action, Action.Status.SUSPENDED)
    assert (suspended.done_on, suspended.stopped_on) == (None, TODAY)
    Action.objects.filter(pk=action.pk).update(stopped_on=LAST_YEAR)
    abandoned = follow(office, action, Action.Status.ABANDONED)
    assert abandoned.stopped_on == TODAY  # the day of the current stop


def test_a_new_action_keeps_the_dates_it_is_given(ght):
    created_done = ActionFactory(status=Action.Status.DONE)
    assert created_done.done_on is None  # created already done: date unknown
    dated = ActionFactory(status=Action.Status.DONE, done_on=LAST_YEAR)
    assert dated.done_on == LAST_YEAR


def correct(office, action, **dates):
    reason = dates.pop("reason", "Compte rendu du comité stratégique")
    fresh = Action.objects.get(pk=action.pk)
    return services.correct_status_dates(
        acting_user=office,
        membership=office.memberships.get(),
        action=fresh,
        dates=dates,
        reason=reason,
        expected_version=fresh.version,
    )


def test_the_office_corrects_a_date_with_a_reason_and_it_is_logged(office, action):
    follow(office, action, Action.Status.DONE)
    corrected = correct(office, action, done_on=LAST_YEAR)
    assert corrected.done_on == LAST_YEAR
    line = ActionUpdate.objects.filter(action=action, kind=ActionUpdate.Kind.CHANGE).latest("created_at").text
    expected = f"Date de réalisation corrigée : {TODAY:%d/%m/%Y} → {LAST_YEAR:%d/%m/%Y} (motif : Compte rendu"
    assert line.startswith(expected)
    assert correct(office, action, done_on=None).done_on is None  # « date inconnue »


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ({"done_on": LAST_YEAR, "reason": "  "}, "reason", "Dites pourquoi la date est corrigée"),
        ({"done_on": TODAY + datetime.timedelta(days=1)}, "done_on", "ne peut pas être dans le futur"),
        ({"done_on": datetime.date(2019, 1, 1)}, "done_on", "précéder la date de début"),
        ({"stopped_on": LAST_YEAR}, "stopped_on", "pour une action suspendue ou abandonnée"),
    ],
)
def test_a_bad_correction_is_refused_in_french(office, action, dates, field, message):
    follow(office, action, Action.Status.DONE)
    with pytest.raises(ValidationError) as error:
        correct(office, action, **dates)
    assert message in " ".join(error.value.message_dict[field])
    assert Action.objects.get(pk=action.pk).done_on == TODAY


def test_only_the_office_corrects(ght, make_member, action):
    pilot = make_member(ght, Role.PILOT)
    with pytest.raises(PermissionDenied):
        correct(pilot, action, done_on=None)


def test_the_web_page_of_the_correction(office_client, office, action, client, make_member, ght):
    follow(office, action, Action.Status.DONE)
    url = f"/alpha/actions/{action.pk}/dates/"
    page = text(office_client.get(f"/alpha/actions/{action.pk}/"))
    assert f"le {TODAY:%d/%m/%Y}" in page and "Corriger la date" in page
    version = Action.objects.get(pk=action.pk).version
    refused = office_client.post(url, {"done_on": LAST_YEAR.isoformat(), "reason": "", "version": version})
    assert refused.status_code == 422 and "Dites pourquoi la date est corrigée" in text(refused)
    saved = office_client.post(
        url, {"done_on": LAST_YEAR.isoformat(), "reason": "Relevé de décision", "version": version}
    )
    assert saved.status_code == 302 and Action.objects.get(pk=action.pk).done_on == LAST_YEAR
    client.force_login(make_member(ght, Role.PILOT))
    assert client.get(url).status_code == 403


def test_the_api_correction(office, action, make_member, ght):
    follow(office, action, Action.Status.DONE)
    client = api_client(office)
    url = f"{base(ght)}/actions/{action.pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url).json()["done_on"] == TODAY.isoformat()
    refused = client.post(f"{url}dates/", {"done_on": LAST_YEAR.isoformat()}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    body = {"done_on": LAST_YEAR.isoformat(), "reason": "Relevé de décision"}
    response = client.post(f"{url}dates/", body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["done_on"] == LAST_YEAR.isoformat()
    reader = api_client(make_member(ght, Role.READER))
    assert reader.post(f"{url}dates/", body, format="json", HTTP_IF_MATCH=response["ETag"]).status_code == 403


# --- Import and export ------------------------------------------------------------------------------


def test_import_reads_the_dates_and_never_dates_a_done_row_the_import_day(import_world):
    report = run(
        import_world,
        book(
            row(code="D1", status="réalisée", progress=100, done_on="05/02/2025"),
            row(code="D2", status="réalisée", progress=100),
            row(code="S1", status="suspendue", stopped_on=LAST_YEAR),
        ),
        dry_run=False,
    )
    assert report.applied, [str(problem) for problem in report.problems]
    actions = {action.code: action for action in Action.objects.filter(plan=import_world.plan)}
    assert actions["D1"].done_on == datetime.date(2025, 2, 5)
    assert actions["D2"].done_on is None  # imported already done: date unknown
    assert actions["S1"].stopped_on == LAST_YEAR
    # An action the import moves to « réalisée » without a date: the import day.
    moved = run(import_world, book(row(code="S1", status="réalisée", stopped_on=None)), dry_run=False)
    assert moved.applied and Action.objects.get(pk=actions["S1"].pk).done_on == TODAY


def test_import_refuses_a_date_that_does_not_fit_the_status(import_world):
    report = run(import_world, book(row(code="E1", status="en cours", done_on=LAST_YEAR)), dry_run=False)
    assert not report.applied
    assert "Réalisée le" in str(report.problems[0]) and "ne s'indique que pour une action réalisée" in str(
        report.problems[0]
    )


def test_export_writes_the_dates_and_round_trips(import_world):
    run(import_world, book(row(code="D1", status="réalisée", progress=100, done_on=LAST_YEAR)), dry_run=False)
    exported = export_actions(Action.objects.filter(plan=import_world.plan))
    again = run(import_world, exported, dry_run=True)
    assert again.ok and not again.changes
    sheet = load_workbook(io.BytesIO(exported))["Actions"]
    headers = [cell.value for cell in sheet[1]]
    record = dict(zip(headers, [cell.value for cell in sheet[2]], strict=False))
    assert record["Réalisée le"].date() == LAST_YEAR and record["Arrêtée le"] is None


# --- The existing actions -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_dates_existing_actions_from_their_history(ght, office):
    executor = MigrationExecutor(connection)
    executor.migrate([("actions", "0005_action_done_on_stopped_on")])
    plan = PlanFactory(ght=ght)
    moved = ActionFactory(plan=plan, objective__axis__plan=plan, status=Action.Status.IN_PROGRESS)
    moved.status = Action.Status.DONE
    moved.save()
    when = timezone.make_aware(datetime.datetime(TODAY.year - 1, 6, 30, 23, 30), datetime.UTC)
    Action.history.filter(id=moved.pk).update(history_date=when - datetime.timedelta(days=100))  # created
    Action.history.filter(id=moved.pk, status=Action.Status.DONE).update(history_date=when)  # then done
    imported = ActionFactory(plan=plan, objective__axis__plan=plan, status=Action.Status.DONE)
    Action.objects.filter(pk__in=[moved.pk, imported.pk]).update(done_on=None)  # as before the dates existed

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Action.objects.get(pk=moved.pk).done_on == datetime.date(TODAY.year - 1, 7, 1)  # the Paris day
    assert Action.objects.get(pk=imported.pk).done_on is None
