"""The dashboard's figures are cached per state of the data: a second view costs the version query
instead of the figures' queries, and any write — even a bulk update that no signal sees — shows at
once. Committed data (transactional_db): each request is its own transaction, as in production."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from reports.cache import cache_key
from reports.figures import Scope
from tests.reports_world import ReportWorld

URL = "/alpha/tableau-de-bord/"


@pytest.fixture
def world(transactional_db, ght, make_member):
    return ReportWorld(ght, make_member)


def done(page: str) -> int:
    """The key figure « réalisées » of the page."""
    return int(re.search(r'stat__value">(\d+)</span><span class="stat__label">réalisées', page).group(1))


def get(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    # The figures' part of the page (the page head carries a fresh CSRF token each time).
    return response.content.decode().split('aria-labelledby="chiffres-cles"', 1)[1], len(queries)


def test_a_second_view_comes_from_the_cache_and_a_write_shows_at_once(world, client):
    client.force_login(world.director)
    first, computed = get(client)
    again, cached = get(client)
    assert again == first and cached <= computed - 5  # the six queries of the figures: one version query
    assert done(first) == 2

    Action.objects.filter(pk=world.actions["GER-4"].pk).update(status=Action.Status.DONE)  # no signal, no save()
    after, _ = get(client)
    assert done(after) == 3


def test_nothing_is_cached_from_a_transaction_that_wrote_the_data(world):
    from django.db import transaction

    scope = Scope(ght=world.ght, plan=world.plan)
    assert cache_key(scope, "figures", world.plan.created_at.date()) is not None
    with transaction.atomic():
        Action.objects.filter(pk=world.actions["GER-1"].pk).update(progress=99)
        assert cache_key(scope, "figures", world.plan.created_at.date()) is None
