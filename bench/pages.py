"""The pages the benchmark times, each as the person who would open it."""

from __future__ import annotations

from ght_portal.models import GHT, Membership, Role


def pages(big: GHT) -> list[tuple[str, object, str]]:
    members = Membership.objects.filter(ght=big).select_related("user").order_by("pk")
    office = next(m.user for m in members if m.role == Role.OFFICE)
    slug = big.slug
    return [
        ("Accueil du GHT", office, f"/{slug}/"),
        ("Établissements", office, f"/{slug}/etablissements/"),
        ("Membres", office, f"/{slug}/membres/"),
    ]
