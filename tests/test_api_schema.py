"""The OpenAPI schema, checked against the API by schemathesis on a seeded database.

Every operation of /api/schema/ is called with generated data, valid and invalid, as the office member
of a GHT holding one object of each kind (tests/url_samples.py, whose ids fill the paths): no answer may
be a server error, every answer must be one the schema documents, in its documented shape, and invalid
data must be refused. Half of the writes to an existing object carry its current ETag, so that the
services run too. A few examples per operation and mode keep the run around a minute.

(One test for all operations: schemathesis' lazy pytest loader does not run under pytest 9, and the
seeded ids are only known inside the test.)
"""

from __future__ import annotations

import zlib
from contextlib import contextmanager

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from ght_portal.models import Role
from tests.api_helpers import token_for
from tests.url_samples import build_samples

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 5  # per operation and mode (valid, invalid data)
# Invalid data is refused: 412 and 428 count (the write is refused before its body is read).
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 412, 415, 422, 428, 429]


@pytest.fixture
def seeded(ght, make_member, settings, tmp_path):
    """A GHT with one object of each kind, and a token of its office member."""
    settings.MEDIA_ROOT = tmp_path
    members = {role: make_member(ght, role) for role in Role.values}
    return {"samples": build_samples(ght, members), "key": token_for(members[Role.OFFICE])}


@contextmanager
def connection_kept():
    """Django's WSGI handler closes the database connection after each request; keep the test's (and its
    transaction) across requests, as Django's test client does."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


def load_schema(client: Client):
    raw = client.get("/api/schema/", {"format": "json"}).json()
    config = schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": EXAMPLES},
            "checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}},
        }
    )
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.app = WSGIHandler()
    return schema


def object_etag(path: str, authorization: str) -> str | None:
    """The current ETag of the object a write addresses (its URL, less a trailing operation name)."""
    parts = path.rstrip("/").split("/")
    object_path = path if parts[-1].isdigit() else "/".join(parts[:-1]) + "/"
    return Client().get(object_path, HTTP_AUTHORIZATION=authorization).headers.get("ETag")


def run_operation(operation, mode, seeded) -> None:
    authorization = f"Bearer {seeded['key']}"
    fixed = {parameter.name: seeded["samples"][parameter.name] for parameter in operation.path_parameters}
    strategy = operation.as_strategy(mode, path_parameters=fixed, headers={"Authorization": authorization})

    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def check(case):
        headers = case.headers or {}
        if mode.is_positive and "If-Match" in headers and zlib.crc32(repr(case.body).encode()) % 2:
            headers["If-Match"] = object_etag(case.formatted_path, authorization) or headers["If-Match"]
        with connection_kept():
            case.call_and_validate(checks=CHECKS)

    check()


def test_the_api_keeps_to_its_schema(seeded, client):
    schema = load_schema(client)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60
    failures = []
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            try:
                run_operation(operation, mode, seeded)
            except hypothesis.errors.Unsatisfiable:
                continue  # nothing of this operation can be made invalid (no parameter, no body)
            except (Exception, BaseExceptionGroup) as error:  # every operation is run; all failures reported below
                failures.append(f"{operation.label} ({mode.value}):\n{error}")
    assert not failures, "\n\n".join(failures)
