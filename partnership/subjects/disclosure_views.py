"""Red flags: subject access (PDF and JSON) and erasure."""
