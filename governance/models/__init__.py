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

__all__ = [
    "Campaign",
    "CampaignQuerySet",
    "CheckpointMeasurement",
    "CheckpointUpdate",
    "ReminderLog",
    "Snapshot",
]
