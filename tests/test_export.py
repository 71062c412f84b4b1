"""Export of actions to Excel: the import's columns, neutralised formulas, and export → edit → import."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from actions.models import Action
from actions.spreadsheet.importer import import_plan_file
from actions.spreadsheet.workbook import export_actions
from ght_portal.models import Role
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


@pytest.fixture
def plan_data(ght, office, make_member):
    owner = make_member(ght, Role.OWNER, email="owner@alpha.test")
    helper = make_member(ght, Role.PILOT, email="helper@alpha.test")
    gamma = EstablishmentFactory(ght=ght, name="CH Gamma")
    filiere = FiliereFactory(ght=ght, code="GER", name="Gériatrie", description="Personnes âgées")
    filiere.establishments.add(gamma)
    plan = PlanFactory(ght=ght, status="active")
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan, position=1, title="Accès"), code="1.1", title="Mobiles")
    uncoded = ObjectiveFactory(axis=AxisFactory(plan=plan, position=2, title="Innovation"), title="Sans code")
    first = ActionFactory(
        objective=objective,
        code="A1",
        title='=HYPERLINK("http://evil.test")',
        description="-moins\n+plus\n@arobase",
        lead_establishment=gamma,
        owner=owner,
        start_date=datetime.date(2024, 3, 1),
        due_date=datetime.date(2026, 6, 30),
        status=Action.Status.IN_PROGRESS,
        health=Action.Health.AT_RISK,
        progress=35,
        priority=Action.Priority.HIGH,
        prs_references=["E1D2O1", "E2D1O3"],
        funding_source=Action.FundingSource.FIR,
        funding_amount=Decimal("12500.50"),
    )
    first.filieres.add(filiere)
    first.establishments.add(EstablishmentFactory(ght=ght, name="CH Delta"), gamma)
    first.contributors.add(helper, office)
    indicator = IndicatorFactory(action=first, name="Patients suivis", target_date=datetime.date(2026, 12, 31))
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(2025, 6, 30), value=Decimal("22.5"))
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(2025, 12, 31), value=Decimal("31"), comment="ok")
    ActionFactory(objective=uncoded, code="B1", title="Sans rien", status=Action.Status.TO_START)
    return plan


def rows(content: bytes, sheet: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))


def test_export_writes_the_import_columns_and_neutralises_formulas(ght, plan_data):
    content = export_actions(Action.objects.filter(ght=ght))
    header, first, second = rows(content, "Actions")
    record = dict(zip(header, first, strict=True))
    assert record["Code action"] == "A1"
    assert record["Intitulé"] == '\'=HYPERLINK("http://evil.test")'  # never a formula in Excel
    assert record["Description"].startswith("'-moins")
    assert record["Statut"] == "en cours" and record["Santé"] == "à risque" and record["Priorité"] == "haute"
    assert record["Échéance"] == datetime.datetime(2026, 6, 30)
    assert record["Établissements associés"] == "CH Delta ; CH Gamma"
    assert record["Références PRS"] == "E1D2O1 ; E2D1O3"
    assert record["Montant (€)"] == 12500.5
    assert dict(zip(header, second, strict=True))["Objectif code"] is None
    workbook = load_workbook(io.BytesIO(content))
    assert all(cell.data_type != "f" for sheet in workbook for line in sheet.iter_rows() for cell in line)
    assert [r[0] for r in rows(content, "Filières")[1:]] == ["GER"]
    assert len(rows(content, "Mesures")) == 3


def test_export_then_import_changes_nothing_and_one_edit_is_one_update(ght, office, plan_data):
    content = export_actions(Action.objects.filter(ght=ght))
    versions = dict(Action.objects.values_list("code", "version"))
    history = Action.history.count()
    report = import_plan_file(ght=ght, plan=plan_data, data=content, acting_user=office, dry_run=False)
    assert report.applied and report.changes == [], [str(p) for p in report.problems] + report.changes
    assert Action.history.count() == history

    # Edit one cell, as a person would in Excel, and import again: exactly one update.
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Actions"]
    status_column = [cell.value for cell in sheet[1]].index("Statut") + 1
    sheet.cell(row=3, column=status_column, value="réalisée")  # action B1
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_plan_file(ght=ght, plan=plan_data, data=buffer.getvalue(), acting_user=office, dry_run=False)
    assert [(c.label, c.fields) for c in report.changes] == [("B1 — Sans rien", ["Statut"])]
    assert Action.objects.get(code="B1").version == versions["B1"] + 1
    assert Action.objects.get(code="A1").version == versions["A1"]
    assert Action.objects.get(code="A1").title == '=HYPERLINK("http://evil.test")'  # the apostrophe is gone


def test_export_of_a_filtered_list_holds_only_those_actions(ght, plan_data):
    content = export_actions(Action.objects.filter(ght=ght, code="B1"))
    assert [r[4] for r in rows(content, "Actions")[1:]] == ["B1"]
    assert rows(content, "Filières") == [("Code", "Nom", "Type", "Description", "Établissements concernés")]
    assert len(rows(content, "Indicateurs")) == 1


@pytest.mark.parametrize("role", Role.values)
def test_every_member_can_export_the_plan(client, ght, make_member, plan_data, role):
    client.force_login(make_member(ght, role))
    response = client.get(f"/{ght.slug}/actions/export.xlsx?plan={plan_data.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="actions-{ght.slug}-2024-2029.xlsx"'
    assert len(rows(response.content, "Actions")) == 3


def test_export_defaults_to_the_plan_in_force_and_refuses_other_ghts_plans(reader_client, ght, other_ght, plan_data):
    response = reader_client.get(f"/{ght.slug}/actions/export.xlsx")
    assert len(rows(response.content, "Actions")) == 3
    other = PlanFactory(ght=other_ght)
    assert reader_client.get(f"/{ght.slug}/actions/export.xlsx?plan={other.pk}").status_code == 404
    assert reader_client.get(f"/{ght.slug}/actions/export.xlsx?plan=abc").status_code == 404


def test_export_has_a_query_ceiling(reader_client, ght, plan_data, django_assert_max_num_queries):
    objective = plan_data.axes.first().objectives.first()
    for number in range(40):
        action = ActionFactory(objective=objective, code=f"Z{number}")
        action.filieres.add(*plan_data.actions.get(code="A1").filieres.all())
        IndicatorFactory(action=action)
    url = f"/{ght.slug}/actions/export.xlsx?plan={plan_data.pk}"
    reader_client.get(url)
    # session, user, membership (GHTMixin), plan, actions with objective/axis/establishment/owner, their
    # filières, establishments, contributors, indicators, measurements, the filières' establishments,
    # the GHT switcher and the idle-timeout session save: a constant, whatever the number of actions.
    with django_assert_max_num_queries(20):
        response = reader_client.get(url)
    assert len(rows(response.content, "Actions")) == 43


def test_export_follows_the_filters_on_screen(office_client, ght, django_assert_max_num_queries):
    """The export button carries the list's query string: what is filtered is what is exported."""
    from io import BytesIO

    from openpyxl import load_workbook

    from actions.models import Action, Plan
    from tests.factories import ActionFactory, AxisFactory, ObjectiveFactory, PlanFactory

    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan))
    ActionFactory(objective=objective, code="EN-1", status=Action.Status.IN_PROGRESS)
    ActionFactory(objective=objective, code="FINI-1", status=Action.Status.DONE)
    page = office_client.get(f"/{ght.slug}/actions/?status=realisee")
    assert f"/{ght.slug}/actions/export.xlsx?status=realisee" in page.content.decode()
    response = office_client.get(f"/{ght.slug}/actions/export.xlsx?status=realisee")
    sheet = load_workbook(BytesIO(response.content), read_only=True)["Actions"]
    codes = {cell for row in sheet.iter_rows(values_only=True) for cell in row if cell in {"EN-1", "FINI-1"}}
    assert codes == {"FINI-1"}


def test_import_records_relation_changes_in_the_history(ght, office, plan_data):
    """Filières, establishments and contributors changed by an import appear in the action's history,
    as when they are changed in the form (simple-history does not follow them)."""
    from actions.models import ActionUpdate

    content = export_actions(Action.objects.filter(ght=ght))
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Actions"]
    filieres_column = [cell.value for cell in sheet[1]].index("Filières") + 1
    sheet.cell(row=3, column=filieres_column, value="GER")  # action B1 joins Gériatrie
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_plan_file(ght=ght, plan=plan_data, data=buffer.getvalue(), acting_user=office, dry_run=False)
    assert report.applied, [str(p) for p in report.problems]
    change = ActionUpdate.objects.get(action__code="B1", kind=ActionUpdate.Kind.CHANGE)
    assert "Gériatrie" in change.text and change.author == office
