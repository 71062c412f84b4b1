"""The dashboard in Debian's chromium: the charts are drawn with their colours under the real
Content-Security-Policy (no violation, no console error), the filters work, and it prints."""

from __future__ import annotations

from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from reports import charts
from tests.browser import SHOTS, field, ght_nav, log_in
from tests.test_figures import Data

pytestmark = pytest.mark.browser

# Installed before any page script: records every CSP violation the page would raise.
CSP_PROBE = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


def fills(page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("nodes => nodes.map(node => getComputedStyle(node).fill)")


@pytest.fixture
def data(ght, make_member):
    return Data(ght, make_member)


def test_dashboard_charts_are_drawn_in_colour_without_csp_violation(new_page, data):
    june = data.campaign()
    page = new_page()
    page.add_init_script(CSP_PROBE)
    log_in(page, data.office)
    ght_nav(page).get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()
    expect(page.get_by_text("Données du portail au ")).to_be_visible()

    for name in ("Actions par statut", "Actions par état de santé", "Actions par ambition", "Actions par filière"):
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        assert chart.bounding_box()["width"] > 300, name
    # The RAG bars in green, amber and red; the late part of the status bars in red.
    assert fills(page, "#graphique-sante rect.rect") == [rgb(charts.GREEN), rgb(charts.AMBER), rgb(charts.RED)]
    assert set(fills(page, "#graphique-statuts .serie-1 rect.rect")) == {rgb(charts.RED)}
    assert set(fills(page, "#graphique-axes .serie-0 rect.rect")) == {rgb(charts.GREEN)}
    expect(page.get_by_role("img", name="Avancement au fil des points d'étape")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-live.png"), full_page=True)

    field(page, "Filière").select_option(label="URG — Urgences")
    field(page, "Données").select_option(value=str(june.pk))
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("Instantané du point d'étape « Point d'étape juin »")).to_be_visible()
    expect(page.get_by_text("PMSP (2024–2029) · filière URG — Urgences")).to_be_visible()
    assert f"source={june.pk}" in page.url and f"filiere={data.urg.pk}" in page.url
    expect(page.get_by_role("link", name="A2 — Action A2").first).to_be_visible()

    page.screenshot(path=str(SHOTS / "dashboard-snapshot.png"), full_page=True)
    assert page.evaluate("window.__csp") == []


def test_dashboard_prints_with_its_charts(new_page, data):
    page = new_page()
    log_in(page, data.office)
    page.goto("/alpha/tableau-de-bord/")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Afficher")).to_be_hidden()
    assert fills(page, "#graphique-sante rect.rect")[0] == rgb(charts.GREEN)
    pdf = page.pdf(format="A4", print_background=True)
    (SHOTS / "dashboard.pdf").parent.mkdir(exist_ok=True)
    (SHOTS / "dashboard.pdf").write_bytes(pdf)
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    # The charts' texts are text in the printed PDF (axis labels, legends), not lost images.
    assert "En bonne voie" in text and "Dans les délais" in text and "Ambition 1 — Parcours" in text
