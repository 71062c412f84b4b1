"""Filières (medical and support) of a GHT, their pilots and working groups."""
