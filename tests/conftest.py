"""Shared fixtures: two GHTs, a member of each role, and clients logged in as them."""

import pytest
from django.conf import settings

from ght_portal.models import Role
from tests.browser import browser, new_page  # noqa: F401 - fixtures shared by the browser tests
from tests.factories import EstablishmentFactory, GHTFactory, MembershipFactory, UserFactory


def pytest_configure(config):
    # Fast hashing for the hundreds of users tests create; mails are sent in-process by default
    # (tests of the real worker switch eager mode off for themselves).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.API_THROTTLE_RATE = None  # the API walks send hundreds of requests; tests/test_api_errors.py throttles
    settings.HISTORY_ACTOR_REQUIRED = True  # a history record without an author raises (ght_portal/actors.py)


@pytest.fixture
def ght(db):
    ght = GHTFactory(name="GHT Alpha", short_name="Alpha", slug="alpha")
    EstablishmentFactory(ght=ght, name="CH Alpha", role="support")
    return ght


@pytest.fixture
def other_ght(db):
    ght = GHTFactory(name="GHT Bêta", short_name="Bêta", slug="beta")
    EstablishmentFactory(ght=ght, name="CH Bêta", role="support")
    return ght


@pytest.fixture
def make_member(db):
    """make_member(ght, role) → a user with an active membership of that role."""

    def make(ght, role=Role.READER, **user_fields):
        user = UserFactory(**user_fields)
        MembershipFactory(ght=ght, user=user, role=role)
        return user

    return make


@pytest.fixture
def office(ght, make_member):
    return make_member(ght, Role.OFFICE, full_name="Claire Cellule")


@pytest.fixture
def reader(ght, make_member):
    return make_member(ght, Role.READER, full_name="Louis Lecteur")


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client
