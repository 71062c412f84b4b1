"""The schema and its documentation page: served from our own files, and drawn under the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import SHOTS, log_in


@pytest.mark.django_db
def test_the_docs_page_has_no_inline_script_and_the_schema_is_served(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="' in attributes for attributes in scripts), scripts  # no inline script
    assert "<style" not in html and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    document = schema.json()
    assert (
        document["openapi"].startswith("3.")
        and "/api/v1/ghts/{ght_slug}/actions/{action_id}/followup/" in (document["paths"])
    )
    assert set(document["components"]["securitySchemes"]) == {"jeton", "cookieAuth"}


@pytest.mark.browser
def test_the_docs_page_renders_under_the_csp(new_page, office):
    """Swagger UI draws the operations; a CSP violation would be a console error and fail the test."""
    page = new_page()
    log_in(page, office)
    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name=re.compile("GHT Portal — API"))).to_be_visible()
    expect(page.get_by_text("/api/v1/ghts/{ght_slug}/actions/{action_id}/followup/")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "api-docs.png"))
    page.get_by_role("button", name=re.compile("^Authorize")).first.click()
    expect(page.get_by_text("Jeton personnel, créé dans « Mon compte → Jetons d'API ».")).to_be_visible()
