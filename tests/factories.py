"""factory_boy factories for the tenancy core."""

import factory
from factory.django import DjangoModelFactory

from ght_portal.models import GHT, Establishment, Membership, Region, Role, User

PASSWORD = "un-mot-de-passe-solide-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class GHTFactory(DjangoModelFactory):
    class Meta:
        model = GHT
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"GHT de test {n}")
    short_name = factory.Sequence(lambda n: f"GHT {n}")
    slug = factory.Sequence(lambda n: f"ght-{n}")
    departements = factory.LazyFunction(lambda: ["47"])
    region = Region.NAQ


class EstablishmentFactory(DjangoModelFactory):
    class Meta:
        model = Establishment

    ght = factory.SubFactory(GHTFactory)
    name = factory.Sequence(lambda n: f"Centre hospitalier n° {n}")
    kind = Establishment.Kind.CH
    town = "Agen"
    role = Establishment.Role.MEMBER


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    ght = factory.SubFactory(GHTFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.READER
