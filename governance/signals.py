"""Receivers of governance, connected by ``GovernanceConfig.ready`` (outside the models, which the
services import)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from ght_portal.models import GHT
from governance.services import ensure_default_instances


@receiver(post_save, sender=GHT, dispatch_uid="governance_default_instances")
def give_new_ght_its_instances(sender, instance: GHT, created: bool, raw: bool = False, **kwargs) -> None:
    """Every new GHT starts with the usual instances, whichever path created it (admin, shell, demo).

    Existing GHTs got them from the migration ``0002_instances``."""
    if created and not raw:
        ensure_default_instances(instance)
