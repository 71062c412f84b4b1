"""Personal API tokens: the account pages that create, list and revoke them, and authentication by them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ght_portal.models import ApiToken, Role, hash_token
from tests.api_helpers import api_client, token_for
from tests.helpers import text

pytestmark = pytest.mark.django_db


def test_a_token_is_created_shown_once_and_stored_hashed(client, office):
    client.force_login(office)
    response = client.post("/compte/jetons/", {"name": "Power BI", "read_only": "on"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("ghtp_") and key in text(response)
    assert "il ne sera plus jamais affiché" in text(response)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    token = ApiToken.objects.get(user=office)
    assert token.name == "Power BI" and token.read_only
    assert token.key_hash == hash_token(key) and key not in {token.key_hash, token.prefix}
    assert key.startswith(token.prefix)

    listing = client.get("/compte/jetons/")
    assert "Power BI" in text(listing) and token.prefix in text(listing)
    assert key not in text(listing)  # never shown again


def test_token_names_are_required_and_unique_among_active_tokens(client, office):
    client.force_login(office)
    client.post("/compte/jetons/", {"name": "Script"})
    response = client.post("/compte/jetons/", {"name": " script "})
    assert response.status_code == 422
    assert "Vous avez déjà un jeton de ce nom" in text(response)
    assert client.post("/compte/jetons/", {"name": ""}).status_code == 422
    assert ApiToken.objects.filter(user=office).count() == 1


def test_a_revoked_token_stops_working_at_once(client, office, ght):
    key = token_for(office)
    token = ApiToken.objects.get(user=office)
    assert api_with(key).get("/api/v1/ghts/").status_code == 200
    client.force_login(office)
    response = client.post(f"/compte/jetons/{token.pk}/revoquer/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = api_with(key).get("/api/v1/ghts/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Ce jeton a été révoqué."
    assert refused["WWW-Authenticate"] == "Bearer"
    assert "révoqué le" in text(client.get("/compte/jetons/"))


def test_nobody_revokes_someone_elses_token(client, office, reader):
    token_for(office)
    token = ApiToken.objects.get(user=office)
    client.force_login(reader)
    assert client.post(f"/compte/jetons/{token.pk}/revoquer/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def api_with(key: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer ghtp_inconnu", "Jeton inconnu."),
        ("Bearer", "En-tête Authorization invalide : « Bearer <jeton> » attendu."),
        ("Bearer a b", "En-tête Authorization invalide : « Bearer <jeton> » attendu."),
    ],
)
def test_bad_tokens_are_refused_with_401(header, message):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/ghts/")
    assert response.status_code == 401
    assert response.json() == {"status": 401, "code": "authentication_failed", "detail": message, "errors": {}}


def test_no_credentials_is_401():
    response = api_client().get("/api/v1/ghts/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_deactivated_account_loses_its_tokens(office):
    client = api_client(office)
    office.is_active = False
    office.save()
    response = client.get("/api/v1/ghts/")
    assert response.status_code == 401 and response.json()["detail"] == "Ce compte est désactivé."


def test_a_token_acts_with_its_owners_memberships_and_records_its_last_use(ght, other_ght, make_member):
    user = make_member(ght, Role.PILOT)
    client = api_client(user)
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is None
    response = client.get("/api/v1/ghts/")
    assert [row["slug"] for row in response.json()["results"]] == ["alpha"]
    assert response.json()["results"][0]["role"] == Role.PILOT
    assert client.get("/api/v1/ghts/beta/").status_code == 404
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    client.get("/api/v1/ghts/alpha/")
    token.refresh_from_db()
    assert token.last_used_at == first_use  # written at most once a minute
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(minutes=2))
    client.get("/api/v1/ghts/alpha/")
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_a_read_only_token_refuses_writes_with_403(ght, office):
    response = api_client(office, read_only=True).post(f"/api/v1/ghts/{ght.slug}/actions/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Ce jeton est en lecture seule : il ne permet aucune modification."


def test_the_browser_session_writes_only_with_its_csrf_token(ght, office):
    from django.test import Client

    from tests.factories import FiliereFactory

    filiere = FiliereFactory(ght=ght)
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    url = f"/api/v1/ghts/{ght.slug}/filieres/{filiere.pk}/"
    etag = client.get(url)["ETag"]  # reading needs no token
    body, kind = '{"description": "Par la session"}', "application/json"
    refused = client.patch(url, body, content_type=kind, HTTP_IF_MATCH=etag)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/compte/jetons/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.patch(url, body, content_type=kind, HTTP_IF_MATCH=etag, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200, accepted.json()
