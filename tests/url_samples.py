"""Sample objects for the URL walk (tests/test_url_walk.py): one value per URL keyword.

Builders run in order, each with the GHT, its members by role and the samples built so far, and
return the keywords they provide. The pilot pilots the sample filière and the owner owns the sample
action, so that the walk checks what each *role* may do; object-level refusals (another filière,
someone else's action) have their own tests. A new URL keyword needs a builder, or the walk fails.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from guardian.shortcuts import assign_perm

from ght_portal.models import GHT, Membership, Role
from ght_portal.services import invite_member
from tests.factories import EstablishmentFactory, FiliereFactory, PilotFactory, UserFactory
from tests.helpers import image_bytes


def core_samples(ght: GHT, members: dict, samples: dict) -> dict:
    ght.logo.save("logo.png", ContentFile(image_bytes("PNG")), save=True)
    invitation = invite_member(
        acting_user=members[Role.OFFICE],
        ght=ght,
        email=f"invite@{ght.slug}.test",
        full_name="Invitée",
        role=Role.READER,
    )
    membership = Membership.objects.create(ght=ght, user=UserFactory(), role=Role.READER)
    return {
        "ght_slug": ght.slug,
        "establishment_id": EstablishmentFactory(ght=ght).pk,
        "invitation_id": invitation.pk,
        "membership_id": membership.pk,
    }


def filiere_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """A filière piloted by the pilot member (with the guardian grant the app gives pilots)."""
    filiere = FiliereFactory(ght=ght)
    PilotFactory(filiere=filiere, user=members[Role.PILOT])
    assign_perm("filieres.pilot_filiere", members[Role.PILOT], filiere)
    return {"filiere_id": filiere.pk}


SAMPLE_BUILDERS = [core_samples, filiere_samples]


def build_samples(ght: GHT, members: dict) -> dict:
    samples: dict = {}
    for builder in SAMPLE_BUILDERS:
        samples.update(builder(ght, members, samples))
    return samples
