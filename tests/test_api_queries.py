"""Query counts of the API's lists: a page costs the same whatever its size and the GHT's size."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from actions.models import Action, Plan
from ght_portal.models import Role
from tests.api_helpers import base, token_for
from tests.factories import (
    ActionFactory,
    AxisFactory,
    EstablishmentFactory,
    FiliereFactory,
    ObjectiveFactory,
    PlanFactory,
)
from tests.test_api_url_walk import api_patterns
from tests.url_samples import build_samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_actions(ght, make_member):
    """120 actions of the plan in force, each with two filières, two establishments, two contributors."""
    people = [make_member(ght, Role.OWNER) for _ in range(4)]
    filieres = [FiliereFactory(ght=ght) for _ in range(3)]
    establishments = [EstablishmentFactory(ght=ght) for _ in range(3)]
    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan))
    actions = Action.objects.bulk_create(
        Action(ght=ght, plan=plan, objective=objective, code=f"A-{n:03}", title=f"Action {n}", owner=people[n % 4])
        for n in range(120)
    )
    through = Action.filieres.through
    through.objects.bulk_create(
        through(action=a, filiere=f) for n, a in enumerate(actions) for f in (filieres[n % 3], filieres[(n + 1) % 3])
    )
    through = Action.establishments.through
    through.objects.bulk_create(through(action=a, establishment=e) for a in actions for e in establishments[:2])
    through = Action.contributors.through
    through.objects.bulk_create(through(action=a, user=u) for a in actions for u in people[:2])
    return {"filieres": filieres, "people": people}


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


@pytest.mark.parametrize(
    "params", [{}, {"filiere": "first", "status": "en_cours", "late": "non", "sort": "-due_date", "q": "action"}]
)
def test_listing_actions_page_by_page_costs_the_same_on_every_page(
    ght, office, many_actions, params, django_assert_max_num_queries
):
    params = {key: many_actions["filieres"][0].pk if value == "first" else value for key, value in params.items()}
    client = token_client(office)
    client.get(f"{base(ght)}/plans/")  # the token's « last used » is written once a minute: not on each page
    url, pages = f"{base(ght)}/actions/", 0
    query = {**params, "page_size": 25}
    while url:
        # The token with its owner, the membership with its GHT, the plans (the filter's default plan), the
        # count, the rows with their owner and the ids of their filières, establishments and contributors
        # (array subqueries); with filters, the choices of each filter given (here the filières): at most 6.
        with django_assert_max_num_queries(6):
            response = client.get(url, query)
        assert response.status_code == 200, response.json()
        url, query, pages = response.json()["next"], None, pages + 1
        assert all(len(row["contributors"]) == 2 for row in response.json()["results"])
    assert pages == (5 if not params else 1)


def test_the_same_through_the_browser_session(ght, office, many_actions, client, django_assert_max_num_queries):
    client.force_login(office)
    client.get(f"{base(ght)}/actions/")
    # The session and its user instead of the token, then the same five, and the session's save (an update
    # in a savepoint: SESSION_SAVE_EVERY_REQUEST renews the idle timeout): 9.
    with django_assert_max_num_queries(9):
        assert client.get(f"{base(ght)}/actions/", {"page": 2}).status_code == 200


def more_rows(ght, members) -> None:
    """A second row of most kinds, with their relations (pilots, agenda, measurements, seats…)."""
    from django.utils import timezone

    from governance.models import AgendaItem, Decision, Instance, InstanceMember, Meeting
    from tests.factories import IndicatorFactory, MeasurementFactory, MilestoneFactory, PilotFactory

    filiere = FiliereFactory(ght=ght)
    PilotFactory(filiere=filiere, user=members[Role.OWNER])
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))))
    action.filieres.add(filiere)
    MilestoneFactory(action=action)
    MeasurementFactory(indicator=IndicatorFactory(action=action))
    instance = Instance.objects.filter(ght=ght, kind=Instance.Kind.CMG).get()
    InstanceMember.objects.create(instance=instance, user=members[Role.OWNER])
    meeting = Meeting.objects.create(instance=instance, starts_at=timezone.now(), place="Agen")
    AgendaItem.objects.create(meeting=meeting, position=1, action=action)
    decision = Decision.objects.create(instance=instance, decided_on="2025-02-01", kind="information", text="Vu.")
    decision.actions.add(action)


def list_counts(client, ght) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for entry in api_patterns():
        if len(entry[3]) != 1 or "get" not in entry[2].callback.actions:
            continue  # the lists only (routes with no other keyword than the GHT)
        url = reverse(f"{entry[1]}{entry[2].name}", kwargs={"ght_slug": ght.slug})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code in (200, 403), url  # the reports are not a pilot's
        counts[url] = len(queries)
    return counts


def test_every_list_costs_a_fixed_number_of_queries(ght, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    members = {role: make_member(ght, role) for role in Role.values}
    build_samples(ght, members)
    client = token_client(members[Role.PILOT])  # a pilot: the lists that decide per row read their filières
    list_counts(client, ght)  # warm the process-wide caches (content types, for the pilots' grants)
    before = list_counts(client, ght)
    more_rows(ght, members)
    # Token, membership, the pilot's filières where a list needs them, count, rows, and the prefetched
    # relations of the richest list (the filières: establishments, pilots, working group): at most 9.
    assert list_counts(client, ght) == before
    assert max(before.values()) <= 9, before
