"""Who may ask for and download the reports (the PDF reviews and roadmaps) of a GHT."""

from __future__ import annotations

from ght_portal.models import Membership, Role

REPORT_ROLES = frozenset({Role.OFFICE, Role.DIRECTOR})


def can_request_reports(membership: Membership) -> bool:
    """The office and the directors / instance members ask for reports and download them."""
    return membership.role in REPORT_ROLES
