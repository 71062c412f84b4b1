"""API benchmark: list the large GHT's 600 actions page by page through the API,
as a script would with a personal token, and print the median and p95 of a page and its SQL count."""

from __future__ import annotations

import statistics
import time

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ght_portal.models import GHT, ApiToken, Membership, Role
from ght_portal.services import create_api_token

ROUNDS = 5  # times the whole list is read
PAGE_SIZE = 50
TOKEN_NAME = "Banc d'essai de l'API"


def _client(big: GHT) -> APIClient:
    office = Membership.objects.filter(ght=big, role=Role.OFFICE).select_related("user").order_by("pk").first().user
    ApiToken.objects.filter(user=office, name=TOKEN_NAME).delete()  # the bench database is kept between runs
    _token, key = create_api_token(acting_user=office, name=TOKEN_NAME, read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def read_all(client: APIClient, url: str, params: dict) -> list[tuple[float, int, int]]:
    """(milliseconds, SQL queries, rows) per page, following ``next`` to the end."""
    pages, query = [], {**params, "page_size": PAGE_SIZE}
    while url:
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, query)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        pages.append((elapsed, len(queries), len(body["results"])))
        url, query = body["next"], None
    return pages


def report(big: GHT) -> None:
    client = _client(big)
    url = f"/api/v1/ghts/{big.slug}/actions/"
    lists = [
        ("Liste des actions par l'API", {}),
        ("Liste filtrée et triée par l'API", {"status": "en_cours", "late": "non", "sort": "-due_date"}),
    ]
    read_all(client, url, {})  # warm-up (and the token's « last used », written once a minute)
    print(f"API : {PAGE_SIZE} actions par page, jeton personnel, {ROUNDS} lectures complètes")
    print(f"{'liste'.ljust(34)}  pages  actions  médiane ms  p95 ms  requêtes SQL (max)")
    for label, params in lists:
        pages = [page for _ in range(ROUNDS) for page in read_all(client, url, params)]
        timings = sorted(elapsed for elapsed, _queries, _rows in pages)
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        count = len(pages) // ROUNDS
        rows = sum(rows for _elapsed, _queries, rows in pages) // ROUNDS
        queries = max(queries for _elapsed, queries, _rows in pages)
        median = statistics.median(timings)
        print(f"{label.ljust(34)}  {count:5d}  {rows:7d}  {median:10.1f}  {p95:6.1f}  {queries:18d}")
    print("Objectif : moins de 10 requêtes SQL par page, quelle que soit la page.")
