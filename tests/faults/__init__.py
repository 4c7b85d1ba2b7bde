"""Fault tests: the portal with its PostgreSQL or Redis stopped, across the features."""
