"""The plan of a GHT: plans, axes, objectives and actions."""
