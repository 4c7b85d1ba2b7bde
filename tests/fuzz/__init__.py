"""Fuzz tests: every route and form fed generated input, across the features."""
