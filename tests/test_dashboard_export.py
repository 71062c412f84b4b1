"""Excel export of the dashboard: every table, the scope of the URL, formulas neutralised."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Action
from tests.test_figures import Data, days


@pytest.fixture
def data(ght, make_member):
    return Data(ght, make_member)


def workbook(client, read_only=True, **params):
    response = client.get(reverse("dashboard_export", kwargs={"ght_slug": "alpha"}), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="tableau-de-bord-alpha-2024-2029.xlsx"'
    return load_workbook(BytesIO(response.content), read_only=read_only)


def rows(book, name) -> list[tuple]:
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


def test_export_has_every_table_of_the_dashboard(client, data):
    data.campaign()
    client.force_login(data.office)
    book = workbook(client)
    assert book.sheetnames == [
        "Synthèse",
        "Par statut",
        "Par état de santé",
        "Par axe",
        "Par filière",
        "En retard",
        "À risque",
        "Échéances à 90 jours",
        "Points d'étape",
        "Indicateurs",
        "Toutes les actions",
    ]
    summary = dict(rows(book, "Synthèse"))
    assert summary["Source des chiffres"].startswith("Données du portail au ")
    assert summary["Périmètre"] == "PMSP (2024–2029)"
    assert (summary["Actions"], summary["Réalisées"], summary["En retard"], summary["Avancement moyen (%)"]) == (
        6, 1, 2, 41,
    )  # fmt: skip
    assert rows(book, "Par statut")[2] == ("En cours", 2, 1)
    assert rows(book, "Par état de santé")[1:] == [("En bonne voie", 3), ("À risque", 1), ("En difficulté", 2)]
    assert rows(book, "Par axe")[1] == ("Ambition 1 — Parcours", 3, 1, 1, 0, 0, 1, 1, 72)
    assert [row[0] for row in rows(book, "Par filière")[1:]] == [
        "ACH — Achats",
        "GER — Gériatrie",
        "URG — Urgences",
        "Sans filière",
    ]
    late = rows(book, "En retard")
    assert late[0][:3] == ("Code", "Intitulé", "Axe") and [row[0] for row in late[1:]] == ["A1", "A5"]
    a1 = late[1]
    assert a1[5:10] == ("En cours", "oui", "À risque", 55, datetime.datetime.combine(days(-10), datetime.time()))
    assert a1[10:] == ("Locaux manquants", "Recruter deux IDE")  # no achievement nor stop date after them
    assert [row[0] for row in rows(book, "À risque")[1:]] == ["A4", "A1"]
    assert [row[0] for row in rows(book, "Échéances à 90 jours")[1:]] == ["A2"]
    assert rows(book, "Points d'étape")[1][0] == "Point d'étape juin" and rows(book, "Points d'étape")[1][2:] == (
        6, 41, 1, 2,  # the whole plan, frozen at closing
    )  # fmt: skip
    patients = next(row for row in rows(book, "Indicateurs") if row[2] == "Patients vus")
    assert patients[4:6] == (10, 50) and patients[7] == 30 and patients[9] == 50
    assert len(rows(book, "Toutes les actions")) == 7
    sheet = workbook(client, read_only=False)["En retard"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:N3"
    assert sheet["A1"].font.bold and sheet["J2"].number_format == "DD/MM/YYYY"


def test_export_follows_the_scope_of_the_url(client, data):
    june = data.campaign()
    Action.objects.filter(pk=data.a2.pk).update(status=Action.Status.DONE)
    client.force_login(data.office)
    book = workbook(client, source=june.pk, filiere=data.ger.pk)
    summary = dict(rows(book, "Synthèse"))
    assert summary["Source des chiffres"].startswith("Instantané du point d'étape « Point d'étape juin »")
    assert summary["Périmètre"] == "PMSP (2024–2029) · filière GER — Gériatrie"
    assert [row[0] for row in rows(book, "Toutes les actions")[1:]] == ["A1", "A2", "A5"]
    assert rows(book, "Par statut")[2] == ("En cours", 2, 1)  # A2 as it was at closing


def test_export_neutralises_formulas(client, data):
    Action.objects.filter(pk=data.a1.pk).update(title='=HYPERLINK("http://evil.test","clic")')
    data.campaign(blocking="+SUM(1;2)")
    client.force_login(data.office)
    late = rows(workbook(client), "En retard")
    a1 = next(row for row in late if row[0] == "A1")
    assert a1[1] == '\'=HYPERLINK("http://evil.test","clic")'
    assert a1[10] == "'+SUM(1;2)"
