"""Governance: checkpoints (points d'étape) with their frozen snapshots and reminders; instances,
meetings and decisions (see the submodules)."""

from governance.models.checkpoints import (
    Campaign,
    CampaignQuerySet,
    CheckpointMeasurement,
    CheckpointUpdate,
    ReminderLog,
    Snapshot,
)
from governance.models.instances import AgendaItem, Attendance, Decision, Instance, InstanceMember, Meeting

__all__ = [
    "AgendaItem",
    "Attendance",
    "Campaign",
    "CampaignQuerySet",
    "CheckpointMeasurement",
    "CheckpointUpdate",
    "Decision",
    "Instance",
    "InstanceMember",
    "Meeting",
    "ReminderLog",
    "Snapshot",
]
