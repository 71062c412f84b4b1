"""Dashboards, review PDFs and exports."""
