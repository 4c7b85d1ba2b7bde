"""Section 34 dispersal authorisations: authorising a locality, ending one early, the
record as a PDF."""
