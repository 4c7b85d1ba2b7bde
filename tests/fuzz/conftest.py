"""The fuzz tests' fixtures."""

from tests.fuzz.harness import found

__all__ = ["found"]
