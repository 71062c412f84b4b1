"""Load the demo GHTs, establishments and one person per role; running it again changes nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from ght_portal import demo_data
from ght_portal.models import GHT, Establishment, Membership

User = get_user_model()


def _person(email: str, full_name: str, job_title: str = "", **extra):
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "job_title": job_title, **extra}
    )
    if created:
        user.set_password(demo_data.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Charge les GHT de démonstration (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        _person(*demo_data.OPERATOR, is_staff=True, is_superuser=True)
        shared_email, shared_name, shared_title, shared_role = demo_data.SHARED_PERSON
        shared = _person(shared_email, shared_name, shared_title)
        for spec in demo_data.GHTS:
            ght, _ = GHT.objects.update_or_create(
                slug=spec["slug"],
                defaults={key: spec[key] for key in ("name", "short_name", "departements", "region")},
            )
            for name, kind, town, role, finess in spec["establishments"]:
                Establishment.objects.update_or_create(
                    ght=ght,
                    name=name,
                    defaults={"kind": kind, "town": town, "role": role, "finess_juridique": finess},
                )
            for email, full_name, job_title, role in spec["people"]:
                user = _person(email, full_name, job_title)
                Membership.objects.update_or_create(ght=ght, user=user, defaults={"role": role, "is_active": True})
            Membership.objects.update_or_create(ght=ght, user=shared, defaults={"role": shared_role, "is_active": True})
            counts = f"{len(spec['establishments'])} établissements, {len(spec['people']) + 1} personnes"
            self.stdout.write(f"{ght.name} : {counts}")
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
