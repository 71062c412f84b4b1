"""Who may edit a filière's own text (description, SWOT): the rule built on ``actions.permissions``."""

from __future__ import annotations

from actions.permissions import can_manage_plan, piloted_filiere_ids
from filieres.models import Filiere
from ght_portal.models import Membership


def can_edit_filiere_text(membership: Membership, filiere: Filiere) -> bool:
    """Office, or a (PILOT-role) pilot of this filière: its description and SWOT."""
    return filiere.ght_id == membership.ght_id and (
        can_manage_plan(membership) or filiere.pk in piloted_filiere_ids(membership)
    )
