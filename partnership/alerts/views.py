"""Alerts: the list, and marking them read."""
