"""Who records the life of the instances: meetings, agendas, attendance and decisions.

The office records for every instance; a member with role « Direction » records for the instances
whose secretary they are (their seat). Everyone else reads.
"""

from __future__ import annotations

from collections.abc import Collection

from ght_portal.models import Membership, Role
from governance.models import Instance, InstanceMember

Seat = InstanceMember.SeatRole
# The roles that may reach a recording page at all; ``can_record`` then decides per instance.
RECORDER_ROLES = frozenset({Role.OFFICE, Role.DIRECTOR})


def secretary_instance_ids(membership: Membership) -> frozenset[int]:
    """Instances of the membership's GHT whose secretary this member is (one query; none for other roles)."""
    if membership.role not in RECORDER_ROLES or membership.role == Role.OFFICE:
        return frozenset()
    seats = InstanceMember.objects.filter(ght_id=membership.ght_id, user_id=membership.user_id, role=Seat.SECRETARY)
    return frozenset(seats.values_list("instance_id", flat=True))


def can_record(membership: Membership, instance: Instance, secretary_of: Collection[int] | None = None) -> bool:
    """Meetings and decisions of ``instance``: the office, or a secretary of it (role « Direction »)."""
    if instance.ght_id != membership.ght_id:
        return False
    if membership.role == Role.OFFICE:
        return True
    if membership.role not in RECORDER_ROLES:
        return False
    ids = secretary_instance_ids(membership) if secretary_of is None else secretary_of
    return instance.pk in ids
