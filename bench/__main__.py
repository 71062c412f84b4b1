"""`make bench`: build the large data set (once) and time the main pages.

Server time is measured around Django's test client (the whole middleware stack and the view, no
network), 50 requests per page after a warm-up; the SQL count is that of one request. The data live
in their own database (BENCH_DATABASE_NAME, default bench_ght_portal), kept between runs.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
import warnings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ght_portal.settings")
os.environ["TEST_DATABASE_NAME"] = os.environ.get("BENCH_DATABASE_NAME", "bench_ght_portal")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REQUESTS = 50


def measure(client: Client, url: str) -> tuple[float, float, int]:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)  # now: later requests reset Django's query log
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], query_count


def main() -> int:
    # Numbers only: the eager tasks' log lines and the static files' warning are not the bench's.
    logging.getLogger("celery").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    # Not setup_test_environment(): it instruments every template render for the test client, which
    # would time the instrumentation, not the server. The test client only needs its host allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    connection.creation.create_test_db(keepdb=True, verbosity=0, serialize=False)  # no test rollbacks here
    from bench import data
    from bench.pages import pages

    started = time.perf_counter()
    big = data.build()
    with connection.cursor() as cursor:
        # Table statistics, as autovacuum keeps them in production (the bench server may not run it).
        cursor.execute("ANALYZE")
    print(f"Données : {time.perf_counter() - started:.1f} s (GHT « {big.name} », 136 GHT en base)")
    client, rows = Client(), []
    for label, user, url in pages(big):
        client.force_login(user)
        median, p95, queries = measure(client, url)
        rows.append((label, median, p95, queries))
    width = max(len(label) for label, *_ in rows)
    print(f"{'page'.ljust(width)}  médiane ms    p95 ms  requêtes SQL")
    for label, median, p95, queries in rows:
        print(f"{label.ljust(width)}  {median:10.1f}  {p95:8.1f}  {queries:12d}")
    worst = max(rows, key=lambda row: row[3])
    print(f"Objectifs : ≤ 20 requêtes par page (max {worst[3]}), p95 < 150 ms (max {max(r[2] for r in rows):.1f}).")
    from bench import checkpoints

    checkpoints.report(big)
    from bench import dashboard

    dashboard.report(big, measure)
    from bench import reports

    reports.report(big)
    from bench import api

    api.report(big)
    from bench import revision

    revision.report(big)
    return 0


if __name__ == "__main__":
    sys.exit(main())
