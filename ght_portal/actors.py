"""Who each history record names: the person acting, or the one system actor — never a thread-local.

django-simple-history reads the author of a record from ``instance._history_user``. Every writer sets it
explicitly: services from their keyword-only ``acting_user``, the admin from ``request.user``, and what
runs with no person behind it (management commands, Celery tasks, the demo loader) from
``system_actor()``. A record without an author is a bug: ``check_history_actor`` raises
``HistoryWithoutActor`` when ``settings.HISTORY_ACTOR_REQUIRED`` is on (the test suite) and logs a warning
otherwise, so that production never loses a write over it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import router
from django.db.models import Model, QuerySet
from django.db.models.deletion import Collector

logger = logging.getLogger(__name__)

# The reserved ".invalid" domain (RFC 2606): no mail can ever reach this address.
SYSTEM_ACTOR_EMAIL = "systeme@ght-portal.invalid"
SYSTEM_ACTOR_NAME = "Système (GHT Portal)"


class HistoryWithoutActor(RuntimeError):
    """A tracked row was written without naming who wrote it."""


def system_actor():
    """The account that history records name when no person acts (imports from a terminal, scheduled
    jobs, the demo loader): inactive, with an unusable password, a member of no GHT — it cannot log in,
    receive a reset link or appear in any GHT's member list, which are all built from memberships.
    Created on first use; an account found with this address is put back in that state."""
    user, created = get_user_model().objects.get_or_create(
        email=SYSTEM_ACTOR_EMAIL,
        defaults={"full_name": SYSTEM_ACTOR_NAME, "is_active": False, "password": make_password(None)},
    )
    if not created and (user.is_active or user.is_staff or user.is_superuser or user.has_usable_password()):
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "is_staff", "is_superuser", "password"])
    return user


def delete_as(target: Model | QuerySet, acting_user) -> tuple[int, dict[str, int]]:
    """Delete a row (or the rows of a queryset) and everything that cascades with it, each history
    record naming ``acting_user``: ``Model.delete()`` would leave the cascaded rows without an author.

    The same collection as ``Model.delete()`` / ``QuerySet.delete()``; tracked models are never
    fast-deleted (simple-history listens to their deletions), so each of them is in ``collector.data``.
    """
    if isinstance(target, QuerySet):
        using, rows = target.db, target
    else:
        using, rows = router.db_for_write(type(target), instance=target), [target]
    collector = Collector(using=using, origin=target)
    collector.collect(rows)
    for instances in collector.data.values():
        for instance in instances:
            instance._history_user = acting_user
    return collector.delete()


def check_history_actor(sender, instance, history_user, **kwargs) -> None:
    """``pre_create_historical_record`` receiver: refuse (tests) or report (elsewhere) a record whose
    author nobody set."""
    if history_user is not None:
        return
    message = (
        f"{type(instance).__name__} (pk={instance.pk}): history record without an actor — set "
        "``_history_user`` from the acting user, or from system_actor() when no person acts"
    )
    if getattr(settings, "HISTORY_ACTOR_REQUIRED", False):
        raise HistoryWithoutActor(message)
    logger.warning(message)
