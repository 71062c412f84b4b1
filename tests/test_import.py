"""Plan import: template, dry run then all-or-nothing import, idempotence, and every bad input refused."""

from __future__ import annotations

import datetime
import io
import os
import time
from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from actions.models import Action, Axis, Indicator, Measurement, Objective
from actions.spreadsheet import importer
from actions.spreadsheet.importer import import_plan_file
from actions.spreadsheet.views import SESSION_KEY, purge_stale_uploads, upload_folder
from actions.spreadsheet.workbook import (
    ACTIONS_SHEET,
    FILIERES_SHEET,
    INDICATORS_SHEET,
    MEASUREMENTS_SHEET,
    write_workbook,
)
from filieres.models import Filiere
from ght_portal.models import Role
from tests.factories import EstablishmentFactory, FiliereFactory, PlanFactory
from tests.helpers import text


def import_world(ght, office, make_member) -> SimpleNamespace:
    """A plan in force, the GER filière, an owner and CH Gamma: what the rows below name."""
    owner = make_member(ght, Role.OWNER, email="resp@alpha.test", full_name="Rémi Responsable")
    EstablishmentFactory(ght=ght, name="CH Gamma")
    plan = PlanFactory(ght=ght, status="active")
    filiere = FiliereFactory(ght=ght, code="GER", name="Gériatrie")
    return SimpleNamespace(ght=ght, office=office, owner=owner, plan=plan, filiere=filiere)


@pytest.fixture
def world(ght, office, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return import_world(ght, office, make_member)


def row(**overrides) -> dict:
    values = {
        "axis_number": 1,
        "axis_title": "Améliorer l'accès aux soins",
        "objective_code": "1.1",
        "objective_title": "Soutenir les équipes mobiles",
        "code": "A1",
        "title": "Uniformiser les équipes mobiles de gériatrie",
        "description": "Dans tout le territoire.",
        "filieres": ["GER"],
        "lead_establishment": "CH Alpha",
        "establishments": ["CH Gamma"],
        "owner": "resp@alpha.test",
        "contributors": [],
        "priority": "haute",
        "start_date": datetime.date(2024, 1, 1),
        "due_date": "31/12/2026",
        "status": "en cours",
        "health": "à risque",
        "progress": 40,
        "prs_references": ["E1D2O1"],
        "funding_source": "FIR",
        "funding_amount": 15000,
    }
    values.update(overrides)
    return values


def book(*actions, **sheets) -> bytes:
    return write_workbook({ACTIONS_SHEET: list(actions), **sheets})


def run(world, data: bytes, *, dry_run=False, filename="plan.xlsx"):
    return import_plan_file(
        ght=world.ght, plan=world.plan, data=data, filename=filename, acting_user=world.office, dry_run=dry_run
    )


def snapshot():
    return [
        model.objects.count()
        for model in (Axis, Objective, Action, Filiere, Indicator, Measurement, Action.history.model)
    ]


def only_problem(report):
    assert not report.applied
    assert len(report.problems) == 1, [str(p) for p in report.problems]
    return report.problems[0]


# --- The template -------------------------------------------------------------------------------


def test_template_download_is_a_documented_workbook(world, office_client):
    response = office_client.get(f"/{world.ght.slug}/import/modele.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Lisez-moi", "Filières", "Actions", "Indicateurs", "Mesures"]
    headers = [cell.value for cell in workbook["Actions"][1]]
    assert headers[:6] == ["Axe n°", "Axe intitulé", "Objectif code", "Objectif intitulé", "Code action", "Intitulé"]
    assert "Statut" in headers and "Références PRS" in headers
    readme = " ".join(str(cell.value) for line in workbook["Lisez-moi"].iter_rows() for cell in line if cell.value)
    assert "JJ/MM/AAAA" in readme and "« en cours »" in readme and "CH Alpha" in readme
    lists = [v.formula1 for v in workbook["Actions"].data_validations.dataValidation]
    assert any("en cours" in formula for formula in lists)
    # The empty template imports without error (and changes nothing).
    report = run(world, response.content, dry_run=True)
    assert report.ok and not report.changes


def test_template_and_import_are_for_the_project_office_only(world, client, make_member):
    client.force_login(make_member(world.ght, Role.PILOT))
    assert client.get(f"/{world.ght.slug}/import/modele.xlsx").status_code == 403
    assert client.get(f"/{world.ght.slug}/import/").status_code == 403
    assert client.post(f"/{world.ght.slug}/import/", {"plan": world.plan.pk}).status_code == 403


def test_upload_page_has_a_query_ceiling_and_offers_the_plan_in_force_first(
    world, office_client, django_assert_max_num_queries
):
    for year in (2010, 2014):
        PlanFactory(ght=world.ght, start_year=year, end_year=year + 4, status="archived")
    PlanFactory(ght=world.ght, start_year=2030, end_year=2034, status="draft")
    office_client.get(f"/{world.ght.slug}/import/")
    with django_assert_max_num_queries(12):
        response = office_client.get(f"/{world.ght.slug}/import/")
    assert response.status_code == 200
    assert response.context["form"].fields["plan"].queryset.first() == world.plan


# --- Web flow: upload → preview (dry run) → confirm → result --------------------------------------


def upload(client, world, data: bytes, name="plan.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/{world.ght.slug}/import/", {"plan": world.plan.pk, "file": SimpleUploadedFile(name, data)})


def test_preview_is_a_dry_run_then_confirm_imports(world, office_client):
    before = snapshot()
    response = upload(office_client, world, book(row(), row(code="A2", title="Communiquer")))
    assert response.status_code == 200
    page = text(response)
    assert "Aperçu de l’import" in page and "Confirmer l’import" in page
    assert "A2 — Communiquer" in page
    assert snapshot() == before  # nothing written by the preview
    [token] = office_client.session[SESSION_KEY]
    stored = f"{upload_folder(world.ght)}/{token}.upload"
    assert default_storage.exists(stored)

    response = office_client.post(f"/{world.ght.slug}/import/confirmer/", {"token": token})
    assert response.status_code == 200
    assert "Import terminé" in text(response)
    action = Action.objects.get(code="A1")
    assert action.plan == world.plan and action.objective.axis.title == "Améliorer l'accès aux soins"
    assert (action.status, action.health, action.progress, action.priority) == ("en_cours", "at_risk", 40, "haute")
    assert action.due_date == datetime.date(2026, 12, 31) and action.owner == world.owner
    assert list(action.filieres.all()) == [world.filiere]
    assert action.history.latest().history_user == world.office
    assert not default_storage.exists(stored) and token not in office_client.session[SESSION_KEY]
    # The same confirmation again finds nothing to import.
    response = office_client.post(f"/{world.ght.slug}/import/confirmer/", {"token": token})
    assert response.status_code == 302 and response.url == f"/{world.ght.slug}/import/"


def test_confirm_needs_the_token_of_ones_own_session(world, office_client, client, make_member):
    upload(office_client, world, book(row()))
    [token] = office_client.session[SESSION_KEY]
    other_office = make_member(world.ght, Role.OFFICE)
    client.force_login(other_office)
    for value in (token, "../../etc/passwd", ""):
        response = client.post(f"/{world.ght.slug}/import/confirmer/", {"token": value})
        assert response.status_code == 302
    assert not Action.objects.exists()


def test_bad_rows_are_listed_on_the_upload_page_and_nothing_is_stored(world, office_client):
    response = upload(office_client, world, book(row(due_date="2026-12-31")))
    assert response.status_code == 422
    page = text(response)
    assert "1 erreur : rien n’a été importé." in page
    assert "Échéance (O)" in page and "attendu JJ/MM/AAAA" in page
    assert SESSION_KEY not in office_client.session
    assert not default_storage.exists(upload_folder(world.ght))


def test_script_in_a_title_is_stored_as_text_and_shown_escaped(world, office_client):
    title = "<script>alert('x')</script> Équipes"
    response = upload(office_client, world, book(row(title=title)))
    assert response.status_code == 200
    assert b"<script>alert" not in response.content and b"&lt;script&gt;alert" in response.content
    [token] = office_client.session[SESSION_KEY]
    office_client.post(f"/{world.ght.slug}/import/confirmer/", {"token": token})
    assert Action.objects.get().title == title


def test_oversized_upload_is_refused(world, office_client):
    response = upload(office_client, world, b"x" * (importer.MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 422
    assert "Le fichier dépasse la taille maximale de 5 Mo." in text(response)
    assert not Action.objects.exists()


def test_non_excel_file_renamed_xlsx_is_refused(world, office_client):
    response = upload(office_client, world, b"%PDF-1.7 not a workbook", name="plan.xlsx")
    assert response.status_code == 422
    assert "n'est pas un classeur Excel (.xlsx) valide" in text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "Ancien format Excel (.xls)"),
        (b"PK\x03\x04 truncated", "n'est pas un classeur Excel (.xlsx) valide"),
        (b"", "Le fichier est vide."),
        ("Axe n°;Code action\n1;A1".encode("latin-1"), "encodé en UTF-8"),
    ],
)
def test_unreadable_files_are_refused(world, data, message):
    problem = only_problem(run(world, data, filename="plan.csv"))
    assert message in str(problem)


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "n'est pas un classeur Excel" in str(only_problem(run(world, buffer.getvalue())))


def test_uncompressed_size_is_bounded_before_parsing(world, monkeypatch):
    data = book(row())
    monkeypatch.setattr(importer, "MAX_UNCOMPRESSED_BYTES", 2000)
    monkeypatch.setattr(importer, "load_workbook", lambda *a, **k: pytest.fail("parsed despite the bound"))
    assert "décompressé dépasserait" in str(only_problem(run(world, data)))


def test_too_many_rows_are_refused(world):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    sheet.append(["Axe n°", "Objectif intitulé", "Code action", "Intitulé"])
    for number in range(importer.MAX_ROWS + 1):
        sheet.append([1, "Objectif", f"A{number}", "Action"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = snapshot()
    problem = only_problem(run(world, buffer.getvalue()))
    assert "La feuille « Actions » dépasse 5000 lignes" in str(problem)
    assert snapshot() == before


def test_formula_cells_are_refused_with_their_place(world):
    workbook = load_workbook(io.BytesIO(book(row())))
    workbook["Actions"]["F2"] = '=HYPERLINK("http://evil.test", "clic")'
    buffer = io.BytesIO()
    workbook.save(buffer)
    problem = only_problem(run(world, buffer.getvalue()))
    assert (problem.sheet, problem.row, problem.column, problem.letter) == ("Actions", 2, "Intitulé", "F")
    assert "formule refusée" in problem.message
    assert not Action.objects.exists()


# --- Bad cells: French message with sheet, row and column; nothing written --------------------------


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"due_date": "2026-12-31"}, "Échéance", "date invalide « 2026-12-31 » : attendu JJ/MM/AAAA"),
        ({"start_date": "31/02/2025"}, "Début", "date invalide « 31/02/2025 »"),
        ({"start_date": "01.01.2025"}, "Début", "date invalide « 01.01.2025 »"),
        ({"lead_establishment": "CH Inconnu"}, "Établissement pilote", "établissement inconnu dans ce GHT"),
        ({"establishments": ["CH Gamma", "CH Bêta"]}, "Établissements associés", "« CH Bêta »"),
        ({"filieres": ["GER", "XYZ"]}, "Filières", "filière inconnue dans ce GHT : « XYZ »"),
        ({"owner": "inconnu@ailleurs.test"}, "Responsable", "n'est l'adresse d'aucun membre actif du GHT"),
        ({"contributors": ["x@y.test"]}, "Contributeurs", "« x@y.test »"),
        ({"progress": 150}, "Avancement (%)", "150 est hors des limites (de 0 à 100)"),
        ({"progress": "beaucoup"}, "Avancement (%)", "nombre attendu"),
        ({"prs_references": ["PRS1"]}, "Références PRS", "« PRS1 » n'est pas une référence d'objectif du PRS"),
        ({"status": "terminée"}, "Statut", "valeur « terminée » inconnue ; valeurs admises : « à lancer »"),
        ({"health": "rouge"}, "Santé", "valeurs admises"),
        ({"start_date": "01/01/2027"}, "Échéance", "l'échéance (31/12/2026) précède le début (01/01/2027)"),
        ({"funding_amount": -5}, "Montant (€)", "ne peut pas être négatif"),
        ({"title": ""}, "Intitulé", "valeur obligatoire"),
        ({"title": "x" * 301}, "Intitulé", "301 caractères : 300 au plus"),
        ({"axis_number": "deux"}, "Axe n°", "nombre attendu"),
        ({"objective_code": "", "objective_title": ""}, "Objectif code", "code ou intitulé de l'objectif obligatoire"),
    ],
)
def test_bad_cell_is_reported_with_row_and_column_and_nothing_changes(world, overrides, column, message):
    before = snapshot()
    problem = only_problem(run(world, book(row(), row(code="A2", **overrides))))
    assert (problem.sheet, problem.row, problem.column) == ("Actions", 3, column)
    assert message in problem.message
    assert str(problem).startswith(f"Feuille « Actions », ligne 3, colonne « {column} » (")
    assert snapshot() == before  # all or nothing: the good first row was not imported either


def test_duplicate_code_in_the_file_is_refused(world):
    problem = only_problem(run(world, book(row(), row(title="Autre intitulé"))))
    assert (problem.row, problem.column) == (3, "Code action")
    assert "« A1 » figure déjà à la ligne 2 de cette feuille." in problem.message
    assert not Action.objects.exists()


def test_new_axis_needs_a_title_and_titles_must_agree(world):
    report = run(world, book(row(axis_title=""), row(code="A2", axis_number=2, axis_title="")))
    assert [(p.row, p.column) for p in report.problems] == [(2, "Axe intitulé"), (3, "Axe intitulé")]
    report = run(world, book(row(), row(code="A2", axis_title="Un autre intitulé")))
    assert "l'axe 1 a un autre intitulé à la ligne 2" in only_problem(report).message


def test_unknown_and_missing_columns_are_refused(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    sheet.append(["Axe n°", "Code action", "Intitulé", "Echeance prévue"])
    sheet.append([1, "A1", "Titre", "01/01/2026"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(world, buffer.getvalue())
    messages = [str(p) for p in report.problems]
    assert any("colonne inconnue « Echeance prévue »" in m for m in messages)
    assert any("colonnes obligatoires absentes : « Objectif code ou Objectif intitulé »" in m for m in messages)
    assert not report.applied


def test_a_workbook_without_actions_sheet_is_refused(world):
    workbook = Workbook()
    workbook.active.title = "Feuil1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(world, buffer.getvalue())
    assert "Le classeur n'a pas de feuille « Actions »." in str(only_problem(report))
    assert report.ignored_sheets == ["Feuil1"]


# --- Creating, updating, idempotence -------------------------------------------------------------


def full_book(*actions):
    return book(
        *actions,
        **{
            FILIERES_SHEET: [
                {"code": "GER", "name": "Gériatrie", "kind": "médicale", "establishments": ["CH Alpha"]},
                {"code": "URG", "name": "Urgences", "kind": "médicale", "description": "Soins non programmés."},
            ],
            INDICATORS_SHEET: [
                {
                    "action_code": "A1",
                    "name": "Patients suivis",
                    "unit": "patients",
                    "baseline": 10,
                    "target": 50,
                    "target_date": "31/12/2026",
                },
            ],
            MEASUREMENTS_SHEET: [
                {"action_code": "A1", "indicator": "Patients suivis", "measured_on": "30/06/2025", "value": 22.5},
                {
                    "action_code": "A1",
                    "indicator": "Patients suivis",
                    "measured_on": datetime.date(2025, 12, 31),
                    "value": 31,
                    "comment": "Point d'étape",
                },
            ],
        },
    )


def test_import_creates_everything_then_reimport_changes_nothing(world):
    data = full_book(row(filieres=["GER", "URG"]), row(code="A2", title="Deuxième", objective_title=""))
    dry = run(world, data, dry_run=True)
    assert dry.ok and not dry.applied
    assert {c["kind"]: (c["created"], c["updated"]) for c in dry.counts()} == {
        "filiere": (1, 1),  # URG created; GER's establishments updated
        "axis": (1, 0),
        "objective": (1, 0),
        "action": (2, 0),
        "indicator": (1, 0),
        "measurement": (2, 0),
    }
    assert not Action.objects.exists()

    report = run(world, data)
    assert report.applied
    action = Action.objects.get(code="A1")
    assert sorted(action.filieres.values_list("code", flat=True)) == ["GER", "URG"]
    assert Action.objects.get(code="A2").objective == action.objective  # found by its code
    indicator = Indicator.objects.get()
    assert [m.value for m in indicator.measurements.all()] == [22.5, 31]
    assert list(world.filiere.establishments.values_list("name", flat=True)) == ["CH Alpha"]

    before, versions = snapshot(), list(Action.objects.values_list("version", flat=True))
    again = run(world, data)
    assert again.applied and again.changes == []
    assert snapshot() == before and list(Action.objects.values_list("version", flat=True)) == versions


def test_changing_one_cell_updates_exactly_that_and_bumps_the_version(world):
    run(world, full_book(row(), row(code="A2", title="Deuxième")))
    action = Action.objects.get(code="A1")
    history = action.history.count()
    report = run(world, full_book(row(status="réalisée"), row(code="A2", title="Deuxième")))
    assert [(c.kind, c.created, c.label, c.fields) for c in report.changes] == [
        ("action", False, "A1 — Uniformiser les équipes mobiles de gériatrie", ["Statut"])
    ]
    action.refresh_from_db()
    assert (action.status, action.version, action.history.count()) == ("realisee", 2, history + 1)
    assert Action.objects.get(code="A2").version == 1


def test_empty_follow_up_cells_keep_the_values_and_empty_texts_clear_them(world):
    run(world, book(row()))
    report = run(world, book(row(status=None, health="", progress=None, priority=None, description="")))
    assert [c.fields for c in report.changes] == [["Description"]]
    action = Action.objects.get()
    assert (action.status, action.health, action.progress, action.priority) == ("en_cours", "at_risk", 40, "haute")


def test_objectives_are_matched_by_title_when_they_have_no_code(world):
    run(world, book(row(objective_code="", objective_title="Sans code")))
    run(world, book(row(objective_code="", objective_title="Sans code", code="A2", title="Autre")))
    assert Objective.objects.count() == 1 and Action.objects.filter(objective__title="Sans code").count() == 2


def test_the_import_writes_only_into_the_chosen_plan_of_the_ght(world, other_ght):
    other_plan = PlanFactory(ght=other_ght)
    with pytest.raises(ValueError):
        import_plan_file(ght=world.ght, plan=other_plan, data=book(row()), acting_user=world.office, dry_run=False)
    # Establishments, filières and members of another GHT are unknown here.
    EstablishmentFactory(ght=other_ght, name="CH Delta")
    FiliereFactory(ght=other_ght, code="ONCO")
    report = run(world, book(row(lead_establishment="CH Delta", filieres=["ONCO"])))
    assert {p.column for p in report.problems} == {"Établissement pilote", "Filières"}


def test_measurements_need_a_known_indicator(world):
    report = run(
        world,
        book(
            row(),
            **{
                MEASUREMENTS_SHEET: [
                    {"action_code": "A1", "indicator": "Nulle part", "measured_on": "01/01/2025", "value": 1}
                ]
            },
        ),
    )
    problem = only_problem(report)
    assert (problem.sheet, problem.row, problem.column) == ("Mesures", 2, "Indicateur")


# --- CSV ------------------------------------------------------------------------------------------


CSV_HEADER = "Axe n°;Axe intitulé;Objectif code;Objectif intitulé;Code action;Intitulé;Échéance;Statut;Avancement (%)"


def test_csv_with_bom_and_semicolons_is_imported(world):
    data = ("\ufeff" + CSV_HEADER + "\n1;Accès;1.1;Équipes mobiles;C1;Action CSV;30/06/2027;en cours;25\n").encode()
    report = run(world, data, filename="actions.csv")
    assert report.applied, [str(p) for p in report.problems]
    action = Action.objects.get(code="C1")
    assert (action.due_date, action.status, action.progress) == (datetime.date(2027, 6, 30), "en_cours", 25)


def test_csv_with_commas_and_a_formula_is_refused_at_its_cell(world):
    header = CSV_HEADER.replace(";", ",")
    data = f"{header}\n1,Accès,1.1,Obj,C1,\"=cmd|' /C calc'!A0\",30/06/2027,en cours,25\n".encode()
    problem = only_problem(run(world, data, filename="actions.csv"))
    assert (problem.row, problem.column, problem.letter) == (2, "Intitulé", "F")
    assert "formule refusée" in problem.message


# --- Command line ---------------------------------------------------------------------------------


def test_import_plan_command(world, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(book(row()))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_plan", world.ght.slug, str(path), "--dry-run", stdout=out, stderr=err)
    assert "Simulation : rien n'a été enregistré." in out.getvalue()
    assert "Actions à créer / à modifier : 1 / 0" in out.getvalue()
    assert not Action.objects.exists()

    call_command("import_plan", world.ght.slug, str(path), "--plan", str(world.plan.pk), stdout=out)
    assert "Import terminé : 3 changement(s)." in out.getvalue()
    assert Action.objects.count() == 1

    path.write_bytes(book(row(due_date="le 31 décembre")))
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_plan", world.ght.slug, str(path), stdout=io.StringIO(), stderr=err)
    assert refused.value.returncode == 1
    assert "rien n'a été importé" in str(refused.value)
    assert "Feuille « Actions », ligne 2, colonne « Échéance » (O) : date invalide" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nulle-part", "plan.xlsx"], "Aucun GHT « nulle-part »."),
        (["alpha", "absent.xlsx"], "Fichier introuvable"),
        (["alpha", "plan.xlsx", "--plan", "999999"], "Aucun projet n° 999999"),
        (["alpha", "plan.xlsx", "--user", "inconnu@x.test"], "n'est pas un membre actif"),
    ],
)
def test_import_plan_command_refusals(world, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.xlsx").write_bytes(book(row()))
    with pytest.raises(CommandError, match=message) as refused:
        call_command("import_plan", *args)
    assert refused.value.returncode == 1


# --- Stored uploads are temporary -----------------------------------------------------------------


def test_uploads_older_than_a_day_are_purged(world):
    old = default_storage.save(f"{upload_folder(world.ght)}/{'a' * 32}.upload", io.BytesIO(b"old"))
    recent = default_storage.save(f"{upload_folder(world.ght)}/{'b' * 32}.upload", io.BytesIO(b"new"))
    two_days_ago = time.time() - 2 * 86400
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    assert purge_stale_uploads(world.ght) == 1
    assert not default_storage.exists(old) and default_storage.exists(recent)
