"""One JSON shape for every error, in French; throttling per token; the edges of the HTTP protocol."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from ght_portal.models import ApiToken, Role
from tests.api_helpers import api_client, base, token_for
from tests.factories import FiliereFactory

pytestmark = pytest.mark.django_db

SHAPE = {"status", "code", "detail", "errors"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == SHAPE and body["status"] == status and body["code"] == code, body
    assert body["detail"] and isinstance(body["errors"], dict)
    return body


def test_every_kind_of_error_has_the_same_shape(ght, other_ght, office, make_member):
    reader = api_client(make_member(ght, Role.READER))
    client = api_client(office)
    filiere = FiliereFactory(ght=ght)
    url = f"{base(ght)}/filieres/{filiere.pk}/"

    assert_error(APIClient().get(f"{base(ght)}/plans/"), 401, "not_authenticated")
    body = assert_error(reader.post(f"{base(ght)}/filieres/", {"name": "X", "code": "X"}), 403, "permission_denied")
    assert body["detail"] == "Votre rôle dans ce GHT ne permet pas cette opération."
    body = assert_error(client.get(f"{base(other_ght)}/plans/"), 404, "not_found")
    assert "ce GHT n'est pas le vôtre" in body["detail"]
    assert_error(client.get(f"{base(ght)}/filieres/999999999/"), 404, "not_found")
    assert_error(client.put(url, {}), 405, "method_not_allowed")
    form = client.patch(url, "name=x", content_type="application/x-www-form-urlencoded")
    assert_error(form, 415, "unsupported_media_type")
    assert_error(client.patch(url, "{pas du json", content_type="application/json"), 400, "parse_error")
    assert_error(client.patch(url, {"name": "Sans ETag"}), 428, "precondition_required")
    body = assert_error(client.patch(url, {"name": "Vieil ETag"}, HTTP_IF_MATCH='"0123"'), 412, "precondition_failed")
    assert "rien n'a été enregistré" in body["detail"]
    assert_error(client.get(f"{base(ght)}/plans/", {"page": 9}), 404, "not_found")
    assert_error(client.get(f"{base(ght)}/plans/", HTTP_ACCEPT="text/html"), 406, "not_acceptable")


def test_validation_errors_are_per_field_in_french(ght, office):
    client = api_client(office)
    body = assert_error(client.post(f"{base(ght)}/filieres/", {"code": "x" * 40, "kind": "autre"}), 400, "invalid")
    assert body["detail"] == "Les données envoyées ne sont pas valides : corrigez les champs signalés."
    assert body["errors"]["name"] == ["Ce champ est obligatoire."]
    assert body["errors"]["code"] == ["Assurez-vous que ce champ comporte au plus 12\xa0caractères."]
    assert body["errors"]["kind"] == ["«\xa0autre\xa0» n'est pas un choix valide."]
    # A service's refusal (a rule of the business, not of the format) arrives in the same shape.
    FiliereFactory(ght=ght, name="Gériatrie", code="GER")
    body = assert_error(client.post(f"{base(ght)}/filieres/", {"name": "Autre", "code": "ger"}), 400, "invalid")
    assert body["errors"] == {"code": ["Une filière porte déjà ce code dans ce GHT."]}
    body = assert_error(client.post(f"{base(ght)}/filieres/", [1, 2]), 400, "invalid")
    assert "non_field_errors" in body["errors"]


def test_sorting_is_checked(ght, office):
    client = api_client(office)
    FiliereFactory(ght=ght, name="B", code="B")
    FiliereFactory(ght=ght, name="A", code="Z")
    names = [row["name"] for row in client.get(f"{base(ght)}/filieres/", {"sort": "-code"}).json()["results"]]
    assert names == ["A", "B"]
    body = assert_error(client.get(f"{base(ght)}/filieres/", {"sort": "secret"}), 400, "invalid")
    assert body["errors"]["sort"] == [
        "Tri inconnu : secret. Tris possibles : code, name (précédés de « - » pour l'ordre inverse)."
    ]


def test_nul_characters_and_huge_ids_are_refused_not_crashed(ght, office):
    client = api_client(office)
    assert_error(client.get(f"{base(ght)}/actions/", {"q": "a\x00b"}), 400, "invalid")
    assert_error(client.get(f"{base(ght)}/actions/{10**30}/"), 404, "not_found")
    assert client.get(f"{base(ght)}/axes/", {"plan": 10**30}).json()["count"] == 0
    assert_error(client.post(f"{base(ght)}/action-updates/", {"action": 10**30, "text": "x"}), 400, "invalid")


def test_throttling_counts_per_token(settings, ght, office):
    settings.API_THROTTLE_RATE = "3/minute"
    first, second = token_for(office), token_for(office)
    for key in (first, second):
        cache.delete(f"throttle_api_token-{ApiToken.objects.get(prefix=key[:13]).pk}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first}")
    assert [client.get("/api/v1/ghts/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/ghts/")
    body = assert_error(response, 429, "throttled")
    assert "Requête ralentie" in body["detail"] and int(response["Retry-After"]) > 0
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {second}")
    assert other.get("/api/v1/ghts/").status_code == 200  # the other token has its own budget
