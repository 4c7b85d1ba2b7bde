"""Breaches of directions and notices: the record, and who may see it. Each kind of order
records its own breaches (``directions/service.py``, ``notices/service.py``)."""
