"""load_demo builds the two GHTs of the seeds, one person per role, and is idempotent."""

from django.core.management import call_command

from ght_portal import demo_data
from ght_portal.models import GHT, Establishment, Membership, Role, User
from governance.models import Campaign, Decision, Snapshot


def snapshot():
    return (
        GHT.objects.count(),
        Establishment.objects.count(),
        Decision.objects.count(),
        Campaign.objects.count(),
        User.objects.count(),
        sorted(Membership.objects.values_list("ght__slug", "user__email", "role")),
    )


def test_load_demo_is_idempotent_and_matches_the_seeds(db):
    call_command("load_demo", verbosity=0)
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first

    lot = GHT.objects.get(slug="lot-et-garonne")
    assert lot.establishments.count() == 7
    assert lot.support_establishment.name == "Centre Hospitalier Agen-Nérac"
    rouen = GHT.objects.get(slug="rouen-coeur-de-seine")
    assert rouen.support_establishment.name == "CHU de Rouen"
    assert set(rouen.establishments.values_list("role", flat=True)) == {"support", "member", "partner"}
    for ght in (lot, rouen):
        assert set(Membership.objects.filter(ght=ght).values_list("role", flat=True)) == set(Role.values)
    shared = User.objects.get(email=demo_data.SHARED_PERSON[0])
    assert shared.memberships.count() == 2
    assert User.objects.get(email=demo_data.OPERATOR[0]).is_superuser
    for ght in (lot, rouen):  # a year of governance for the dashboard and the annual reviews
        june = Campaign.objects.get(ght=ght, status=Campaign.Status.CLOSED)
        assert june.deadline.month == 6 and Snapshot.objects.filter(campaign=june).exists()
        assert set(Decision.objects.filter(ght=ght).values_list("instance__kind", flat=True)) == {
            "cmg",
            "bureau_cmg",
            "costrat",
        }


def test_demo_logins_work(client, db):
    call_command("load_demo", verbosity=0)
    response = client.post(
        "/connexion/", {"username": "pilote@rouen.test", "password": demo_data.DEMO_PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302
    assert client.get("/").url == "/rouen-coeur-de-seine/"
