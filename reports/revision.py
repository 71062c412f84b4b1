"""Which tables move a GHT's data revision (``reports.models.DataRevision``), and how to read it.

Every table that the figures, the dashboard or the PDF documents read has a deferred constraint
trigger (``revise_data``, PL/pgSQL function ``reports_revise_data``) that bumps its GHT's revision
once per transaction, at commit. How a row names its GHT (the trigger's arguments):

- ``ght``: its own ``ght_id`` column;
- ``parent``: a many-to-many link, through the ``ght_id`` of the row its first column points to;
- ``self``: the GHT's own row;
- ``user``: a person's row (an owner's or a pilot's name), every GHT the person is a member of.

Tables of the apps that no figure reads are listed in ``NOT_REVISED``; ``tests/test_data_revision.py``
fails when a table is in neither list or when a revised table has no trigger.
"""

from __future__ import annotations

from django.db import connection

# Read by nothing the figures or the documents show: jobs, tokens, invitations, the reminder log,
# Django's permission links, and the history tables (written with their rows, which have triggers).
NOT_REVISED = frozenset(
    {
        "reports.Report",
        "reports.DataRevision",
        "ght_portal.Invitation",
        "ght_portal.ApiToken",
        "ght_portal.User_groups",
        "ght_portal.User_user_permissions",
        "governance.ReminderLog",
    }
)


def data_revision(ght_id: int) -> str | None:
    """The GHT's data revision (one query), or None inside a transaction that has written anything:
    its own changes are not counted until it commits, so nothing may be cached or reused from it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT revision FROM reports_datarevision WHERE ght_id = %s), "
            "pg_current_xact_id_if_assigned() IS NOT NULL",
            [ght_id],
        )
        revision, wrote = cursor.fetchone()
    if wrote:
        return None
    return str(revision or 0)
