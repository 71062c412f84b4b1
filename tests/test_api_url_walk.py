"""Walk every API route with two GHTs, as tests/test_url_walk.py walks the web pages.

- Any route of a GHT one does not belong to answers 404, and so does a route of one's own GHT that
  carries another GHT's object id.
- Inside one's own GHT, each role gets 403 exactly where the viewset's declared roles exclude it
  (``allowed_roles``), and a write to an existing object without ``If-Match`` gets 428.
- Every API route outside a GHT is listed here on purpose.
New routes are covered automatically; a new URL keyword needs a sample in tests/url_samples.py.
The writes are sent with an empty body, each inside a savepoint rolled back afterwards.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from ght_portal.api.base import GHTScopedViewSet
from ght_portal.models import Role
from tests import test_url_walk as walk
from tests.api_helpers import token_for
from tests.test_url_walk import build_url, iter_patterns

API_PREFIX = "api/v1/ghts/<slug:ght_slug>/"
API_URLS_OUTSIDE_A_GHT = {"api:ght-list", "api_schema", "api_docs", "api_not_found"}
# The web walk's world: two GHTs, a member of each role in each, the sample objects of each.
two_ghts = walk.two_ghts


def api_patterns():
    return [entry for entry in iter_patterns(get_resolver()) if entry[0].startswith(API_PREFIX)]


def operations(entry):
    """(HTTP method, viewset, operation name) of each operation a route serves (HEAD aside)."""
    callback = entry[2].callback
    viewset = callback.cls(**callback.initkwargs)
    return [(method, viewset, name) for method, name in callback.actions.items() if method != "head"]


def send(client, method: str, url: str):
    """One request whose writes are undone: the walk sends the same samples to every route."""
    with transaction.atomic():
        response = getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def clients(two_ghts):
    from rest_framework.test import APIClient

    result = {}
    for role, user in two_ghts["members"].items():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        result[role] = client
    return result


def test_walk_covers_every_resource():
    prefixes = {entry[0][len(API_PREFIX) :].split("/")[0] for entry in api_patterns()}
    assert {
        "",
        "establishments",
        "members",
        "invitations",
        "plans",
        "axes",
        "objectives",
        "actions",
        "milestones",
        "indicators",
        "measurements",
        "action-updates",
        "filieres",
        "pilots",
        "working-group-members",
        "instances",
        "instance-members",
        "meetings",
        "agenda-items",
        "decisions",
        "campaigns",
        "checkpoint-updates",
        "reports",
    } <= prefixes


def test_other_ght_routes_answer_404(two_ghts, clients):
    """An office member of the first GHT (the strongest role) reaches nothing of the second one."""
    client = clients[Role.OFFICE]
    mixed = {**two_ghts["other"], "ght_slug": two_ghts["own"]["ght_slug"]}
    for entry in api_patterns():
        for method, _viewset, name in operations(entry):
            url = build_url(entry, two_ghts["other"])
            assert send(client, method, url).status_code == 404, f"{method.upper()} {url} ({name})"
            if len(entry[3]) > 1:  # own GHT, other GHT's object: the lookup is scoped inside the query
                url = build_url(entry, mixed)
                assert send(client, method, url).status_code == 404, f"{method.upper()} {url} (mixed)"


@pytest.mark.parametrize("role", Role.values)
def test_roles_get_403_exactly_where_not_allowed(two_ghts, clients, role):
    for entry in api_patterns():
        url = build_url(entry, two_ghts["own"])
        for method, viewset, name in operations(entry):
            status = send(clients[role], method, url).status_code
            if not isinstance(viewset, GHTScopedViewSet):  # the GHT itself: every member reads it
                assert status == 200, f"{role} {method.upper()} {url} → {status}"
            elif role not in viewset.allowed_roles(name, method.upper()):
                assert status == 403, f"{role} {method.upper()} {url} ({name}) → {status}, expected 403"
            elif viewset.is_object_write(name):
                assert status == 428, f"{role} {method.upper()} {url} ({name}) → {status}: If-Match is required"
            else:
                assert status not in (403, 404) and status < 500, f"{role} {method.upper()} {url} ({name}) → {status}"


def test_every_object_write_is_declared_conditional():
    """PATCH and DELETE always change an existing object; so does a POST on one (``…/<id>/followup/``)."""
    for entry in api_patterns():
        for method, viewset, name in operations(entry):
            if not isinstance(viewset, GHTScopedViewSet) or method == "get":
                continue
            on_object = len(entry[3]) > 1
            assert viewset.is_object_write(name) == on_object, f"{method.upper()} {entry[0]} ({name})"


def test_api_routes_outside_a_ght_are_known():
    for route, namespace, pattern, _names in iter_patterns(get_resolver()):
        if route.startswith("api/") and not route.startswith(API_PREFIX):
            assert f"{namespace}{pattern.name}" in API_URLS_OUTSIDE_A_GHT, f"{route!r}: scope it or list it here"


def test_unknown_api_addresses_answer_the_json_404(client, db):
    response = client.get("/api/v2/rien/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert reverse("api:ght-list") == "/api/v1/ghts/"
