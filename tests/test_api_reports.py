"""The reports through the API: ask for one, poll its state, download the PDF, retry a failed one."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ght_portal.models import Role
from reports.documents import services, state
from reports.models import Report
from tests.api_helpers import api_client, base
from tests.reports_world import ReportWorld, pdf_text


@pytest.fixture
def world(ght, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return ReportWorld(ght, make_member)


def request_body(world, **overrides) -> dict:
    return {"kind": "costrat", "plan": world.plan.pk, "year": world.year, **overrides}


def test_request_poll_and_download_end_to_end(world, django_capture_on_commit_callbacks):
    """The job is built by the task, run in-process on commit (tests/test_reports_worker.py has the real
    worker); its state is read by polling, then the file is downloaded."""
    client = api_client(world.director)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"{base(world.ght)}/reports/", request_body(world))
    assert response.status_code == 201, response.json()
    url = response["Location"]
    assert response.json()["status"] == "requested" and response.json()["download"] is None
    assert client.get(f"{url}download/").status_code == 409  # nothing to download yet

    again = client.post(f"{base(world.ght)}/reports/", request_body(world))
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]  # the same job

    for callback in queued:  # the build, queued on commit (eager Celery in the tests)
        callback()
    polled = client.get(url).json()
    assert polled["status"] == "done" and polled["progress"] == 100 and polled["page_count"] > 0
    assert polled["download"] == f"{url}download/"
    download = client.get(polled["download"], HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF") and "PMSP Alpha" in pdf_text(content)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"year": 1999}, "year", "Assurez-vous que cette valeur est supérieure ou égale à 2000."),
        ({"kind": "roadmap"}, "filiere", "Choisissez la filière de la feuille de route."),
        ({"plan": 10**9}, "plan", "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."),
    ],
)
def test_a_bad_request_is_refused_in_french(world, overrides, field, message):
    response = api_client(world.office).post(f"{base(world.ght)}/reports/", request_body(world, **overrides))
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert not Report.objects.filter(ght=world.ght).exists()


@pytest.mark.parametrize("role", [Role.PILOT, Role.OWNER, Role.READER])
def test_only_the_office_and_the_directors_ask_and_read(world, make_member, role):
    client = api_client(make_member(world.ght, role))
    assert client.post(f"{base(world.ght)}/reports/", request_body(world)).status_code == 403
    assert client.get(f"{base(world.ght)}/reports/").status_code == 403


def test_a_failed_report_is_retried_with_its_etag(world):
    report, _created = services.request_report(
        membership=world.director.memberships.get(ght=world.ght),
        data=request_body(world),
        acting_user=world.director,
    )
    state.claim(report.pk)
    state.fail(report, "Le moteur PDF a manqué de mémoire.")
    client = api_client(world.office)
    url = f"{base(world.ght)}/reports/{report.pk}/"
    failed = client.get(url)
    assert failed.json()["status"] == "failed" and failed.json()["error"] == "Le moteur PDF a manqué de mémoire."
    assert client.post(f"{url}retry/").status_code == 428
    retried = client.post(f"{url}retry/", HTTP_IF_MATCH=failed["ETag"])
    assert retried.status_code == 200 and retried.json()["status"] == "requested"
    refused = client.post(f"{url}retry/", HTTP_IF_MATCH=retried["ETag"])
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"non_field_errors": ["Seul un rapport en échec peut être relancé."]}


def test_a_lost_file_is_a_404_in_json(world):
    report, _created = services.request_report(
        membership=world.director.memberships.get(ght=world.ght),
        data=request_body(world),
        acting_user=world.director,
    )
    state.claim(report.pk)
    state.finish(report, name="bilan.pdf", content=b"%PDF-1.7", page_count=1, as_of=timezone.localdate())
    report.refresh_from_db()
    report.file.storage.delete(report.file.name)
    response = api_client(world.director).get(f"{base(world.ght)}/reports/{report.pk}/download/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Le fichier de ce rapport est introuvable ; relancez sa génération."
