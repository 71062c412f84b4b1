"""Pages of the core cost a fixed number of queries, whatever the size of the GHT."""

import pytest

from ght_portal.models import Role
from tests.factories import EstablishmentFactory


@pytest.fixture
def big_ght(ght, make_member, office):
    for _ in range(40):
        make_member(ght, Role.OWNER)
    EstablishmentFactory.create_batch(20, ght=ght)
    return ght


@pytest.mark.parametrize("path", ["/{slug}/", "/{slug}/etablissements/", "/{slug}/membres/"])
def test_core_pages_have_a_query_ceiling(office_client, big_ght, path, django_assert_max_num_queries):
    url = path.format(slug=big_ght.slug)
    office_client.get(url)  # warm the session
    # session, user, membership with its GHT (GHTMixin), the page's own 1–2 queries, the GHT
    # switcher's memberships, and the idle-timeout session save (savepoint, update, release):
    # at most 9, for 40 members or 4000.
    with django_assert_max_num_queries(9):
        response = office_client.get(url)
    assert response.status_code == 200
