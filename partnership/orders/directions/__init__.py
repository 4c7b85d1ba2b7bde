"""Section 35 directions to leave: giving one (the rules in ``rules.py``), varying or
withdrawing it, breaches recorded by police, the Section 38 record (``record.py``) and
the notice handed to the person as a PDF."""
