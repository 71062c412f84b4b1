"""Instances, meetings, decisions and the June/December checkpoints."""
