"""Issue 5's director journey in the real UI: log in, ask for the annual review, watch it finish
without reloading (htmx polling a real Celery worker), download it and check it is this GHT's PDF."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from reports.models import Report
from tests import worker
from tests.browser import SHOTS, field, ght_nav, log_in
from tests.reports_world import ReportWorld, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.worker]

celery_worker = worker.celery_worker  # fixtures, found by pytest under these names
tasks = worker.tasks


def test_director_asks_for_the_annual_review_and_downloads_it(
    new_page, live_server, tasks, ght, other_ght, make_member, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    world = ReportWorld(ght, make_member)
    page = new_page()
    log_in(page, world.director)
    ght_nav(page).get_by_role("link", name="Rapports").click()
    expect(page.get_by_role("heading", name="Rapports", exact=True)).to_be_visible()
    field(page, "Document").select_option(label="Bilan annuel du PMSP — comité stratégique")
    expect(field(page, "Projet médico-soignant")).to_have_value(str(world.plan.pk))
    field(page, "Année").fill(str(world.year))
    page.get_by_role("button", name="Préparer le PDF").click()

    report = Report.objects.get()
    expect(page).to_have_url(f"{live_server.url}/alpha/rapports/{report.pk}/")
    status = page.locator("#report-status")
    # The page was not reloaded: the block below was swapped in by htmx once the worker finished.
    page.evaluate("window.__same_page = true")
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)
    assert page.evaluate("window.__same_page") is True
    expect(status).to_contain_text("Prêt le")
    page.screenshot(path=str(SHOTS / "report-done.png"), full_page=True)

    with page.expect_download() as download_info:
        status.get_by_role("link", name="Télécharger le PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"alpha-costrat-{world.year}-")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    words = pdf_text(content)
    assert "GHT Alpha" in words and "Comité stratégique" in words and "7 actions suivies" in words
    assert "GHT Bêta" not in words

    # It stays in the history, with its link.
    ght_nav(page).get_by_role("link", name="Rapports").click()
    history = page.get_by_role("table")
    expect(history).to_contain_text("Denis Directeur")
    expect(history.get_by_role("link", name="Télécharger")).to_be_visible()
